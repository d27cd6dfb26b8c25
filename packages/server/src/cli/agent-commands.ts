import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  AGENT_STATUSES,
  type AgentIdentity,
  type AgentStatus,
  type CompiledPolicy,
  GatehouseError,
  withinGrants,
} from '@gatehouse/core';
import type { JWK } from 'jose';
import type { AuditSink } from '../audit/audit-log.js';
import { findConfigPath, loadConfig } from '../config/load.js';
import { AgentAdmin, type CreatedAgent } from '../identity/agent-admin.js';
import { type AgentRecord, USER_ROLES, type UserRole } from '../identity/identity-store.js';
import { registerPolicyAgents } from '../identity/policy-agents.js';
import type { Store } from '../store/index.js';
import { cliActor, withStoreAndAudit } from './audit-commands.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';
import { loadPolicyFor } from './policy-commands.js';

/**
 * Runs an admin command on the store, after writing the agents the policy declares into it: one
 * inventory, so `agents list` shows them and `agents create` cannot reuse their names. The
 * policy is loaded as `serve` loads it; when it does not compile, `policy` is undefined.
 */
export async function withAdmin<T>(
  io: CliIo,
  configFlag: string | undefined,
  work: (admin: AgentAdmin, store: Store, policy: CompiledPolicy | undefined, audit: AuditSink) => Promise<T>,
): Promise<T> {
  return withStoreAndAudit(io, configFlag, async (store, audit) => {
    const loaded = await loadPolicyFor(io, undefined, configFlag, store);
    const policy = loaded.ok ? loaded.policy : undefined;
    if (policy) {
      const { conflicts } = await registerPolicyAgents(store, policy);
      for (const name of conflicts)
        io.stderr(
          `warning: the policy declares agent '${name}', and an agent registered through the API or CLI has that name; rename or retire one of them\n`,
        );
    }
    return work(new AgentAdmin(store, { sink: audit, door: 'cli', actor: cliActor() }), store, policy, audit);
  });
}

const agentJson = (a: AgentRecord) => ({
  id: a.id,
  name: a.name,
  owner: a.owner,
  status: a.status,
  classification: a.classification,
  grants: a.grants,
  labels: a.labels,
  source: a.source,
  created_at: a.createdAt.toISOString(),
  updated_at: a.updatedAt.toISOString(),
  ...(a.lastSeenAt && { last_seen_at: a.lastSeenAt.toISOString() }),
  ...(a.description !== undefined && { description: a.description }),
});

function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Options of `gatehouse agents create`. */
export interface AgentCreateOptions {
  name: string;
  owner?: string;
  grants?: string;
  classification?: string;
  description?: string;
  publicKey?: string;
  json?: boolean;
  config?: string;
}

/**
 * `gatehouse agents create`: prints the id, client_id and, once, the client secret. A name the
 * policy declares gets its credentials here, bound to the declaration (its owner and grants);
 * it is never registered a second time with other grants.
 */
export async function agentsCreate(io: CliIo, opts: AgentCreateOptions): Promise<number> {
  const grants = opts.grants === undefined ? undefined : splitList(opts.grants);
  if (grants?.length === 0)
    throw new UsageError('--grants needs at least one tool pattern, e.g. "email.*,db.query"');
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,99}$/.test(opts.name))
    throw new UsageError(`--name '${opts.name}' is not a valid agent name`);
  if ((opts.owner === undefined) !== (grants === undefined))
    throw new UsageError('give both --owner and --grants, or neither for an agent the policy declares');
  let publicJwk: JWK | undefined;
  if (opts.publicKey !== undefined) {
    try {
      publicJwk = JSON.parse(await readFile(resolve(io.cwd, opts.publicKey), 'utf8')) as JWK;
    } catch {
      throw new UsageError(`--public-key ${opts.publicKey} is not a readable JWK file`);
    }
  }
  const created = await withAdmin(io, opts.config, async (admin, store, policy) => {
    if (!policy)
      throw new GatehouseError(
        'GH_POLICY_INVALID',
        "the policy does not compile, so the agent names it declares cannot be checked; run 'gatehouse policy check'",
      );
    const declared = policy.agents.get(opts.name);
    if (declared) return bindDeclared(admin, store, declared, opts, grants, publicJwk);
    if (opts.owner === undefined || grants === undefined)
      throw new UsageError(
        `the policy declares no agent '${opts.name}': give --owner and --grants to register one`,
      );
    for (const grant of grants) {
      if (![...policy.tools.keys()].some((tool) => withinGrants(tool, [grant])))
        io.stderr(
          `warning: grant '${grant}' matches no tool in the catalog; calls under it are denied as unknown tools until one is declared\n`,
        );
    }
    return admin.createAgent({
      name: opts.name,
      owner: opts.owner,
      grants,
      ...(opts.classification !== undefined && { classification: opts.classification }),
      ...(opts.description !== undefined && { description: opts.description }),
      ...(publicJwk && { publicJwk }),
    });
  });
  if (opts.json) {
    printJson(io, {
      ...agentJson(created.agent),
      client_id: created.clientId,
      ...(created.clientSecret && { client_secret: created.clientSecret }),
    });
  } else {
    const verb =
      created.agent.source === 'policy' ? 'gave credentials to the policy-declared agent' : 'created agent';
    io.stdout(
      `${verb} ${created.agent.name}\n  id:            ${created.agent.id}\n  client_id:     ${created.clientId}\n`,
    );
    if (created.clientSecret)
      io.stdout(
        `  client_secret: ${created.clientSecret}\n  (shown once: store it now; it cannot be shown again)\n`,
      );
    else io.stdout('  authenticates with private_key_jwt using the registered public key\n');
  }
  return EXIT.ok;
}

