import {
  type ActorClaim,
  intersectScopes,
  narrowScopes,
  parseScope,
  type VerifiedIdentity,
  withinGrants,
} from '@gatehouse/core';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import type { AccessTokenIssuer } from '../identity/access-tokens.js';
import type { AgentRecord } from '../identity/identity-store.js';
import { OAuthError } from './oauth-error.js';

/** RFC 8693 §3 token type identifiers. */
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
} as const;
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** An external identity provider whose user tokens an agent may exchange to act for that user. */
export interface TrustedIssuer {
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
  /** The audience its tokens must carry to be accepted here. */
  readonly audience: string;
}

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  issued_token_type?: string;
}

/** What the token exchange needs of the authorization server. */
export interface TokenExchangeDeps {
  readonly issuer: AccessTokenIssuer;
  /** Verifies one of our own access tokens; refuses with invalid_grant naming `which`. */
  readonly verifyOwnToken: (token: string, which: string, now: Date) => Promise<VerifiedIdentity>;
  /** The agent, if active; refuses with invalid_grant otherwise. */
  readonly activeAgent: (agentId: string) => AgentRecord;
  readonly maxDelegationDepth: number;
  readonly trustedIssuers: readonly TrustedIssuer[];
}

/** The RFC 8693 grant of the authorization server: acting for a user, delegating, narrowing. */
export class TokenExchange {
  readonly #externalKeys: Map<string, { issuer: TrustedIssuer; keys: ReturnType<typeof createLocalJWKSet> }>;

