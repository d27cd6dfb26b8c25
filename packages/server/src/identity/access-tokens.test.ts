import { randomBytes } from 'node:crypto';
import { base64url, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AccessTokenIssuer,
  AccessTokenVerifier,
  type AgentStatusSource,
  TokenError,
} from './access-tokens.js';
import { KeyRing, type SigningKeyRecord, type SigningKeyStore } from './signing-keys.js';

/** Signing keys held in memory; the SQL store has its own tests on both dialects. */
class MemoryKeyStore implements SigningKeyStore {
  records: SigningKeyRecord[] = [];
  async listSigningKeys() {
    return [...this.records];
  }
  async insertSigningKey(record: SigningKeyRecord) {
    this.records.push(record);
  }
  async deleteSigningKeysExpiredBefore(time: Date) {
    const before = this.records.length;
    this.records = this.records.filter((r) => r.expiresAt.getTime() > time.getTime());
    return before - this.records.length;
  }
}

const ISSUER = 'http://127.0.0.1:4470';
const AUDIENCE = 'http://127.0.0.1:4470';
const HOUR = 3_600_000;
const ROTATION = {
  rotationPeriodMs: 24 * HOUR,
  prePublishMs: HOUR,
  maxTokenLifetimeMs: HOUR,
  clockSkewMs: 5000,
};
const T0 = new Date('2026-03-01T00:00:00Z');

const agents = new Map<string, { status: string; tokensValidAfter?: Date }>();
const revoked = new Set<string>();
const agentSource: AgentStatusSource = { tokenStatus: (id) => agents.get(id) };

let ring: KeyRing;
let issuer: AccessTokenIssuer;
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  ring = await KeyRing.open(new MemoryKeyStore(), randomBytes(32), ROTATION, T0);
  issuer = new AccessTokenIssuer(ring, { issuer: ISSUER });
  verifier = new AccessTokenVerifier(ring, {
    issuer: ISSUER,
    agents: agentSource,
    revocations: { isRevoked: (j) => revoked.has(j) },
  });
  agents.set('agt_a', { status: 'active' });
  agents.set('agt_b', { status: 'active' });
});

const issue = (overrides: Partial<Parameters<AccessTokenIssuer['issue']>[0]> = {}, at = T0) =>
  issuer.issue(
    { clientId: 'agt_a', subject: 'agt_a', scopes: ['email.*'], audience: AUDIENCE, ...overrides },
    at,
  );

async function refusal(token: string, at = T0, audience = AUDIENCE): Promise<TokenError> {
  try {
    await verifier.verify(token, { audience }, at);
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return err as TokenError;
  }
  throw new Error('the token was accepted');
}

describe('access tokens', () => {
  it('issues an RFC 9068 token that verifies to the agent and its scopes', async () => {
    const { token, claims, expiresIn } = await issue();
    expect(expiresIn).toBe(300);
    expect(claims).toMatchObject({
      iss: ISSUER,
      sub: 'agt_a',
      aud: AUDIENCE,
      client_id: 'agt_a',
      scope: 'email.*',
    });
    expect(claims.exp - claims.iat).toBe(300);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    const identity = await verifier.verify(token, { audience: AUDIENCE }, new Date(T0.getTime() + 60_000));
    expect(identity).toMatchObject({ agentId: 'agt_a', scopes: ['email.*'], delegationChain: [] });
    expect(identity.userSubject).toBeUndefined();
  });

  it('caps the lifetime at the configured maximum, itself at most one hour', async () => {
    const { expiresIn } = await issue({ lifetimeS: 10 * 3600 });
    expect(expiresIn).toBe(300);
    expect(() => new AccessTokenIssuer(ring, { issuer: ISSUER, lifetimeS: 2 * 3600 })).toThrow(
      /between 1 and 3600/,
    );
  });

  it('records the delegation chain and the user from act and sub', async () => {
    const { token } = await issue({
      clientId: 'agt_b',
      subject: 'user:carol',
      act: { sub: 'agt_b', act: { sub: 'agt_a' } },
      depth: 1,
    });
    const identity = await verifier.verify(token, { audience: AUDIENCE }, T0);
    expect(identity).toMatchObject({
      agentId: 'agt_b',
      userSubject: 'user:carol',
      delegationChain: ['agt_a', 'agt_b'],
    });
    expect(identity.claims.gh_depth).toBe(1);
  });
});

