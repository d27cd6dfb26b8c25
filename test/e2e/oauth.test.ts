import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentAdmin, loadConfig, type RunningServer, runCli, startServer } from '@gatehouse/server';
import fc from 'fast-check';
import {
  type CryptoKey,
  createRemoteJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The authorization server driven by oauth4webapi, a real OAuth client
 * library, over loopback HTTP — as an agent developer would use it.
 */

const dir = mkdtempSync(join(tmpdir(), 'gh-oauth-'));
const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
const insecure = { [oauth.allowInsecureRequests]: true } as const;
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

let server: RunningServer;
let as: oauth.AuthorizationServer;
let admin: AgentAdmin;
let idpKey: CryptoKey;
const configFile = join(dir, 'gatehouse.yaml');

beforeAll(async () => {
  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  const idp = await generateKeyPair('ES256');
  idpKey = idp.privateKey;
  writeFileSync(
    join(dir, 'idp-jwks.json'),
    JSON.stringify({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'ES256' }] }),
  );
  writeFileSync(
    configFile,
    [
      'policy: ./policy.yaml',
      'storage: { sqlite: ./state/gatehouse.db }',
      'server: { host: 127.0.0.1, port: 0 }',
      'identity:',
      '  maxDelegationDepth: 1',
      '  masterKeyFile: ./state/master.key',
      '  trustedIssuers:',
      '    - { issuer: https://login.example.test, jwksFile: ./idp-jwks.json, audience: gatehouse }',
      '',
    ].join('\n'),
  );
  server = await startServer(await loadConfig(configFile), { env: {} });
  admin = new AgentAdmin(server.store);
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }),
  );
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newAgent(grants: string[], extra: { publicJwk?: JWK } = {}) {
  const created = await admin.createAgent({
    name: `agent-${randomUUID().slice(0, 8)}`,
    owner: 'owner@example.com',
    grants,
    ...extra,
  });
  await server.identity.cache.refresh();
  return created;
}

async function clientCredentials(
  clientId: string,
  auth: oauth.ClientAuth,
  parameters: Record<string, string> = {},
) {
  const client: oauth.Client = { client_id: clientId };
  const response = await oauth.clientCredentialsGrantRequest(as, client, auth, parameters, insecure);
  return oauth.processClientCredentialsResponse(as, client, response);
}

async function exchange(clientId: string, secret: string, parameters: Record<string, string>) {
  const client: oauth.Client = { client_id: clientId };
  const response = await oauth.genericTokenEndpointRequest(
    as,
    client,
    oauth.ClientSecretBasic(secret),
    TOKEN_EXCHANGE,
    parameters,
    insecure,
  );
  return oauth.processGenericTokenEndpointResponse(as, client, response);
}

async function oauthError(promise: Promise<unknown>): Promise<{ error: string; status: number }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError) return { error: err.error, status: err.status };
    // A 401 with a Basic challenge (RFC 6749 §5.2) still carries the error body.
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      const body = (await err.response.json()) as { error: string };
      return { error: body.error, status: err.status };
    }
    throw err;
  }
  throw new Error('the request succeeded');
}

describe('discovery and JWKS', () => {
  it('serves RFC 8414 metadata that oauth4webapi accepts', () => {
    expect(as.issuer).toBe(server.url);
    expect(as.token_endpoint).toBe(`${server.url}/oauth/token`);
    expect(as.grant_types_supported).toContain(TOKEN_EXCHANGE);
    expect(as.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ]);
  });
});

