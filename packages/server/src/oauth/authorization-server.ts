import { narrowScopes, parseScope, type VerifiedIdentity } from '@gatehouse/core';
import type { AuditSink } from '../audit/audit-log.js';
import { actionDraft } from '../audit/drafts.js';
import { type AccessTokenIssuer, type AccessTokenVerifier, TokenError } from '../identity/access-tokens.js';
import { CLIENT_ASSERTION_ALGS } from '../identity/agent-admin.js';
import type { AgentRecord, IdentityStore } from '../identity/identity-store.js';
import type { RegistryCache } from '../identity/registry-cache.js';
import type { KeyRing } from '../identity/signing-keys.js';
import type { ClientAuthenticator } from './client-auth.js';
import { OAuthError } from './oauth-error.js';
import {
  TOKEN_EXCHANGE_GRANT,
  TokenExchange,
  type TokenResponse,
  type TrustedIssuer,
} from './token-exchange.js';

export {
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPE,
  type TokenResponse,
  type TrustedIssuer,
} from './token-exchange.js';

/** Settings of the authorization server. */
export interface AuthorizationServerOptions {
  /** Our issuer identifier: the server's base URL. */
  readonly issuer: string;
  /** Extra audiences (resource servers) tokens may be bound to, beyond URLs under the issuer. */
  readonly audiences: readonly string[];
  readonly maxDelegationDepth: number;
  readonly trustedIssuers: readonly TrustedIssuer[];
}

/**
 * The OAuth 2 authorization server of DESIGN §4: client credentials, RFC
 * 8693 token exchange (acting for a user, delegating to another agent),
 * introspection (RFC 7662) and revocation (RFC 7009).
 */
export class AuthorizationServer {
  readonly #lastSeenWrites = new Map<string, number>();
  readonly #exchange: TokenExchange;

