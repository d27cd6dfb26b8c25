import { randomUUID } from 'node:crypto';
import { runCli } from '@gatehouse/server';
import fc from 'fast-check';
import { createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { insecure, oauthError, TOKEN_EXCHANGE, useOAuthServer } from './oauth-fixture.js';

/** The authorization server through oauth4webapi: discovery, client credentials, introspection, revocation, lifecycle, bad input. */

const fx = useOAuthServer();

describe('discovery and JWKS', () => {
  it('serves RFC 8414 metadata that oauth4webapi accepts', () => {
    expect(fx.as.issuer).toBe(fx.server.url);
    expect(fx.as.token_endpoint).toBe(`${fx.server.url}/oauth/token`);
    expect(fx.as.grant_types_supported).toContain(TOKEN_EXCHANGE);
    expect(fx.as.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ]);
  });
});

describe('client credentials', () => {
  it('issues a token for a client secret (basic) that verifies against the JWKS as RFC 9068', async () => {
    const { clientId, clientSecret } = await fx.newAgent(['email.*', 'orders_db.query']);
    const tokens = await fx.clientCredentials(clientId, oauth.ClientSecretBasic(clientSecret!));
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(300);
    expect(tokens.scope).toBe('email.* orders_db.query');
    const { payload, protectedHeader } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(fx.as.jwks_uri!)),
      {
        issuer: fx.server.url,
        audience: fx.server.url,
        typ: 'at+jwt',
      },
    );
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload).toMatchObject({ sub: clientId, client_id: clientId, scope: 'email.* orders_db.query' });
    // A resource server using oauth4webapi's RFC 9068 validation accepts it too.
    const request = new Request(`${fx.server.url}/mcp/files`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(fx.as, request, fx.server.url, insecure);
    expect(claims.client_id).toBe(clientId);
  });

  it('narrows to requested scopes (post) and refuses scopes outside the grants', async () => {
    const { clientId, clientSecret } = await fx.newAgent(['email.*']);
    const narrowed = await fx.clientCredentials(clientId, oauth.ClientSecretPost(clientSecret!), {
      scope: 'email.send',
    });
    expect(narrowed.scope).toBe('email.send');
    expect(
      await oauthError(
        fx.clientCredentials(clientId, oauth.ClientSecretPost(clientSecret!), {
          scope: 'email.send payments.transfer',
        }),
      ),
    ).toEqual({
      error: 'invalid_scope',
      status: 400,
    });
  });

  it('binds the token to a requested resource under the server, and refuses foreign ones', async () => {
    const { clientId, clientSecret } = await fx.newAgent(['email.*']);
    const tokens = await fx.clientCredentials(clientId, oauth.ClientSecretBasic(clientSecret!), {
      resource: `${fx.server.url}/mcp/files`,
    });
    expect(decodeJwt(tokens.access_token).aud).toBe(`${fx.server.url}/mcp/files`);
    expect(
      (
        await oauthError(
          fx.clientCredentials(clientId, oauth.ClientSecretBasic(clientSecret!), {
            resource: 'https://evil.test/',
          }),
        )
      ).error,
    ).toBe('invalid_target');
  });

  it('refuses a wrong secret and an unknown client alike', async () => {
    const { clientId } = await fx.newAgent(['email.*']);
    expect(await oauthError(fx.clientCredentials(clientId, oauth.ClientSecretBasic('ghs_wrong')))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
    expect(
      await oauthError(fx.clientCredentials('agt_nobody', oauth.ClientSecretBasic('ghs_wrong'))),
    ).toEqual({
      error: 'invalid_client',
      status: 401,
    });
  });

  it('authenticates with private_key_jwt (RFC 7523) and refuses a replayed assertion', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const { clientId, clientSecret } = await fx.newAgent(['email.read'], {
      publicJwk: await exportJWK(publicKey),
    });
    expect(clientSecret).toBeUndefined();
    const tokens = await fx.clientCredentials(clientId, oauth.PrivateKeyJwt(privateKey));
    expect(decodeJwt(tokens.access_token).client_id).toBe(clientId);

    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(fx.as.token_endpoint!)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const post = () =>
      fetch(fx.as.token_endpoint!, {
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
    const { clientId } = await fx.newAgent(['email.read'], {
      publicJwk: await exportJWK(publicKey),
    });
    expect(
      (await oauthError(fx.clientCredentials(clientId, oauth.PrivateKeyJwt(other.privateKey)))).error,
    ).toBe('invalid_client');
    const wrongAudience = oauth.PrivateKeyJwt(other.privateKey, {
      [oauth.modifyAssertion]: (_h, p) => {
        p.aud = 'https://evil.test';
      },
    });
    expect((await oauthError(fx.clientCredentials(clientId, wrongAudience))).error).toBe('invalid_client');
  });
});