describe('client credentials', () => {
  it('issues a token for a client secret (basic) that verifies against the JWKS as RFC 9068', async () => {
    const { clientId, clientSecret } = await newAgent(['email.*', 'orders_db.query']);
    const tokens = await clientCredentials(clientId, oauth.ClientSecretBasic(clientSecret!));
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(300);
    expect(tokens.scope).toBe('email.* orders_db.query');
    const { payload, protectedHeader } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(as.jwks_uri!)),
      {
        issuer: server.url,
        audience: server.url,
        typ: 'at+jwt',
      },
    );
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload).toMatchObject({ sub: clientId, client_id: clientId, scope: 'email.* orders_db.query' });
    // A resource server using oauth4webapi's RFC 9068 validation accepts it too.
    const request = new Request(`${server.url}/mcp/files`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, server.url, insecure);
    expect(claims.client_id).toBe(clientId);
  });

  it('narrows to requested scopes (post) and refuses scopes outside the grants', async () => {
    const { clientId, clientSecret } = await newAgent(['email.*']);
    const narrowed = await clientCredentials(clientId, oauth.ClientSecretPost(clientSecret!), {
      scope: 'email.send',
    });
    expect(narrowed.scope).toBe('email.send');
    expect(
      await oauthError(
        clientCredentials(clientId, oauth.ClientSecretPost(clientSecret!), {
          scope: 'email.send payments.transfer',
        }),
      ),
    ).toEqual({
      error: 'invalid_scope',
      status: 400,
    });
  });

  it('binds the token to a requested resource under the server, and refuses foreign ones', async () => {
    const { clientId, clientSecret } = await newAgent(['email.*']);
    const tokens = await clientCredentials(clientId, oauth.ClientSecretBasic(clientSecret!), {
      resource: `${server.url}/mcp/files`,
    });
    expect(decodeJwt(tokens.access_token).aud).toBe(`${server.url}/mcp/files`);
    expect(
      (
        await oauthError(
          clientCredentials(clientId, oauth.ClientSecretBasic(clientSecret!), {
            resource: 'https://evil.test/',
          }),
        )
      ).error,
    ).toBe('invalid_target');
  });

  it('refuses a wrong secret and an unknown client alike', async () => {
    const { clientId } = await newAgent(['email.*']);
    expect(await oauthError(clientCredentials(clientId, oauth.ClientSecretBasic('ghs_wrong')))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
    expect(await oauthError(clientCredentials('agt_nobody', oauth.ClientSecretBasic('ghs_wrong')))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
  });

  it('authenticates with private_key_jwt (RFC 7523) and refuses a replayed assertion', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const { clientId, clientSecret } = await newAgent(['email.read'], {
      publicJwk: await exportJWK(publicKey),
    });
    expect(clientSecret).toBeUndefined();
    const tokens = await clientCredentials(clientId, oauth.PrivateKeyJwt(privateKey));
    expect(decodeJwt(tokens.access_token).client_id).toBe(clientId);

    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(as.token_endpoint!)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const post = () =>
      fetch(as.token_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      });
    expect((await post()).status).toBe(200);
    const replay = await post();
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringContaining('replay'),
    });
  });

  it('refuses an assertion signed by another key or for another audience', async () => {
    const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const { clientId } = await newAgent(['email.read'], {
      publicJwk: await exportJWK(publicKey),
    });
    expect((await oauthError(clientCredentials(clientId, oauth.PrivateKeyJwt(other.privateKey)))).error).toBe(
      'invalid_client',
    );
    const wrongAudience = oauth.PrivateKeyJwt(other.privateKey, {
      [oauth.modifyAssertion]: (_h, p) => {
        p.aud = 'https://evil.test';
      },
    });
    expect((await oauthError(clientCredentials(clientId, wrongAudience))).error).toBe('invalid_client');
  });
});

