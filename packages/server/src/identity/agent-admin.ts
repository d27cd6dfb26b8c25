import { type AgentStatus, GatehouseError } from '@gatehouse/core';
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import type { AuditSink } from '../audit/audit-log.js';
import { actionDraft } from '../audit/drafts.js';
import type { AgentRecord, IdentityStore, NewAgent, UserRecord, UserRole } from './identity-store.js';
import { randomHex24 } from './random-id.js';
import { credentialDigest, generateCredential, hashCredential } from './secret-hash.js';

/** How long a rotated-out client secret keeps working, unless told otherwise. */
export const DEFAULT_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Algorithms accepted for client assertions (RFC 7523). `Ed25519` is the
 * fully-specified name (RFC 9864) that current clients such as oauth4webapi
 * send for the same keys as `EdDSA`.
 */
export const CLIENT_ASSERTION_ALGS = ['EdDSA', 'Ed25519', 'ES256', 'RS256', 'PS256'] as const;

/** A created agent and, exactly once, its client secret. */
export interface CreatedAgent {
  readonly agent: AgentRecord;
  /** The OAuth client_id: the agent id. */
  readonly clientId: string;
  /** Shown once and never again; absent when the agent authenticates with a key. */
  readonly clientSecret?: string;
}

/**
 * Registry administration: what the CLI and the admin API do. Works on the
 * store alone, so it runs in any process; a running server notices the
 * changes through its registry cache.
 */
export class AgentAdmin {
  constructor(
    private readonly store: IdentityStore,
    /** Where every change is recorded, and as whom (`cli:<os user>`, an admin's email). */
    private readonly audit?: { readonly sink: AuditSink; readonly door: string; readonly actor: string },
  ) {}

  private async record(
    action: string,
    agent: AgentRecord | undefined,
    extra?: Record<string, unknown>,
  ): Promise<void> {
    if (!this.audit) return;
    await this.audit.sink.append(
      actionDraft({
        type: agent ? 'agent' : 'admin',
        action,
        outcome: 'succeeded',
        who: {
          person: this.audit.actor,
          ...(agent && { agent: { id: agent.id, name: agent.name, owner: agent.owner } }),
        },
        door: this.audit.door,
        ...(extra && { extra }),
      }),
    );
  }

  /** Registers an agent with a new client secret, or with a public key for `private_key_jwt`. */
  async createAgent(
    input: Omit<NewAgent, 'source' | 'classification' | 'labels'> & {
      classification?: string;
      labels?: readonly string[];
      publicJwk?: JWK;
      now?: Date;
    },
  ): Promise<CreatedAgent> {
    const now = input.now ?? new Date();
    const publicJwk = input.publicJwk ? await checkPublicJwk(input.publicJwk) : undefined;
    const agent = await this.store.createAgent(
      {
        name: input.name,
        owner: input.owner,
        grants: input.grants,
        classification: input.classification ?? 'internal',
        labels: input.labels ?? [],
        source: 'api',
        ...(input.description !== undefined && { description: input.description }),
      },
      now,
    );
    if (publicJwk) {
      await this.store.addCredential({
        id: newId('crd'),
        agentId: agent.id,
        kind: 'public_key',
        publicJwk,
        createdAt: now,
      });
      await this.record('agent.created', agent, { grants: agent.grants, credential: 'public_key' });
      return { agent, clientId: agent.id };
    }
    const clientSecret = generateCredential('ghs');
    await this.store.addCredential({
      id: newId('crd'),
      agentId: agent.id,
      kind: 'secret',
      secretHash: await hashCredential(clientSecret),
      createdAt: now,
    });
    await this.record('agent.created', agent, { grants: agent.grants, credential: 'secret' });
    return { agent, clientId: agent.id, clientSecret };
  }

  /**
   * Issues a new client secret. Older secrets keep working for `graceMs`
   * (default one day) so that deployments can roll over without downtime.
   */
  async rotateSecret(
    idOrName: string,
    options: { graceMs?: number; now?: Date } = {},
  ): Promise<{ agent: AgentRecord; clientSecret: string; previousExpireAt: Date }> {
    const now = options.now ?? new Date();
    const agent = await this.requireAgent(idOrName);
    const clientSecret = generateCredential('ghs');
    const id = newId('crd');
    await this.store.addCredential({
      id,
      agentId: agent.id,
      kind: 'secret',
      secretHash: await hashCredential(clientSecret),
      createdAt: now,
    });
    const previousExpireAt = new Date(now.getTime() + (options.graceMs ?? DEFAULT_SECRET_GRACE_MS));
    await this.store.expireCredentials(agent.id, 'secret', id, previousExpireAt);
    await this.record('agent.secret-rotated', agent, { previous_expire_at: previousExpireAt.toISOString() });
    return { agent, clientSecret, previousExpireAt };
  }