  constructor(private readonly deps: TokenExchangeDeps) {
    this.#externalKeys = new Map(
      deps.trustedIssuers.map((t) => [t.issuer, { issuer: t, keys: createLocalJWKSet(t.jwks) }]),
    );
  }

  /**
   * RFC 8693 token exchange. The subject token is either a user's token from
   * a trusted issuer (the agent acts for that user) or one of our access
   * tokens (delegation to the actor, or narrowing one's own token). Scopes
   * can only narrow: never beyond the subject token's, nor the actor's grants.
   */
  async exchange(
    client: AgentRecord,
    form: Record<string, string>,
    audience: string,
    now: Date,
  ): Promise<TokenResponse> {
    const subjectToken = form.subject_token;
    const subjectType = form.subject_token_type;
    if (subjectToken === undefined || subjectType === undefined) {
      throw new OAuthError('invalid_request', 'subject_token and subject_token_type are required');
    }
    if (form.requested_token_type !== undefined && form.requested_token_type !== TOKEN_TYPE.accessToken) {
      throw new OAuthError('invalid_request', 'only access tokens can be requested');
    }
    let actor = client;
    let actorExpiresAt: Date | undefined;
    if (form.actor_token !== undefined) {
      if (form.actor_token_type !== TOKEN_TYPE.accessToken) {
        throw new OAuthError('invalid_request', `actor_token_type must be ${TOKEN_TYPE.accessToken}`);
      }
      const actorIdentity = await this.deps.verifyOwnToken(form.actor_token, 'actor_token', now);
      // The token goes to whoever asks, so the actor must be the one asking: presenting another
      // agent's token as actor_token would otherwise mint a token in that agent's name.
      if (actorIdentity.agentId !== client.id)
        throw new OAuthError('invalid_grant', 'the actor_token must be a token of the client itself');
      actor = this.deps.activeAgent(actorIdentity.agentId);
      actorExpiresAt = actorIdentity.expiresAt;
    } else if (form.actor_token_type !== undefined) {
      throw new OAuthError('invalid_request', 'actor_token_type without actor_token');
    }
    const requested = parseScope(form.scope);

    if (subjectType === TOKEN_TYPE.jwt || subjectType === TOKEN_TYPE.idToken) {
      // Acting for a user: the actor must be the client itself.
      if (actor.id !== client.id)
        throw new OAuthError('invalid_request', 'an actor_token is not used when acting for a user');
      const user = await this.verifyUserToken(subjectToken, now);
      const { granted, refused } = narrowScopes(requested, client.grants);
      if (refused.length > 0)
        throw new OAuthError('invalid_scope', `scope not within the agent's grants: ${refused.join(' ')}`);
      const issued = await this.deps.issuer.issue(
        {
          clientId: client.id,
          subject: user.sub,
          scopes: granted,
          audience,
          act: { sub: client.id },
          // Carried so that approvals can tell the user apart from the people voting.
          ...(user.email !== undefined && { email: user.email }),
          // Acting for a user lasts no longer than the user's own token.
          notAfter: earliest(user.expiresAt, actorExpiresAt),
        },
        now,
      );
      return exchangeResponse(issued);
    }
    if (subjectType !== TOKEN_TYPE.accessToken) {
      throw new OAuthError('unsupported_token_type', 'subject_token_type is not supported');
    }
    const subject = await this.deps.verifyOwnToken(subjectToken, 'subject_token', now);
    if (client.id !== subject.agentId && client.id !== actor.id) {
      throw new OAuthError(
        'invalid_grant',
        'the client is neither the holder of the subject token nor the actor',
      );
    }
    const depth = subject.claims.gh_depth ?? 0;
    if (actor.id === subject.agentId) {
      // Narrowing one's own token: same subject and chain, fewer scopes or another audience.
      const refused = requested.filter((s) => !withinGrants(s, subject.scopes));
      if (refused.length > 0)
        throw new OAuthError('invalid_scope', `scope would widen the subject token: ${refused.join(' ')}`);
      const scopes = requested.length > 0 ? requested : [...subject.scopes];
      const issued = await this.deps.issuer.issue(
        {
          clientId: actor.id,
          subject: subject.claims.sub,
          scopes,
          audience,
          depth,
          ...(subject.claims.act && { act: subject.claims.act }),
          ...(subject.claims.email !== undefined && { email: subject.claims.email }),
          // A narrowed token is never renewed by exchanging it, and dies with the one it came from.
          notAfter: earliest(subject.expiresAt, actorExpiresAt),
          root: subject.claims.gh_root ?? subject.claims.jti,
        },
        now,
      );
      return exchangeResponse(issued);
    }
    // Delegation to another agent.
    if (depth + 1 > this.deps.maxDelegationDepth) {
      throw new OAuthError(
        'invalid_grant',
        `delegation deeper than ${this.deps.maxDelegationDepth} is not allowed`,
      );
    }
    const shared = intersectScopes(subject.scopes, actor.grants);
    const scopes = requested.length > 0 ? requested : shared;
    const widened = scopes.filter((s) => !withinGrants(s, shared));
    if (widened.length > 0) {
      throw new OAuthError(
        'invalid_scope',
        `scope not shared by the delegator's token and the actor's grants: ${widened.join(' ')}`,
      );
    }
    if (scopes.length === 0)
      throw new OAuthError('invalid_scope', "the delegator's token and the actor's grants share no scope");
    const priorActors: ActorClaim = subject.claims.act ?? { sub: subject.agentId };
    const issued = await this.deps.issuer.issue(
      {
        clientId: actor.id,
        subject: subject.claims.sub,
        scopes,
        audience,
        act: { sub: actor.id, act: priorActors },
        depth: depth + 1,
        ...(subject.claims.email !== undefined && { email: subject.claims.email }),
        notAfter: earliest(subject.expiresAt, actorExpiresAt),
        root: subject.claims.gh_root ?? subject.claims.jti,
      },
      now,
    );
    return exchangeResponse(issued);
  }

  private async verifyUserToken(
    token: string,
    now: Date,
  ): Promise<{ sub: string; email?: string; expiresAt: Date }> {
    let iss: unknown;
    try {
      iss = (
        JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown }
      ).iss;
    } catch {
      throw new OAuthError('invalid_grant', 'subject_token is not a JWT');
    }
    const trusted = typeof iss === 'string' ? this.#externalKeys.get(iss) : undefined;
    if (!trusted) throw new OAuthError('invalid_grant', 'subject_token is not from a trusted issuer');
    try {
      const { payload } = await jwtVerify(token, trusted.keys, {
        issuer: trusted.issuer.issuer,
        audience: trusted.issuer.audience,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 5,
        currentDate: now,
        algorithms: ['EdDSA', 'ES256', 'RS256', 'PS256'],
      });
      // Only a verified address: an unverified one could name somebody else.
      const email =
        typeof payload.email === 'string' && payload.email_verified === true && payload.email.length <= 320
          ? payload.email.trim().toLowerCase()
          : undefined;
      return {
        sub: payload.sub!,
        ...(email !== undefined && { email }),
        expiresAt: new Date(payload.exp! * 1000),
      };
    } catch {
      throw new OAuthError('invalid_grant', 'subject_token could not be verified');
    }
  }
}

function exchangeResponse(issued: Awaited<ReturnType<AccessTokenIssuer['issue']>>): TokenResponse {
  return {
    access_token: issued.token,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    scope: issued.claims.scope,
    issued_token_type: TOKEN_TYPE.accessToken,
  };
}

/** The earlier of two times (either may be absent). */
function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() <= b.getTime() ? a : b;
}