  constructor(
    private readonly deps: {
      store: IdentityStore;
      cache: RegistryCache;
      keys: KeyRing;
      issuer: AccessTokenIssuer;
      verifier: AccessTokenVerifier;
      clients: ClientAuthenticator;
      /** Every token issued (and every refusal) is recorded; no token leaves unrecorded. */
      audit?: AuditSink;
    },
    readonly options: AuthorizationServerOptions,
  ) {
    this.#exchange = new TokenExchange({
      issuer: deps.issuer,
      verifyOwnToken: (token, which, now) => this.verifyOwnToken(token, which, now),
      activeAgent: (agentId) => this.activeAgent(agentId),
      maxDelegationDepth: options.maxDelegationDepth,
      trustedIssuers: options.trustedIssuers,
    });
  }

  get tokenEndpoint(): string {
    return `${this.options.issuer}/oauth/token`;
  }

  /** RFC 8414 authorization server metadata. */
  metadata(): Record<string, unknown> {
    const base = this.options.issuer;
    return {
      issuer: base,
      token_endpoint: this.tokenEndpoint,
      jwks_uri: `${base}/oauth/jwks`,
      introspection_endpoint: `${base}/oauth/introspect`,
      revocation_endpoint: `${base}/oauth/revoke`,
      grant_types_supported: ['client_credentials', TOKEN_EXCHANGE_GRANT],
      response_types_supported: ['token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
      introspection_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ],
      revocation_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ],
      access_token_signing_alg_values_supported: ['EdDSA'],
    };
  }

  /** POST /oauth/token. */
  async token(
    form: Record<string, string>,
    authorization: string | undefined,
    now = new Date(),
    /** The caller's network address, for the failed-login throttle. */
    source?: string,
  ): Promise<TokenResponse> {
    const grant = form.grant_type;
    if (grant === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
    if (grant !== 'client_credentials' && grant !== TOKEN_EXCHANGE_GRANT) {
      throw new OAuthError('unsupported_grant_type', `grant_type '${grant.slice(0, 100)}' is not supported`);
    }
    let agent: AgentRecord | undefined;
    let response: TokenResponse;
    try {
      ({ agent } = await this.deps.clients.authenticate(form, authorization, now, source));
      const audience = this.audienceOf(form);
      response =
        grant === 'client_credentials'
          ? await this.clientCredentials(agent, form, audience, now)
          : await this.#exchange.exchange(agent, form, audience, now);
    } catch (err) {
      if (err instanceof OAuthError && this.deps.audit) {
        await this.deps.audit
          .append(
            actionDraft({
              type: 'token',
              action: 'token.refused',
              outcome: 'denied',
              who: agent ? { agent: { id: agent.id, name: agent.name, owner: agent.owner } } : {},
              door: 'oauth',
              code: err.error,
              detail: err.description,
              extra: { grant_type: grant, ...(agent ? {} : { client_id: clientIdOf(form, authorization) }) },
            }),
          )
          .catch(() => undefined);
      }
      throw err;
    }
    await this.deps.audit?.append(
      actionDraft({
        type: 'token',
        action: grant === 'client_credentials' ? 'token.issued' : 'token.exchanged',
        outcome: 'succeeded',
        who: { agent: { id: agent.id, name: agent.name, owner: agent.owner } },
        door: 'oauth',
        extra: { scope: response.scope, expires_in: response.expires_in },
      }),
    );
    this.noteSeen(agent.id, now);
    return response;
  }

  /**
   * Records when an agent was last seen, at most once a minute per agent: a
   * durable write per token would make the store, not signing, the limit.
   */
  private noteSeen(agentId: string, now: Date): void {
    const last = this.#lastSeenWrites.get(agentId) ?? 0;
    if (now.getTime() - last < 60_000) return;
    this.#lastSeenWrites.set(agentId, now.getTime());
    void this.deps.store.touchAgent(agentId, now).catch(() => undefined);
  }

  private async clientCredentials(
    agent: AgentRecord,
    form: Record<string, string>,
    audience: string,
    now: Date,
  ): Promise<TokenResponse> {
    const { granted, refused } = narrowScopes(parseScope(form.scope), agent.grants);
    if (refused.length > 0)
      throw new OAuthError('invalid_scope', `scope not within the agent's grants: ${refused.join(' ')}`);
    const issued = await this.deps.issuer.issue(
      { clientId: agent.id, subject: agent.id, scopes: granted, audience },
      now,
    );
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: issued.claims.scope,
    };
  }

  /** POST /oauth/introspect (RFC 7662): an agent may introspect only its own tokens. */
  async introspect(
    form: Record<string, string>,
    authorization: string | undefined,
    now = new Date(),
    /** The caller's network address, for the failed-login throttle. */
    source?: string,
  ): Promise<Record<string, unknown>> {
    const { agent } = await this.deps.clients.authenticate(form, authorization, now, source);
    if (form.token === undefined) throw new OAuthError('invalid_request', 'token is required');
    let identity: VerifiedIdentity;
    try {
      identity = await this.deps.verifier.verify(form.token, { audience: this.allAudiences() }, now);
    } catch {
      return { active: false };
    }
    if (identity.agentId !== agent.id) return { active: false };
    const c = identity.claims;
    return {
      active: true,
      scope: c.scope,
      client_id: c.client_id,
      token_type: 'Bearer',
      sub: c.sub,
      aud: c.aud,
      iss: c.iss,
      exp: c.exp,
      iat: c.iat,
      jti: c.jti,
      ...(c.act && { act: c.act }),
    };
  }

  /** POST /oauth/revoke (RFC 7009): revokes a token the client holds; unknown tokens are not an error. */
  async revoke(
    form: Record<string, string>,
    authorization: string | undefined,
    now = new Date(),
    /** The caller's network address, for the failed-login throttle. */
    source?: string,
  ): Promise<void> {
    const { agent } = await this.deps.clients.authenticate(form, authorization, now, source);
    if (form.token === undefined) throw new OAuthError('invalid_request', 'token is required');
    if (
      form.token_type_hint !== undefined &&
      !['access_token', 'refresh_token'].includes(form.token_type_hint)
    ) {
      throw new OAuthError('unsupported_token_type', 'token_type_hint must be access_token');
    }
    let identity: VerifiedIdentity;
    try {
      identity = await this.deps.verifier.verify(form.token, { audience: this.allAudiences() }, now);
    } catch {
      return; // RFC 7009 §2.2: invalid tokens need no revocation.
    }
    if (identity.agentId !== agent.id)
      throw new OAuthError('unauthorized_client', 'the token was not issued to this client');
    await this.deps.store.revokeToken(identity.tokenId, identity.expiresAt);
    await this.deps.cache.refresh();
  }

  private async verifyOwnToken(token: string, which: string, now: Date): Promise<VerifiedIdentity> {
    try {
      return await this.deps.verifier.verify(token, { audience: this.allAudiences() }, now);
    } catch (err) {
      const why = err instanceof TokenError ? err.message : 'it is invalid';
      throw new OAuthError('invalid_grant', `${which} rejected: ${why}`);
    }
  }

  private activeAgent(agentId: string): AgentRecord {
    const agent = this.deps.cache.agent(agentId);
    if (agent?.status !== 'active') throw new OAuthError('invalid_grant', 'the actor is not an active agent');
    return agent;
  }

  /** RFC 8707 `resource` or RFC 8693 `audience`: our issuer, a URL under it, or a configured audience. */
  private audienceOf(form: Record<string, string>): string {
    if (form.resource !== undefined && form.audience !== undefined && form.resource !== form.audience) {
      throw new OAuthError('invalid_target', 'resource and audience disagree');
    }
    const target = form.resource ?? form.audience;
    if (target === undefined) return this.options.issuer;
    if (this.isOurAudience(target)) return target;
    throw new OAuthError(
      'invalid_target',
      'the requested resource is not served by this authorization server',
    );
  }

  private isOurAudience(target: string): boolean {
    return (
      target === this.options.issuer ||
      target.startsWith(`${this.options.issuer}/`) ||
      this.options.audiences.includes(target)
    );
  }

  /** Every audience one of our tokens may carry; used where any of ours is acceptable. */
  private allAudiences(): string[] {
    return [this.options.issuer, ...this.options.audiences];
  }

  /** Exposed for the JWKS route. */
  jwks(now = new Date()) {
    return this.deps.keys.jwks(now);
  }
}

/** The client id a refused request claimed, bounded: it is not authenticated. */
function clientIdOf(form: Record<string, string>, authorization: string | undefined): string | undefined {
  let id = form.client_id;
  const basic = authorization?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (id === undefined && basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    // Without the colon there is no id part, and the whole value may be a secret.
    if (decoded.includes(':')) id = decoded.slice(0, decoded.indexOf(':'));
  }
  return id !== undefined && /^[A-Za-z0-9_.-]{1,100}$/.test(id) ? id : undefined;
}
