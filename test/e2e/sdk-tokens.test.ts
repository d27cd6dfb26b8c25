import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentTokenSource, createGuard } from '@gatehouse/sdk';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

/** The remote SDK fetches and renews its own tokens from the agent's credentials. */

const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gh-sdk-tokens-'));
let server: RunningServer;
let clientId: string;
let clientSecret: string;

beforeAll(async () => {
  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\nserver: { port: 0 }\n');
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), { env: {}, watch: false });
  const rotated = await new AgentAdmin(server.store).rotateSecret('email-assistant', { graceMs: 0 });
  clientId = rotated.agent.id;
  clientSecret = rotated.clientSecret;
  await server.identity.cache.refresh();
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** fetch, counting the token requests. */
function countingFetch() {
  const counted = { tokens: 0 };
  const wrapped: typeof fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith('/oauth/token')) counted.tokens++;
    return fetch(input, init);
  };
  return { counted, fetch: wrapped };
}

const read = { tool: 'email.read', args: { id: '1' } };

describe('createGuard with the agent credentials', () => {
  it('fetches a token once, reuses it, and renews it before it expires', async () => {
    const { counted, fetch } = countingFetch();
    const guard = createGuard({ server: server.url, clientId, clientSecret, fetch, approvalWaitMs: 0 });
    expect((await guard.check(read.tool, read.args)).status).toBe('allowed');
    expect((await guard.check(read.tool, read.args)).status).toBe('allowed');
    expect(counted.tokens).toBe(1);
    // Past the token's lifetime (five minutes): the guard renews instead of sending a dead token.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 6 * 60_000);
    expect((await guard.check(read.tool, read.args)).status).toBe('allowed');
    expect(counted.tokens).toBe(2);
  });

  it('fetches a new token at once when the server refuses the one it holds', async () => {
    const { counted, fetch } = countingFetch();
    const guard = createGuard({ server: server.url, clientId, clientSecret, fetch, approvalWaitMs: 0 });
    expect((await guard.check(read.tool, read.args)).status).toBe('allowed');
    // Suspending voids every live token; resuming does not revive them.
    const admin = new AgentAdmin(server.store);
    await admin.setStatus(clientId, 'suspended');
    await admin.setStatus(clientId, 'active');
    await server.identity.cache.refresh();
    // Tokens count in whole seconds: one issued in the second of the suspension is void too.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 1500);
    expect((await guard.check(read.tool, read.args)).status).toBe('allowed');
    expect(counted.tokens).toBe(2);
  });

  it('authenticates with a private key (private_key_jwt)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const created = await new AgentAdmin(server.store).createAgent({
      name: 'keyed-reader',
      owner: 'o@example.com',
      grants: ['email.read'],
      publicJwk: await exportJWK(publicKey),
    });
    await server.identity.cache.refresh();
    const guard = createGuard({
      server: server.url,
      clientId: created.clientId,
      privateKey,
      approvalWaitMs: 0,
    });
    expect((await guard.check(read.tool, read.args)).status).toBe('allowed');
  });

  it('denies, with the reason, when the credentials are refused', async () => {
    const guard = createGuard({ server: server.url, clientId, clientSecret: 'ghs_wrong', approvalWaitMs: 0 });
    const verdict = await guard.check(read.tool, read.args);
    expect(verdict).toMatchObject({ status: 'denied', code: 'decision-unavailable' });
    expect(verdict.status === 'denied' && verdict.reason).toMatch(
      /the token endpoint refused the agent's credentials: invalid_client/,
    );
  });

  it('refuses to send credentials over plain http to another host', () => {
    expect(() => agentTokenSource('http://gatehouse.example.com', { clientId, clientSecret })).toThrow(
      /only over https, or http to a loopback address/,
    );
    expect(() => agentTokenSource('http://127.0.0.1:4470', { clientId })).toThrow(/exactly one of/);
  });
});
