import { randomUUID } from 'node:crypto';
import {
  type AccessTokenClaims,
  type ActorClaim,
  actorChain,
  formatScope,
  GatehouseError,
  parseScope,
  type VerifiedIdentity,
} from '@gatehouse/core';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { type KeyRing, SIGNING_ALG } from './signing-keys.js';

/** RFC 9068 §2.1: the media type of a JWT access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Default and hard maximum lifetimes of an access token, in seconds. */
export const DEFAULT_TOKEN_LIFETIME_S = 5 * 60;
export const MAX_TOKEN_LIFETIME_S = 60 * 60;

/** Clock skew tolerated when checking `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_S = 5;

/** Tokens whose signature was checked, remembered until they expire (bounded). */
const MAX_VERIFIED_TOKENS = 20_000;

/** What the issuer needs to mint a token. */
export interface TokenRequest {
  /** The agent (OAuth client) that will hold the token. */
  readonly clientId: string;
  /** The subject: the agent itself, or the user or agent it acts for. */
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly audience: string;
  readonly act?: ActorClaim;
  /** Delegation hops so far. */
  readonly depth?: number;
  readonly lifetimeS?: number;
  /** The email of the user the token acts for, when known. */
  readonly email?: string;
  /** The token is not to outlive this (the token it was exchanged from). */
  readonly notAfter?: Date;
  /** The jti of the token this one descends from by exchange: revoking that revokes this. */
  readonly root?: string;
}

/** A minted token. */
export interface IssuedToken {
  readonly token: string;
  readonly claims: AccessTokenClaims;
  readonly expiresIn: number;
}

/** Mints RFC 9068 access tokens signed by the current key of the ring. */
export class AccessTokenIssuer {
  constructor(
    private readonly keys: KeyRing,
    private readonly options: { issuer: string; lifetimeS?: number },
  ) {
    const lifetime = options.lifetimeS ?? DEFAULT_TOKEN_LIFETIME_S;
    if (lifetime <= 0 || lifetime > MAX_TOKEN_LIFETIME_S) {
      throw new GatehouseError(
        'GH_CONFIG_INVALID',
        `token lifetime must be between 1 and ${MAX_TOKEN_LIFETIME_S} seconds`,
      );
    }
  }

  /** Signs a token for the request; its lifetime never exceeds the configured one. */
  async issue(request: TokenRequest, now = new Date()): Promise<IssuedToken> {
    const configured = this.options.lifetimeS ?? DEFAULT_TOKEN_LIFETIME_S;
    const lifetime = Math.min(request.lifetimeS ?? configured, configured, MAX_TOKEN_LIFETIME_S);
    const { kid, key } = this.keys.signingKey(now);
    const iat = Math.floor(now.getTime() / 1000);
    const exp =
      request.notAfter === undefined
        ? iat + lifetime
        : Math.max(iat + 1, Math.min(iat + lifetime, Math.floor(request.notAfter.getTime() / 1000)));
    const claims: AccessTokenClaims = {
      iss: this.options.issuer,
      sub: request.subject,
      aud: request.audience,
      iat,
      exp,
      jti: randomUUID(),
      client_id: request.clientId,
      scope: formatScope(request.scopes),
      ...(request.act && { act: request.act }),
      ...(request.depth !== undefined && request.depth > 0 && { gh_depth: request.depth }),
      ...(request.email !== undefined && { email: request.email }),
      ...(request.root !== undefined && { gh_root: request.root }),
    };
    const token = await new SignJWT({ ...claims, aud: request.audience })
      .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYPE, kid })
      .sign(key);
    return { token, claims, expiresIn: exp - iat };
  }
}

/** Whether an agent may still use its tokens; the registry cache answers in memory. */
export interface AgentStatusSource {
  /** The agent's status and the time before which its tokens are void, or undefined if unknown. */
  tokenStatus(agentId: string): { status: string; tokensValidAfter?: Date } | undefined;
}

/** Revoked token ids; answered in memory. */
export interface RevocationSource {
  isRevoked(jti: string): boolean;
}