describe('the verifier refuses', () => {
  it('an unsecured token (alg: none)', async () => {
    const token = new UnsecuredJWT({ client_id: 'agt_a', scope: '*', jti: 'x' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    expect(await refusal(token)).toMatchObject({ code: 'GH_TOKEN_INVALID', claim: 'alg' });
  });

  it('a token signed with HS256 using the public key as the secret', async () => {
    const jwk = ring.jwks(T0).keys[0]!;
    const token = await new SignJWT({ client_id: 'agt_a', scope: '*', jti: 'x' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid! })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(T0)
      .setExpirationTime(new Date(T0.getTime() + 300_000))
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expect(await refusal(token)).toMatchObject({ code: 'GH_TOKEN_INVALID', claim: 'alg' });
  });

  it('a token signed by a key that is not ours, even with our kid', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const kid = ring.jwks(T0).keys[0]!.kid!;
    const forged = await new SignJWT({ client_id: 'agt_a', scope: '*', jti: 'x', sub: 'agt_a' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(T0)
      .setExpirationTime(new Date(T0.getTime() + 300_000))
      .sign(privateKey);
    expect(await refusal(forged)).toMatchObject({ code: 'GH_TOKEN_INVALID', claim: 'signature' });
  });

  it('an unknown kid', async () => {
    const { token } = await issue();
    const [header, payload, signature] = token.split('.');
    const parsed = JSON.parse(Buffer.from(header!, 'base64url').toString());
    const other = base64url.encode(JSON.stringify({ ...parsed, kid: 'nope' }));
    expect(await refusal(`${other}.${payload}.${signature}`)).toMatchObject({ claim: 'kid' });
  });

  it('a JWT that is not an access token (typ)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(privateKey);
    expect(await refusal(token)).toMatchObject({ claim: 'typ' });
  });

  it('an expired token, and accepts one within the clock skew', async () => {
    const { token } = await issue();
    expect(await refusal(token, new Date(T0.getTime() + 306_000))).toMatchObject({
      code: 'GH_TOKEN_EXPIRED',
    });
    await expect(
      verifier.verify(token, { audience: AUDIENCE }, new Date(T0.getTime() + 303_000)),
    ).resolves.toBeDefined();
  });

  it('a token issued in the future (not yet valid)', async () => {
    const { token } = await issue({}, new Date(T0.getTime() + 60_000));
    expect(await refusal(token, T0)).toMatchObject({ code: 'GH_TOKEN_INVALID', claim: 'iat' });
  });

  it('a token for another audience', async () => {
    const { token } = await issue({ audience: 'http://127.0.0.1:4470/mcp/crm' });
    expect(await refusal(token, T0, 'http://127.0.0.1:4470/mcp/files')).toMatchObject({ claim: 'aud' });
  });

  it('a token from another issuer', async () => {
    const other = new AccessTokenIssuer(ring, { issuer: 'http://evil.test' });
    const { token } = await other.issue(
      { clientId: 'agt_a', subject: 'agt_a', scopes: [], audience: AUDIENCE },
      T0,
    );
    expect(await refusal(token)).toMatchObject({ claim: 'iss' });
  });

  it('a revoked token', async () => {
    const { token, claims } = await issue();
    revoked.add(claims.jti);
    expect(await refusal(token)).toMatchObject({ code: 'GH_TOKEN_REVOKED' });
  });

  it('the tokens of a suspended agent at once, and they stay void after it resumes', async () => {
    const { token } = await issue({ clientId: 'agt_b', subject: 'agt_b' });
    agents.set('agt_b', { status: 'suspended', tokensValidAfter: T0 });
    expect(await refusal(token)).toMatchObject({ code: 'GH_AGENT_INACTIVE' });
    agents.set('agt_b', { status: 'active', tokensValidAfter: T0 });
    expect(await refusal(token)).toMatchObject({ code: 'GH_TOKEN_REVOKED' });
    const { token: fresh } = await issue(
      { clientId: 'agt_b', subject: 'agt_b' },
      new Date(T0.getTime() + 2000),
    );
    await expect(
      verifier.verify(fresh, { audience: AUDIENCE }, new Date(T0.getTime() + 2000)),
    ).resolves.toBeDefined();
  });

  it('a delegated token when any agent of its chain is quarantined', async () => {
    agents.set('agt_q', { status: 'active' });
    agents.set('agt_c', { status: 'active' });
    const { token } = await issue({
      clientId: 'agt_c',
      subject: 'agt_q',
      act: { sub: 'agt_c', act: { sub: 'agt_q' } },
    });
    await expect(verifier.verify(token, { audience: AUDIENCE }, T0)).resolves.toBeDefined();
    agents.set('agt_q', { status: 'quarantined' });
    expect(await refusal(token)).toMatchObject({ code: 'GH_AGENT_INACTIVE' });
  });

  it('garbage, without echoing it', async () => {
    for (const junk of ['', 'a.b.c', 'not a token', `${'x'.repeat(10_000)}`]) {
      const err = await refusal(junk);
      expect(err.code).toBe('GH_TOKEN_INVALID');
      expect(err.message).not.toContain(junk.slice(0, 20) || '\u0000');
    }
  });
});

describe('the verified-token cache', () => {
  it('still refuses a remembered token once it expires, for another audience, or once revoked', async () => {
    const { token, claims } = await issue();
    await expect(verifier.verify(token, { audience: AUDIENCE }, T0)).resolves.toBeDefined();
    expect(await refusal(token, new Date(T0.getTime() + 306_000))).toMatchObject({
      code: 'GH_TOKEN_EXPIRED',
    });
    expect(await refusal(token, T0, 'http://127.0.0.1:4470/other')).toMatchObject({ claim: 'aud' });
    revoked.add(claims.jti);
    expect(await refusal(token, T0)).toMatchObject({ code: 'GH_TOKEN_REVOKED' });
  });

  it('verifies a token altered in one byte in full, and refuses it', async () => {
    const { token } = await issue({ scopes: ['email.read'] });
    await expect(verifier.verify(token, { audience: AUDIENCE }, T0)).resolves.toBeDefined();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const widened = base64url.encode(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), scope: '*' }),
    );
    expect(await refusal(`${header}.${widened}.${signature}`)).toMatchObject({ claim: 'signature' });
  });
});

