import { decodeProtectedHeader, importJWK, errors as joseErrors, jwtVerify } from 'jose';
import { CLIENT_ASSERTION_ALGS } from '../identity/agent-admin.js';
import type { AgentRecord, IdentityStore } from '../identity/identity-store.js';
import type { RegistryCache } from '../identity/registry-cache.js';
import { credentialDigest, isWellFormedCredential, verifyCredential } from '../identity/secret-hash.js';
import { LoginThrottle } from './login-throttle.js';
import { OAuthError } from './oauth-error.js';

/** RFC 7523 §2.2: the client assertion type for `private_key_jwt`. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Longest accepted lifetime of a client assertion: it is meant for one request. */
const MAX_ASSERTION_LIFETIME_S = 5 * 60;
/** Verified secrets remembered in memory, so scrypt runs once per secret, not per request. */
const MAX_VERIFIED_SECRETS = 10_000;
/** How long a verified secret is remembered: briefly, so a cache never outlives a rotation by much. */
const VERIFIED_SECRET_TTL_MS = 10 * 60_000;

// A hash to verify against when the client is unknown, so that an unknown
// client_id costs the same time as a wrong secret and ids cannot be probed.
const DECOY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** How the client authenticated, for the audit and for `WWW-Authenticate`. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/**
 * Authenticates OAuth clients (agents) at the token, introspection and
 * revocation endpoints: `client_secret_basic`, `client_secret_post`, and
 * `private_key_jwt` (RFC 7523) with one-time `jti`.
 */
export class ClientAuthenticator {
  readonly #verifiedSecrets = new Map<string, { credentialId: string; until: number }>();
  readonly #throttle = new LoginThrottle();

  constructor(
    private readonly cache: RegistryCache,
    private readonly store: IdentityStore,
    /** Audiences a client assertion may name: the token endpoint URL and the issuer. */
    private readonly assertionAudiences: readonly string[],
  ) {}

  /** The authenticated, active agent; throws `invalid_client` otherwise. */
  async authenticate(
    form: Record<string, string>,
    authorization: string | undefined,
    now = new Date(),
    /** The caller's network address: failures are throttled per address too. */
    source?: string,
  ): Promise<{ agent: AgentRecord; method: ClientAuthMethod }> {
    const basic = authorization?.match(/^Basic\s+(\S+)\s*$/i);
    const methods = [
      basic !== null && basic !== undefined,
      form.client_secret !== undefined,
      form.client_assertion !== undefined,
    ].filter(Boolean).length;
    if (methods > 1) throw new OAuthError('invalid_request', 'use exactly one client authentication method');
    if (authorization !== undefined && !basic && !/^Bearer\s/i.test(authorization)) {
      throw new OAuthError('invalid_client', 'unsupported Authorization scheme');
    }
    let result: { agent: AgentRecord; method: ClientAuthMethod };
    if (basic) {
      const { clientId, secret } = decodeBasic(basic[1]!);
      result = {
        agent: await this.verifySecret(clientId, secret, now, source),
        method: 'client_secret_basic',
      };
    } else if (form.client_secret !== undefined) {
      if (form.client_id === undefined)
        throw new OAuthError('invalid_request', 'client_id is required with client_secret');
      result = {
        agent: await this.verifySecret(form.client_id, form.client_secret, now, source),
        method: 'client_secret_post',
      };
    } else if (form.client_assertion !== undefined) {
      if (form.client_assertion_type !== JWT_BEARER_ASSERTION) {
        throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
      }
      result = {
        agent: await this.verifyAssertion(form.client_assertion, form.client_id, now),
        method: 'private_key_jwt',
      };
    } else {
      throw new OAuthError('invalid_client', 'client authentication is required');
    }
    if (result.agent.status !== 'active') {
      throw new OAuthError('invalid_client', `the client is ${result.agent.status}`);
    }
    return result;
  }