/**
 * Gives a policy-declared agent its first credentials. Its owner and grants are the policy's:
 * options that say otherwise are refused rather than silently ignored, and an agent that already
 * has credentials is rotated with `agents rotate`, never here.
 */
async function bindDeclared(
  admin: AgentAdmin,
  store: Store,
  declared: AgentIdentity,
  opts: AgentCreateOptions,
  grants: readonly string[] | undefined,
  publicJwk: JWK | undefined,
): Promise<CreatedAgent> {
  const sameGrants =
    grants === undefined ||
    (grants.length === declared.grants.length && grants.every((g) => declared.grants.includes(g)));
  if (!sameGrants || (opts.owner !== undefined && opts.owner !== declared.owner))
    throw new UsageError(
      `the policy declares '${declared.name}' with owner ${declared.owner} and grants [${declared.grants.join(', ')}]; ` +
        'leave out --owner and --grants to give it credentials, change it in the policy, or choose another name',
    );
  const agent = await admin.requireAgent(declared.name);
  const now = new Date();
  const live = (await store.listCredentials(agent.id)).filter((c) => !c.expiresAt || c.expiresAt > now);
  if (live.length > 0)
    throw new UsageError(
      `'${declared.name}' already has credentials; 'gatehouse agents rotate ${declared.name}' issues new ones`,
    );
  if (publicJwk) {
    await admin.registerPublicKey(agent.id, publicJwk, { graceMs: 0 });
    return { agent, clientId: agent.id };
  }
  const { clientSecret } = await admin.rotateSecret(agent.id, { graceMs: 0 });
  return { agent, clientId: agent.id, clientSecret };
}

/** `gatehouse agents list`. */
export async function agentsList(io: CliIo, opts: { json?: boolean; config?: string }): Promise<number> {
  const agents = await withAdmin(io, opts.config, async (_admin, store) => {
    const all = await store.listAgents();
    const withCredentials = new Set<string>();
    for (const a of all) if ((await store.listCredentials(a.id)).length > 0) withCredentials.add(a.id);
    return all.map((agent) => ({ agent, credentials: withCredentials.has(agent.id) }));
  });
  if (opts.json)
    printJson(
      io,
      agents.map(({ agent, credentials }) => ({ ...agentJson(agent), credentials })),
    );
  else if (agents.length === 0) io.stdout('no agents\n');
  else {
    const row = (cells: string[]) =>
      `${cells[0]!.padEnd(28)}  ${cells[1]!.padEnd(24)} ${cells[2]!.padEnd(11)} ${cells[3]!.padEnd(7)} ${cells[4]!.padEnd(11)} ${cells[5]}  ${cells[6]}\n`;
    io.stdout(row(['ID', 'NAME', 'STATUS', 'SOURCE', 'CREDENTIALS', 'OWNER', 'GRANTS']));
    for (const { agent: a, credentials } of agents)
      io.stdout(
        row([
          a.id,
          a.name,
          a.status,
          a.source,
          credentials ? 'yes' : 'none',
          a.owner,
          `[${a.grants.join(', ')}]`,
        ]),
      );
  }
  return EXIT.ok;
}

/** `gatehouse agents show`. */
export async function agentsShow(
  io: CliIo,
  idOrName: string,
  opts: { json?: boolean; config?: string },
): Promise<number> {
  const { agent, credentials } = await withAdmin(io, opts.config, async (admin, store) => {
    const agent = await admin.requireAgent(idOrName);
    return { agent, credentials: await store.listCredentials(agent.id) };
  });
  // Credentials are listed by kind and validity only: hashes stay in the store.
  const creds = credentials.map((c) => ({
    id: c.id,
    kind: c.kind,
    created_at: c.createdAt.toISOString(),
    ...(c.expiresAt && { expires_at: c.expiresAt.toISOString() }),
  }));
  if (opts.json) printJson(io, { ...agentJson(agent), credentials: creds });
  else {
    for (const [k, v] of Object.entries(agentJson(agent)))
      io.stdout(`${k.padEnd(15)} ${Array.isArray(v) ? v.join(', ') : String(v)}\n`);
    for (const c of creds)
      io.stdout(`credential      ${c.id} ${c.kind}${c.expires_at ? ` (expires ${c.expires_at})` : ''}\n`);
  }
  return EXIT.ok;
}

