import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll } from 'vitest';

/**
 * The authorization server driven by oauth4webapi, a real OAuth client
 * library, over loopback HTTP — as an agent developer would use it. One
 * server per test file, with a trusted user identity provider and a
 * delegation depth of 1.
 */

const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
export const insecure = { [oauth.allowInsecureRequests]: true } as const;
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The running server and what tests do with it; filled in by the file's beforeAll. */
export interface OAuthFixture {
  readonly dir: string;
  readonly configFile: string;
  server: RunningServer;
  as: oauth.AuthorizationServer;
  admin: AgentAdmin;
  /** Signs user tokens of the trusted issuer https://login.example.test (kid idp-1). */
  idpKey: CryptoKey;
  newAgent(grants: string[], extra?: { publicJwk?: JWK }): ReturnType<AgentAdmin['createAgent']>;
  clientCredentials(
    clientId: string,
    auth: oauth.ClientAuth,
    parameters?: Record<string, string>,
  ): Promise<oauth.TokenEndpointResponse>;
  exchange(
    clientId: string,
    secret: string,
    parameters: Record<string, string>,
  ): Promise<oauth.TokenEndpointResponse>;
}

/** Starts a server for the test file (beforeAll) and stops it after (afterAll). */
export function useOAuthServer(): OAuthFixture {
  const dir = mkdtempSync(join(tmpdir(), 'gh-oauth-'));
  const fx = {
    dir,
    configFile: join(dir, 'gatehouse.yaml'),
    async newAgent(grants: string[], extra: { publicJwk?: JWK } = {}) {
      const created = await fx.admin.createAgent({
        name: `agent-${randomUUID().slice(0, 8)}`,
        owner: 'owner@example.com',
        grants,
        ...extra,
      });
      await fx.server.identity.cache.refresh();
      return created;
    },
    async clientCredentials(
      clientId: string,
      auth: oauth.ClientAuth,
      parameters: Record<string, string> = {},
    ) {
      const client: oauth.Client = { client_id: clientId };
      const response = await oauth.clientCredentialsGrantRequest(fx.as, client, auth, parameters, insecure);
      return oauth.processClientCredentialsResponse(fx.as, client, response);
    },
    async exchange(clientId: string, secret: string, parameters: Record<string, string>) {
      const client: oauth.Client = { client_id: clientId };
      const response = await oauth.genericTokenEndpointRequest(
        fx.as,
        client,
        oauth.ClientSecretBasic(secret),
        TOKEN_EXCHANGE,
        parameters,
        insecure,
      );
      return oauth.processGenericTokenEndpointResponse(fx.as, client, response);
    },
  } as OAuthFixture;

  beforeAll(async () => {
    copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
    const idp = await generateKeyPair('ES256');
    fx.idpKey = idp.privateKey;
    writeFileSync(
      join(dir, 'idp-jwks.json'),
      JSON.stringify({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'ES256' }] }),
    );
    writeFileSync(
      fx.configFile,
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
    fx.server = await startServer(await loadConfig(fx.configFile), { env: {} });
    fx.admin = new AgentAdmin(fx.server.store);
    const issuer = new URL(fx.server.url);
    fx.as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }),
    );
  });

  afterAll(async () => {
    await fx.server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return fx;
}

/** The RFC 6749 §5.2 error a refused request carries, and its status. */
export async function oauthError(promise: Promise<unknown>): Promise<{ error: string; status: number }> {
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