  private async verifySecret(
    clientId: string,
    secret: string,
    now: Date,
    source: string | undefined,
  ): Promise<AgentRecord> {
    // Refused before any hashing, whoever the client: a secret of another
    // length or alphabet was never issued (and NUL padding would hash alike).
    // It costs no CPU, so it does not count against the throttle.
    if (!isWellFormedCredential(secret))
      throw new OAuthError('invalid_client', 'client authentication failed');
    const agent = this.cache.agent(clientId);
    const secrets =
      agent && agent.id === clientId
        ? this.cache.liveCredentials(agent.id, now).filter((c) => c.kind === 'secret')
        : [];
    const digest = credentialDigest(`${clientId}\u0000${secret}`);
    // A secret verified moments ago skips the throttle: an attacker failing
    // against a client id cannot lock out the client that holds the secret.
    const remembered = this.#verifiedSecrets.get(digest);
    if (
      remembered &&
      remembered.until > now.getTime() &&
      secrets.some((c) => c.id === remembered.credentialId)
    )
      return agent!;
    await this.#throttle.begin(clientId, source);
    for (const credential of secrets) {
      if (await verifyCredential(secret, credential.secretHash!)) {
        await this.#throttle.succeeded(clientId, source);
        if (this.#verifiedSecrets.size >= MAX_VERIFIED_SECRETS) this.#verifiedSecrets.clear();
        this.#verifiedSecrets.set(digest, {
          credentialId: credential.id,
          until: now.getTime() + VERIFIED_SECRET_TTL_MS,
        });
        return agent!;
      }
    }
    if (secrets.length === 0) await verifyCredential(secret, DECOY_HASH);
    throw new OAuthError('invalid_client', 'client authentication failed');
  }

  private async verifyAssertion(
    assertion: string,
    claimedClientId: string | undefined,
    now: Date,
  ): Promise<AgentRecord> {
    let clientId: string | undefined;
    try {
      decodeProtectedHeader(assertion);
      const payload = JSON.parse(
        Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8'),
      ) as { iss?: unknown };
      clientId = typeof payload.iss === 'string' ? payload.iss : undefined;
    } catch {
      throw new OAuthError('invalid_client', 'client_assertion is not a JWT');
    }
    if (clientId === undefined) throw new OAuthError('invalid_client', 'client_assertion has no iss');
    if (claimedClientId !== undefined && claimedClientId !== clientId) {
      throw new OAuthError('invalid_client', 'client_id does not match the assertion issuer');
    }
    const agent = this.cache.agent(clientId);
    const keys =
      agent && agent.id === clientId
        ? this.cache.liveCredentials(agent.id, now).filter((c) => c.kind === 'public_key')
        : [];
    if (keys.length === 0) throw new OAuthError('invalid_client', 'client authentication failed');
    for (const credential of keys) {
      const jwk = credential.publicJwk!;
      let payload: { jti?: unknown; exp?: unknown };
      try {
        const key = await importJWK(jwk, jwk.alg);
        ({ payload } = await jwtVerify(assertion, key, {
          issuer: clientId,
          subject: clientId,
          audience: [...this.assertionAudiences],
          algorithms: [...CLIENT_ASSERTION_ALGS],
          requiredClaims: ['exp', 'jti', 'iss', 'sub', 'aud'],
          clockTolerance: 5,
          currentDate: now,
        }));
      } catch (err) {
        if (err instanceof joseErrors.JWSSignatureVerificationFailed && keys.length > 1) continue;
        throw new OAuthError('invalid_client', `client_assertion rejected: ${describeJoseError(err)}`);
      }
      const exp = Number(payload.exp);
      if (exp * 1000 - now.getTime() > MAX_ASSERTION_LIFETIME_S * 1000) {
        throw new OAuthError(
          'invalid_client',
          `client_assertion must expire within ${MAX_ASSERTION_LIFETIME_S} seconds`,
        );
      }
      // RFC 7523 §3 item 7: a jti may be used once; remember it until the assertion expires.
      const fresh = await this.store.rememberAssertion(
        `${clientId}:${String(payload.jti)}`,
        new Date(exp * 1000 + 5000),
      );
      if (!fresh) throw new OAuthError('invalid_client', 'client_assertion was already used (jti replay)');
      return agent!;
    }
    throw new OAuthError('invalid_client', 'client authentication failed');
  }
}

function decodeBasic(encoded: string): { clientId: string; secret: string } {
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials');
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
  } catch {
    throw new OAuthError('invalid_client', 'malformed Basic credentials');
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim '${err.claim}' ${err.reason}`;
  if (err instanceof joseErrors.JWTExpired) return 'expired';
  if (err instanceof joseErrors.JOSEError) return err.code;
  return 'invalid';
}