/** `gatehouse agents rotate`: a new secret (or key); the old one works for the grace period. */
export async function agentsRotate(
  io: CliIo,
  idOrName: string,
  opts: { grace?: string; publicKey?: string; json?: boolean; config?: string },
): Promise<number> {
  const config = await loadConfig(findConfigPath({ flag: opts.config, env: io.env, cwd: io.cwd }));
  let graceMs = config.identity.secretGraceMs;
  if (opts.grace !== undefined) {
    const match = /^(\d{1,6})(s|m|h|d)$/.exec(opts.grace);
    if (!match) throw new UsageError(`--grace must look like 30m, 24h or 0s, not '${opts.grace}'`);
    graceMs = Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's']!;
  }
  if (opts.publicKey !== undefined) {
    let jwk: JWK;
    try {
      jwk = JSON.parse(await readFile(resolve(io.cwd, opts.publicKey), 'utf8')) as JWK;
    } catch {
      throw new UsageError(`--public-key ${opts.publicKey} is not a readable JWK file`);
    }
    const agent = await withAdmin(io, opts.config, (admin) =>
      admin.registerPublicKey(idOrName, jwk, { graceMs }),
    );
    if (opts.json) printJson(io, { id: agent.id, rotated: 'public_key' });
    else
      io.stdout(
        `registered a new public key for ${agent.name}; older keys work for ${opts.grace ?? 'the grace period'}\n`,
      );
    return EXIT.ok;
  }
  const result = await withAdmin(io, opts.config, (admin) => admin.rotateSecret(idOrName, { graceMs }));
  if (opts.json)
    printJson(io, {
      id: result.agent.id,
      client_id: result.agent.id,
      client_secret: result.clientSecret,
      previous_expire_at: result.previousExpireAt.toISOString(),
    });
  else {
    io.stdout(`new client_secret for ${result.agent.name}: ${result.clientSecret}\n  (shown once)\n`);
    io.stdout(`  previous secrets stop working at ${result.previousExpireAt.toISOString()}\n`);
  }
  return EXIT.ok;
}

/** `gatehouse agents suspend|resume|quarantine|retire`. */
export async function agentsSetStatus(
  io: CliIo,
  idOrName: string,
  status: AgentStatus,
  opts: { json?: boolean; config?: string },
): Promise<number> {
  if (!AGENT_STATUSES.includes(status)) throw new UsageError(`unknown status ${status}`);
  const agent = await withAdmin(io, opts.config, (admin) => admin.setStatus(idOrName, status));
  if (opts.json) printJson(io, agentJson(agent));
  else
    io.stdout(
      `agent ${agent.name} is now ${agent.status}${status !== 'active' ? '; its tokens no longer work' : ''}\n`,
    );
  return EXIT.ok;
}

/** `gatehouse users create`: prints the personal API token once. */
export async function usersCreate(
  io: CliIo,
  opts: { email: string; roles: string; json?: boolean; config?: string },
): Promise<number> {
  const roles = splitList(opts.roles);
  const unknown = roles.filter((r) => !(USER_ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0)
    throw new UsageError(
      `--roles must be a comma list of ${USER_ROLES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    );
  if (!/^[^@\s]+@[^@\s]+$/.test(opts.email))
    throw new UsageError(`--email '${opts.email}' is not an email address`);
  const { user, token } = await withAdmin(io, opts.config, (admin) =>
    admin.createUser(opts.email, roles as UserRole[]),
  );
  if (opts.json) printJson(io, { id: user.id, email: user.email, roles: user.roles, token });
  else
    io.stdout(
      `created user ${user.email} (${user.roles.join(', ')})\n  id:    ${user.id}\n  token: ${token}\n  (shown once: store it now)\n`,
    );
  return EXIT.ok;
}

/** `gatehouse users rotate-token`: a new token, printed once; the old one stops working now. */
export async function usersRotateToken(
  io: CliIo,
  opts: { email: string; json?: boolean; config?: string },
): Promise<number> {
  const { user, token } = await withAdmin(io, opts.config, (admin) => admin.rotateUserToken(opts.email));
  if (opts.json) printJson(io, { id: user.id, email: user.email, token });
  else
    io.stdout(
      `new token for ${user.email}; the old one no longer works\n  token: ${token}\n  (shown once: store it now, or discard it to lock the user out)\n`,
    );
  return EXIT.ok;
}

/** `gatehouse users list`. */
export async function usersList(io: CliIo, opts: { json?: boolean; config?: string }): Promise<number> {
  const users = await withAdmin(io, opts.config, (_admin, store) => store.listUsers());
  const rows = users.map((u) => ({
    id: u.id,
    email: u.email,
    roles: u.roles,
    created_at: u.createdAt.toISOString(),
  }));
  if (opts.json) printJson(io, rows);
  else {
    if (rows.length === 0) io.stdout('no users\n');
    else io.stdout(`${'ID'.padEnd(28)}  ${'EMAIL'.padEnd(32)} ROLES\n`);
    for (const u of rows) io.stdout(`${u.id.padEnd(28)}  ${u.email.padEnd(32)} ${u.roles.join(', ')}\n`);
  }
  return EXIT.ok;
}

export const STATUS_COMMANDS: readonly [command: string, status: AgentStatus][] = [
  ['suspend', 'suspended'],
  ['resume', 'active'],
  ['quarantine', 'quarantined'],
  ['retire', 'retired'],
];
