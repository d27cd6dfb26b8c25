import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTokenForm } from './tokens.js';

/**
 * Red-team findings at the token endpoint (issue 14 items 2 and 5): a client
 * secret padded with NULs, and failed logins that cost a scrypt each with
 * nothing to limit them.
 */

const dir = mkdtempSync(join(tmpdir(), 'gh-harden-oauth-'));
let server: RunningServer;
let admin: AgentAdmin;

beforeAll(async () => {
  writeFileSync(join(dir, 'policy.yaml'), 'version: 1\ntools:\n  email.send: { categories: [write] }\n');
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      'storage: { sqlite: ./state/gatehouse.db }',
      'server: { host: 127.0.0.1, port: 0 }',
      'identity: { masterKeyFile: ./state/master.key }',
      '',
    ].join('\n'),
  );
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), { env: {} });
  admin = new AgentAdmin(server.store);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newAgent() {
  const created = await admin.createAgent({
    name: `agent-${Math.random().toString(36).slice(2, 10)}`,
    owner: 'owner@example.com',
    grants: ['email.*'],
  });
  await server.identity.cache.refresh();
  return { clientId: created.clientId, secret: created.clientSecret! };
}

const postToken = (body: string, authorization?: string) => postTokenForm(server.url, body, authorization);

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('client secrets are compared exactly', () => {
  it.each([1, 2, 17])('refuses the secret followed by %i NUL bytes (post and basic)', async (nuls) => {
    const { clientId, secret } = await newAgent();
    const padded = secret + '\u0000'.repeat(nuls);
    const post = await postToken(
      `grant_type=client_credentials&client_id=${clientId}&client_secret=${encodeURIComponent(padded)}`,
    );
    expect(post.status).toBe(401);
    expect(((await post.json()) as { error: string }).error).toBe('invalid_client');
    const viaBasic = await postToken('grant_type=client_credentials', basic(clientId, padded));
    expect(viaBasic.status).toBe(401);
    // The exact secret still works, so the refusals above are about the padding.
    expect((await postToken('grant_type=client_credentials', basic(clientId, secret))).status).toBe(200);
  });

  it('refuses control characters, a longer or a shorter secret', async () => {
    const { clientId, secret } = await newAgent();
    for (const variant of [
      `${secret}\n`,
      `\u0000${secret}`,
      `${secret}A`,
      secret.slice(0, -1),
      `${secret} `,
    ]) {
      const response = await postToken('grant_type=client_credentials', basic(clientId, variant));
      expect(response.status).toBe(401);
    }
  });
});

describe('failed client logins are throttled', () => {
  it('refuses a client id with 429 and Retry-After after ten failures, without locking out its cached secret', async () => {
    const { clientId, secret } = await newAgent();
    // The holder of the secret logs in first: its verification is remembered.
    expect((await postToken('grant_type=client_credentials', basic(clientId, secret))).status).toBe(200);
    const wrong = `ghs_${'A'.repeat(43)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await postToken('grant_type=client_credentials', basic(clientId, wrong))).status);
    }
    expect(statuses).toEqual(Array(10).fill(401));
    const refused = await postToken('grant_type=client_credentials', basic(clientId, wrong));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_client');
    // An attacker failing against the id does not lock out the client holding the secret.
    expect((await postToken('grant_type=client_credentials', basic(clientId, secret))).status).toBe(200);
  });
});