describe('introspection and revocation', () => {
  it('introspects own tokens, hides others, and revokes at once', async () => {
    const a = await fx.newAgent(['email.*']);
    const b = await fx.newAgent(['email.*']);
    const client: oauth.Client = { client_id: a.clientId };
    const token = (await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const introspect = async (clientId: string, secret: string, t: string) =>
      oauth.processIntrospectionResponse(
        fx.as,
        { client_id: clientId },
        await oauth.introspectionRequest(
          fx.as,
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
      await oauth.revocationRequest(fx.as, client, oauth.ClientSecretBasic(a.clientSecret!), token, insecure),
    );
    expect(await introspect(a.clientId, a.clientSecret!, token)).toEqual({ active: false });
    await expect(
      fx.server.identity.verifier.verify(token, { audience: fx.server.url }),
    ).rejects.toMatchObject({
      code: 'GH_TOKEN_REVOKED',
    });
  });
});

describe('lifecycle through the CLI, in force within a second', () => {
  const cli = (argv: string[]) =>
    runCli([...argv, '--config', fx.configFile], {
      stdout: () => undefined,
      stderr: () => undefined,
      cwd: fx.dir,
      env: {},
    });

  it('kills live tokens of a suspended agent, refuses new ones, and keeps old ones dead after resume', async () => {
    const a = await fx.newAgent(['email.*']);
    const token = (await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    expect(await cli(['agents', 'suspend', a.clientId])).toBe(0);
    await expect
      .poll(
        () =>
          fx.server.identity.verifier.verify(token, { audience: fx.server.url }).then(
            () => 'valid',
            (e: { code: string }) => e.code,
          ),
        // Bounds against a hang; the registry poll (250 ms) is what makes it prompt.
        { timeout: 10_000, interval: 20 },
      )
      .toBe('GH_AGENT_INACTIVE');
    expect(
      (await oauthError(fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))).error,
    ).toBe('invalid_client');
    expect(await cli(['agents', 'resume', a.clientId])).toBe(0);
    await expect
      .poll(
        () =>
          fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)).then(
            () => 'ok',
            () => 'refused',
          ),
        // Bounds against a hang; the registry poll (250 ms) is what makes it prompt.
        { timeout: 10_000, interval: 20 },
      )
      .toBe('ok');
    await expect(
      fx.server.identity.verifier.verify(token, { audience: fx.server.url }),
    ).rejects.toMatchObject({
      code: 'GH_TOKEN_REVOKED',
    });
  });

  it('rotates a secret: the old one keeps working in the grace period, and not with none', async () => {
    const a = await fx.newAgent(['email.*']);
    const rotated = await fx.admin.rotateSecret(a.clientId, { graceMs: 60 * 60_000 });
    await fx.server.identity.cache.refresh();
    await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!));
    await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(rotated.clientSecret));
    const again = await fx.admin.rotateSecret(a.clientId, { graceMs: 0 });
    await fx.server.identity.cache.refresh();
    await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(again.clientSecret));
    expect(
      (await oauthError(fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(rotated.clientSecret))))
        .error,
    ).toBe('invalid_client');
    expect(
      (await oauthError(fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))).error,
    ).toBe('invalid_client');
  });

  it('registers agents declared in the policy file', () => {
    expect(fx.server.identity.cache.agent('email-assistant')).toMatchObject({
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
    fetch(`${fx.server.url}/oauth/token`, {
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
    const a = await fx.newAgent(['email.*']);
    const response = await post(
      `grant_type=client_credentials&client_id=${a.clientId}&client_secret=ghs_not_the_secret_123`,
    );
    expect(await response.text()).not.toContain('ghs_not_the_secret_123');
  });
});