/** Why a token was refused; `code` is stable, `message` safe to show (never the token). */
export class TokenError extends GatehouseError {
  constructor(
    code: 'GH_TOKEN_INVALID' | 'GH_TOKEN_EXPIRED' | 'GH_TOKEN_REVOKED' | 'GH_AGENT_INACTIVE',
    message: string,
    /** The claim or header that failed, when one did. */
    readonly claim?: string,
  ) {
    super(code, message, { status: 401 });
  }
}

/**
 * The one place Gatehouse checks a bearer token (DESIGN §4). Every door —
 * decision API, gateway, introspection — calls `verify`.
 *
 * Checks, in order: header (`typ` at+jwt, `alg` EdDSA only — so `none` and
 * HS256-with-the-public-key are refused — and a published `kid`), signature,
 * `iss`, `aud`, `exp`/`nbf`/`iat` with small skew, required claims, then
 * revocation of the `jti` and the agent's status, both from memory.
 */
export class AccessTokenVerifier {
  /**
   * Tokens already verified, keyed by their exact text. An agent reuses its
   * token for every call of its lifetime; an Ed25519 check costs ~60-100 µs,
   * so it runs once per token, and each later use re-checks only what can
   * change: expiry, audience, revocation and agent status. A token altered
   * in any byte is a different key and is verified in full.
   */
  readonly #verified = new Map<string, AccessTokenClaims>();

  constructor(
    private readonly keys: KeyRing,
    private readonly options: {
      issuer: string;
      agents: AgentStatusSource;
      revocations: RevocationSource;
    },
  ) {}

  async verify(
    token: string,
    expected: { audience: string | readonly string[] },
    now = new Date(),
  ): Promise<VerifiedIdentity> {
    const known = this.#verified.get(token);
    const payload = known
      ? this.checkRemembered(known, expected.audience, now)
      : await this.verifySignedToken(token, expected, now);
    if (!known) this.remember(token, payload);
    return this.checkLiveState(payload);
  }

  /** Expiry and audience of a token whose signature was checked before. */
  private checkRemembered(
    payload: AccessTokenClaims,
    audience: string | readonly string[],
    now: Date,
  ): AccessTokenClaims {
    if (payload.exp * 1000 + CLOCK_TOLERANCE_S * 1000 <= now.getTime()) {
      throw new TokenError('GH_TOKEN_EXPIRED', 'the token has expired', 'exp');
    }
    if (payload.iat * 1000 > now.getTime() + CLOCK_TOLERANCE_S * 1000) {
      throw new TokenError('GH_TOKEN_INVALID', 'the token was issued in the future', 'iat');
    }
    const expected = typeof audience === 'string' ? [audience] : audience;
    const actual = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
    if (!actual.some((a) => expected.includes(a))) {
      throw new TokenError(
        'GH_TOKEN_INVALID',
        `token claim 'aud' is invalid: unexpected "aud" claim value`,
        'aud',
      );
    }
    return payload;
  }

  private remember(token: string, payload: AccessTokenClaims): void {
    if (this.#verified.size >= MAX_VERIFIED_TOKENS) {
      // Drop the oldest tenth (a Map iterates in insertion order).
      let drop = MAX_VERIFIED_TOKENS / 10;
      for (const key of this.#verified.keys()) {
        this.#verified.delete(key);
        if (--drop <= 0) break;
      }
    }
    this.#verified.set(token, payload);
  }