describe('token exchange (RFC 8693)', () => {
  it('delegates to another agent with the intersection of scopes and a nested act claim', async () => {
    const a = await newAgent(['email.*', 'orders_db.query']);
    const b = await newAgent(['email.send', 'payments.*']);
    const aToken = (await clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const delegated = await exchange(b.clientId, b.clientSecret!, {
      subject_token: aToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(delegated.scope).toBe('email.send');
    expect(delegated.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    const claims = decodeJwt(delegated.access_token);
    expect(claims).toMatchObject({
      sub: a.clientId,
      client_id: b.clientId,
      act: { sub: b.clientId, act: { sub: a.clientId } },
      gh_depth: 1,
    });
    const identity = await server.identity.verifier.verify(delegated.access_token, { audience: server.url });
    expect(identity.delegationChain).toEqual([a.clientId, b.clientId]);
  });

  it('never mints a token in the name of an agent whose token was only presented as actor_token', async () => {
    const a = await newAgent(['email.*']);
    const b = await newAgent(['email.*', 'payments.*']);
    const aToken = (await clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const bToken = (await clientCredentials(b.clientId, oauth.ClientSecretBasic(b.clientSecret!)))
      .access_token;
    const impersonation = exchange(a.clientId, a.clientSecret!, {
      subject_token: aToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: bToken,
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    expect((await oauthError(impersonation)).error).toBe('invalid_grant');
  });

  it('gives an exchanged token no longer a life than its source, and revoking the source revokes it', async () => {
    const a = await newAgent(['email.*']);
    const b = await newAgent(['email.*']);
    const aToken = (await clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const aExp = decodeJwt(aToken).exp!;
    // Narrowing one's own token again and again never renews it.
    let narrowed = aToken;
    for (let i = 0; i < 3; i++) {
      narrowed = (
        await exchange(a.clientId, a.clientSecret!, {
          subject_token: narrowed,
          subject_token_type: ACCESS_TOKEN_TYPE,
        })
      ).access_token;
      expect(decodeJwt(narrowed).exp!).toBeLessThanOrEqual(aExp);
    }
    const delegated = (
      await exchange(b.clientId, b.clientSecret!, {
        subject_token: aToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
      })
    ).access_token;
    expect(decodeJwt(delegated).exp!).toBeLessThanOrEqual(aExp);
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(
        as,
        { client_id: a.clientId },
        oauth.ClientSecretBasic(a.clientSecret!),
        aToken,
        insecure,
      ),
    );
    await server.identity.cache.refresh();
    for (const derived of [narrowed, delegated])
      await expect(server.identity.verifier.verify(derived, { audience: server.url })).rejects.toMatchObject({
        code: 'GH_TOKEN_REVOKED',
      });
  });

  it('refuses an exchange that would widen scopes', async () => {
    const a = await newAgent(['email.read']);
    const b = await newAgent(['email.*', 'payments.*']);
    const aToken = (await clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const widened = exchange(b.clientId, b.clientSecret!, {
      subject_token: aToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      scope: 'email.send',
    });
    expect((await oauthError(widened)).error).toBe('invalid_scope');
  });

  it('refuses delegation deeper than the configured limit', async () => {
    const a = await newAgent(['email.*']);
    const b = await newAgent(['email.*']);
    const c = await newAgent(['email.*']);
    const aToken = (await clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const bToken = (
      await exchange(b.clientId, b.clientSecret!, {
        subject_token: aToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
      })
    ).access_token;
    const deeper = exchange(c.clientId, c.clientSecret!, {
      subject_token: bToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(await oauthError(deeper)).toEqual({ error: 'invalid_grant', status: 400 });
  });

  it("lets an agent act for a user from a trusted issuer, within the agent's grants", async () => {
    const agent = await newAgent(['email.*']);
    const userToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer('https://login.example.test')
      .setSubject('user:carol')
      .setAudience('gatehouse')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(idpKey);
    const onBehalf = await exchange(agent.clientId, agent.clientSecret!, {
      subject_token: userToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      scope: 'email.read',
    });
    expect(decodeJwt(onBehalf.access_token)).toMatchObject({
      sub: 'user:carol',
      client_id: agent.clientId,
      act: { sub: agent.clientId },
      scope: 'email.read',
    });
    const identity = await server.identity.verifier.verify(onBehalf.access_token, { audience: server.url });
    expect(identity.userSubject).toBe('user:carol');
    expect(identity.userEmail).toBeUndefined();

    // The user's email travels with the token, so approvals can tell the user from a voter.
    const withEmail = await exchange(agent.clientId, agent.clientSecret!, {
      subject_token: await new SignJWT({ email: 'Carol@Example.com', email_verified: true })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer('https://login.example.test')
        .setSubject('00u1carol')
        .setAudience('gatehouse')
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(idpKey),
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      scope: 'email.read',
    });
    expect(
      await server.identity.verifier.verify(withEmail.access_token, { audience: server.url }),
    ).toMatchObject({ userSubject: '00u1carol', userEmail: 'carol@example.com' });
    // Acting for the user lasts no longer than the user's own token (60 s here, not 5 min).
    expect(withEmail.expires_in).toBeLessThanOrEqual(60);

    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://login.example.test')
      .setSubject('user:mallory')
      .setAudience('gatehouse')
      .setExpirationTime('5m')
      .sign((await generateKeyPair('ES256')).privateKey);
    expect(
      (
        await oauthError(
          exchange(agent.clientId, agent.clientSecret!, {
            subject_token: forged,
            subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          }),
        )
      ).error,
    ).toBe('invalid_grant');
  });
});

describe('introspection and revocation', () => {
  it('introspects own tokens, hides others, and revokes at once', async () => {
    const a = await newAgent(['email.*']);
    const b = await newAgent(['email.*']);
    const client: oauth.Client = { client_id: a.clientId };
    const token = (await clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const introspect = async (clientId: string, secret: string, t: string) =>
      oauth.processIntrospectionResponse(
        as,
        { client_id: clientId },
        await oauth.introspectionRequest(
          as,
          { client_id: clientId },
          oauth.ClientSecretBasic(secret),
          t,
          insecure,
        ),
      );
    expect(await introspect(a.clientId, a.clientSecret!, token)).toMatchObject({
      active: true,
      client_id: a.clientId,
      scope: 'email.*',
    });
    expect(await introspect(b.clientId, b.clientSecret!, token)).toEqual({ active: false });

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(a.clientSecret!), token, insecure),
    );
    expect(await introspect(a.clientId, a.clientSecret!, token)).toEqual({ active: false });
    await expect(server.identity.verifier.verify(token, { audience: server.url })).rejects.toMatchObject({
      code: 'GH_TOKEN_REVOKED',
    });
  });
});

describe('lifecycle through the CLI, in force within a second', () => {
  const cli = (argv: string[]) =>
    runCli([...argv, '--config', configFile], {
      stdout: () => undefined,
      stderr: () => undefined,
      cwd: dir,
      env: {},
    });

  it('kills live tokens of a suspended agent, refuses new ones, and keeps old ones dead after resume', async () => {
    const a = await newAgent(['email.*']);
    const token = (await clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    expect(await cli(['agents', 'suspend', a.clientId])).toBe(0);
    await expect
      .poll(
        () =>
          server.identity.verifier.verify(token, { audience: server.url }).then(
            () => 'valid',
            (e: { code: string }) => e.code,
          ),
        // Bounds against a hang; the registry poll (250 ms) is what makes it prompt.
        { timeout: 10_000, interval: 20 },
      )
      .toBe('GH_AGENT_INACTIVE');
    expect(
      (await oauthError(clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))).error,
    ).toBe('invalid_client');
    expect(await cli(['agents', 'resume', a.clientId])).toBe(0);
    await expect
      .poll(
        () =>
          clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)).then(
            () => 'ok',
            () => 'refused',
          ),
        // Bounds against a hang; the registry poll (250 ms) is what makes it prompt.
        { timeout: 10_000, interval: 20 },
      )
      .toBe('ok');
    await expect(server.identity.verifier.verify(token, { audience: server.url })).rejects.toMatchObject({
      code: 'GH_TOKEN_REVOKED',
    });
  });

  it('rotates a secret: the old one keeps working in the grace period, and not with none', async () => {
    const a = await newAgent(['email.*']);
    const rotated = await admin.rotateSecret(a.clientId, { graceMs: 60 * 60_000 });
    await server.identity.cache.refresh();
    await clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!));
    await clientCredentials(a.clientId, oauth.ClientSecretBasic(rotated.clientSecret));
    const again = await admin.rotateSecret(a.clientId, { graceMs: 0 });
    await server.identity.cache.refresh();
    await clientCredentials(a.clientId, oauth.ClientSecretBasic(again.clientSecret));
    expect(
      (await oauthError(clientCredentials(a.clientId, oauth.ClientSecretBasic(rotated.clientSecret)))).error,
    ).toBe('invalid_client');
    expect(
      (await oauthError(clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))).error,
    ).toBe('invalid_client');
  });

  it('registers agents declared in the policy file', () => {
    expect(server.identity.cache.agent('email-assistant')).toMatchObject({
      source: 'policy',
      owner: 'alice@example.com',
    });
  });
});

describe('bad input at the token endpoint is an RFC error, never a 500', () => {
  const post = (
    body: string | Uint8Array,
    contentType = 'application/x-www-form-urlencoded',
    headers: Record<string, string> = {},
  ) =>
    fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body,
    });

  it.each([
    ['a JSON body', '{"grant_type":"client_credentials"}', 'application/json', 400, 'invalid_request'],
    ['no grant_type', 'client_id=x', undefined, 400, 'invalid_request'],
    [
      'an unknown grant_type',
      'grant_type=password&username=a&password=b',
      undefined,
      400,
      'unsupported_grant_type',
    ],
    [
      'a duplicated parameter',
      'grant_type=client_credentials&grant_type=client_credentials',
      undefined,
      400,
      'invalid_request',
    ],
    ['no client authentication', 'grant_type=client_credentials', undefined, 401, 'invalid_client'],
    [
      'an oversize body',
      `grant_type=client_credentials&pad=${'x'.repeat(20_000)}`,
      undefined,
      413,
      'invalid_request',
    ],
  ])('%s', async (_what, body, type, status, error) => {
    const response = await post(body, type);
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ error });
  });

  it('answers any body and content type with a 4xx JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.constantFrom(
          'application/x-www-form-urlencoded',
          'text/plain',
          'application/json',
          'multipart/form-data; boundary=x',
          '',
        ),
        fc.option(
          fc.string({ maxLength: 60 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
          { nil: undefined },
        ),
        async (body, type, authorization) => {
          const response = await post(body, type, authorization ? { authorization } : {});
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(typeof ((await response.json()) as { error?: unknown }).error).toBe('string');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never echoes a presented secret', async () => {
    const a = await newAgent(['email.*']);
    const response = await post(
      `grant_type=client_credentials&client_id=${a.clientId}&client_secret=ghs_not_the_secret_123`,
    );
    expect(await response.text()).not.toContain('ghs_not_the_secret_123');
  });
});