describe('signing key rotation', () => {
  it('pre-publishes the next key, switches at retirement, and keeps old tokens verifiable', async () => {
    const store = new MemoryKeyStore();
    const keys = await KeyRing.open(store, randomBytes(32), ROTATION, T0);
    const iss = new AccessTokenIssuer(keys, { issuer: ISSUER, lifetimeS: 3600 });
    const ver = new AccessTokenVerifier(keys, {
      issuer: ISSUER,
      agents: agentSource,
      revocations: { isRevoked: () => false },
    });
    const first = keys.signingKey(T0).kid;
    expect(keys.jwks(T0).keys).toHaveLength(1);

    // An hour before retirement the next key appears in the JWKS but does not sign yet.
    const nearEnd = new Date(T0.getTime() + 23.5 * HOUR);
    await keys.rotate(nearEnd);
    expect(keys.jwks(nearEnd).keys.map((k) => k.kid)).toHaveLength(2);
    expect(keys.signingKey(nearEnd).kid).toBe(first);
    const late = await iss.issue(
      { clientId: 'agt_a', subject: 'agt_a', scopes: [], audience: AUDIENCE },
      nearEnd,
    );

    // After retirement the new key signs; a token of the old key still verifies until it expires.
    const after = new Date(T0.getTime() + 24.25 * HOUR);
    await keys.rotate(after);
    expect(keys.signingKey(after).kid).not.toBe(first);
    await expect(ver.verify(late.token, { audience: AUDIENCE }, after)).resolves.toMatchObject({
      agentId: 'agt_a',
    });

    // Once every token the old key signed has expired, it leaves the JWKS and the store.
    const gone = new Date(T0.getTime() + 25.1 * HOUR);
    await keys.rotate(gone);
    expect(keys.jwks(gone).keys.map((k) => k.kid)).not.toContain(first);
    expect(store.records.map((r) => r.kid)).not.toContain(first);
  });

  it('stores private keys only encrypted, and another process with the master key can sign', async () => {
    const store = new MemoryKeyStore();
    const master = randomBytes(32);
    const a = await KeyRing.open(store, master, ROTATION, T0);
    const record = store.records[0]!;
    expect(JSON.stringify(record)).not.toMatch(/"d":/);
    expect(record.privateJwe.split('.')).toHaveLength(5);
    const b = await KeyRing.open(store, master, ROTATION, T0);
    expect(b.signingKey(T0).kid).toBe(a.signingKey(T0).kid);
    await expect(KeyRing.open(store, randomBytes(32), ROTATION, T0)).rejects.toThrow();
  });

  it('publishes only public key material', async () => {
    const jwks = ring.jwks(T0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
    // The exported public key of a fresh pair has the same shape.
    const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expect(Object.keys(await exportJWK(publicKey)).sort()).toEqual(['crv', 'kty', 'x']);
  });
});