  /** Header, signature and claims: everything that cannot change during the token's life. */
  private async verifySignedToken(
    token: string,
    expected: { audience: string | readonly string[] },
    now: Date,
  ): Promise<AccessTokenClaims> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenError('GH_TOKEN_INVALID', 'the token is not a JWS compact serialization');
    }
    if (header.alg !== SIGNING_ALG) {
      throw new TokenError(
        'GH_TOKEN_INVALID',
        `token algorithm ${String(header.alg)} is not accepted`,
        'alg',
      );
    }
    if (
      typeof header.typ !== 'string' ||
      header.typ.toLowerCase().replace(/^application\//, '') !== ACCESS_TOKEN_TYPE
    ) {
      throw new TokenError(
        'GH_TOKEN_INVALID',
        'the token is not an access token (typ must be at+jwt)',
        'typ',
      );
    }
    const key = this.keys.verificationKey(header.kid, now);
    if (!key)
      throw new TokenError('GH_TOKEN_INVALID', 'the token was signed by an unknown or expired key', 'kid');

    let payload: AccessTokenClaims;
    try {
      const result = await jwtVerify(token, key, {
        issuer: this.options.issuer,
        audience: typeof expected.audience === 'string' ? expected.audience : [...expected.audience],
        algorithms: [SIGNING_ALG],
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: now,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope'],
        maxTokenAge: MAX_TOKEN_LIFETIME_S + CLOCK_TOLERANCE_S,
      });
      payload = result.payload as unknown as AccessTokenClaims;
    } catch (err) {
      throw translateJoseError(err);
    }
    if (
      typeof payload.client_id !== 'string' ||
      typeof payload.scope !== 'string' ||
      typeof payload.jti !== 'string'
    ) {
      throw new TokenError('GH_TOKEN_INVALID', 'the token has malformed claims');
    }
    if (payload.iat * 1000 > now.getTime() + CLOCK_TOLERANCE_S * 1000) {
      throw new TokenError('GH_TOKEN_INVALID', 'the token was issued in the future', 'iat');
    }
    return payload;
  }

  /** Revocation and agent status: what can change at any moment, checked on every use. */
  private checkLiveState(payload: AccessTokenClaims): VerifiedIdentity {
    if (
      this.options.revocations.isRevoked(payload.jti) ||
      (payload.gh_root !== undefined && this.options.revocations.isRevoked(payload.gh_root))
    ) {
      throw new TokenError('GH_TOKEN_REVOKED', 'the token has been revoked', 'jti');
    }
    const chain = actorChain(payload.act);
    // Every agent in the chain must still be active: quarantining a delegator
    // kills what it delegated.
    for (const agentId of new Set([payload.client_id, ...chain])) this.checkAgent(agentId, payload.iat);
    return {
      agentId: payload.client_id,
      ...(payload.sub !== payload.client_id && !chain.includes(payload.sub)
        ? { userSubject: payload.sub, ...(typeof payload.email === 'string' && { userEmail: payload.email }) }
        : {}),
      scopes: parseScope(payload.scope),
      delegationChain: chain,
      tokenId: payload.jti,
      expiresAt: new Date(payload.exp * 1000),
      claims: payload,
    };
  }

  private checkAgent(agentId: string, iat: number): void {
    const state = this.options.agents.tokenStatus(agentId);
    if (!state) throw new TokenError('GH_AGENT_INACTIVE', `agent ${agentId} is not registered`, 'client_id');
    if (state.status !== 'active')
      throw new TokenError('GH_AGENT_INACTIVE', `agent ${agentId} is ${state.status}`, 'client_id');
    // Second resolution: a token from the second of a suspension counts as before it.
    if (state.tokensValidAfter && iat * 1000 <= state.tokensValidAfter.getTime()) {
      throw new TokenError(
        'GH_TOKEN_REVOKED',
        `tokens of agent ${agentId} issued before ${state.tokensValidAfter.toISOString()} are void`,
        'iat',
      );
    }
  }
}

function translateJoseError(err: unknown): TokenError {
  if (err instanceof joseErrors.JWTExpired)
    return new TokenError('GH_TOKEN_EXPIRED', 'the token has expired', 'exp');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return new TokenError(
      'GH_TOKEN_INVALID',
      `token claim '${err.claim}' is invalid: ${err.reason}`,
      err.claim,
    );
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new TokenError('GH_TOKEN_INVALID', 'the token signature is invalid', 'signature');
  }
  if (err instanceof joseErrors.JOSEError)
    return new TokenError('GH_TOKEN_INVALID', `the token is invalid (${err.code})`);
  return new TokenError('GH_TOKEN_INVALID', 'the token is invalid');
}