  /** Registers a (new) public key; older keys keep working for the grace period. */
  async registerPublicKey(
    idOrName: string,
    jwk: JWK,
    options: { graceMs?: number; now?: Date } = {},
  ): Promise<AgentRecord> {
    const now = options.now ?? new Date();
    const agent = await this.requireAgent(idOrName);
    const publicJwk = await checkPublicJwk(jwk);
    const id = newId('crd');
    await this.store.addCredential({ id, agentId: agent.id, kind: 'public_key', publicJwk, createdAt: now });
    await this.store.expireCredentials(
      agent.id,
      'public_key',
      id,
      new Date(now.getTime() + (options.graceMs ?? DEFAULT_SECRET_GRACE_MS)),
    );
    await this.record('agent.key-registered', agent);
    return agent;
  }

  /** Suspends, resumes, quarantines or retires an agent. A retired agent never comes back. */
  async setStatus(idOrName: string, status: AgentStatus, now = new Date()): Promise<AgentRecord> {
    const agent = await this.requireAgent(idOrName);
    if (agent.status === 'retired' && status !== 'retired') {
      throw new GatehouseError(
        'GH_CONFLICT',
        `agent '${agent.name}' is retired and cannot be ${status === 'active' ? 'resumed' : 'changed'}`,
        { status: 409 },
      );
    }
    const changed = await this.store.setAgentStatus(agent.id, status, now);
    await this.record(`agent.${status}`, changed, { previous_status: agent.status });
    return changed;
  }

  async requireAgent(idOrName: string): Promise<AgentRecord> {
    const agent = await this.store.findAgent(idOrName);
    if (!agent) throw new GatehouseError('GH_NOT_FOUND', `no agent '${idOrName}'`, { status: 404 });
    return agent;
  }

  /** Creates a human user and returns, exactly once, their personal API token. */
  async createUser(
    email: string,
    roles: readonly UserRole[],
    now = new Date(),
  ): Promise<{ user: UserRecord; token: string }> {
    const token = generateCredential('ghu');
    const user = await this.store.createUser(
      { email: email.toLowerCase(), roles, tokenDigest: credentialDigest(token) },
      now,
    );
    await this.record('user.created', undefined, { email: user.email, roles: user.roles });
    return { user, token };
  }

  /**
   * Gives a user a new personal API token (printed once) and voids the old one at once: for a
   * token that leaked, or a person who left (the new one is then simply never handed out).
   */
  async rotateUserToken(email: string): Promise<{ user: UserRecord; token: string }> {
    const token = generateCredential('ghu');
    if (!(await this.store.replaceUserToken(email, credentialDigest(token))))
      throw new GatehouseError('GH_NOT_FOUND', `no user '${email}'`, { status: 404 });
    const user = (await this.store.findUserByEmail(email)) as UserRecord;
    await this.record('user.token-rotated', undefined, { email: user.email });
    return { user, token };
  }

  /** The user a personal API token belongs to, if any. */
  async authenticateUser(token: string): Promise<UserRecord | undefined> {
    if (!token.startsWith('ghu_')) return undefined;
    return this.store.findUserByTokenDigest(credentialDigest(token));
  }
}

/** A public JWK usable for client assertions, stripped to its public members. */
async function checkPublicJwk(jwk: JWK): Promise<JWK> {
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) {
    throw new GatehouseError('GH_USAGE', 'the key holds private material; register the public key only', {
      status: 400,
    });
  }
  const alg = jwk.alg ?? (jwk.kty === 'OKP' ? 'EdDSA' : jwk.kty === 'EC' ? 'ES256' : 'RS256');
  if (!(CLIENT_ASSERTION_ALGS as readonly string[]).includes(alg)) {
    throw new GatehouseError(
      'GH_USAGE',
      `key algorithm ${alg} is not accepted (use one of ${CLIENT_ASSERTION_ALGS.join(', ')})`,
      { status: 400 },
    );
  }
  try {
    await importJWK(jwk, alg);
  } catch {
    throw new GatehouseError('GH_USAGE', 'the public key is not a valid JWK', { status: 400 });
  }
  const { kty, crv, x, y, n, e } = jwk;
  const clean: JWK = Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e, alg }).filter(([, v]) => v !== undefined),
  );
  return { ...clean, kid: jwk.kid ?? (await calculateJwkThumbprint(clean)) };
}

/** Ids with a type prefix (`agt_…`, `crd_…`), like Stripe's: readable in logs and audit. */
export function newId(prefix: string): string {
  return `${prefix}_${randomHex24()}`;
}
