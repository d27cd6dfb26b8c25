import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AgentAdmin, openStore, type StorageConfig, verifyStoredAudit } from '@gatehouse/server';
import { afterAll, describe, expect, it } from 'vitest';
import { storeDialects, TEST_POSTGRES_URL } from '../../packages/server/src/testing/dialects.js';
import { clientCredentialsToken } from './tokens.js';

/**
 * The write-ahead rule under a crash: a server killed with SIGKILL while a
 * thousand calls a second flow loses no event it acknowledged, and the chain
 * verifies after a restart. A CLI in another process writes to the same log
 * meanwhile.
 */

const BIN = fileURLToPath(new URL('../../packages/server/dist/cli/main.js', import.meta.url));
const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
const { newSchema, cleanup } = storeDialects('gh-audit-crash');
const dirs: string[] = [];
afterAll(async () => {
  await cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `gatehouse serve` and resolves once it says it listens. */
async function serve(config: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('gatehouse listening on')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output.slice(-2000)}`)));
  });
  // Keep draining the request log so the child never blocks on a full pipe.
  child.stdout!.resume();
  return child;
}

const setups: [string, () => StorageConfig][] = [
  ['sqlite', () => ({ sqlite: './.gatehouse/gatehouse.db' })],
  ['postgres', () => ({ postgres: TEST_POSTGRES_URL, schema: newSchema() })],
];

describe.each(setups)('a SIGKILL under load on %s', (_dialect, storageFor) => {
  it('loses no acknowledged event, and the chain verifies after a restart', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-crash-'));
    dirs.push(dir);
    const port = await freePort();
    const storage = storageFor();
    copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
    const configFile = join(dir, 'gatehouse.yaml');
    writeFileSync(
      configFile,
      [
        'policy: ./policy.yaml',
        `storage: ${JSON.stringify(storage)}`,
        `server: { port: ${port} }`,
        // Limits far above the load: this test is about the audit, not the limiter.
        `rateLimits: { perAgent: { requests: 1000000, per: 1m }, perAgentTool: { requests: 1000000, per: 1m }${
          // Replicas on PostgreSQL share limits through Redis: SQL-backed limits cost two commits a call.
          'postgres' in storage ? ', redis: "redis://127.0.0.1:6379"' : ''
        } }`,
        'audit: { checkpoints: { every: 200, interval: 1s } }',
        '',
      ].join('\n'),
    );
    const storeConfig: StorageConfig =
      'sqlite' in storage ? { sqlite: join(dir, '.gatehouse', 'gatehouse.db') } : storage;
    const url = `http://127.0.0.1:${port}`;
    let child = await serve(configFile);

    const store = await openStore(storeConfig);
    const { agent, clientSecret } = await new AgentAdmin(store).rotateSecret('finance-agent', { graceMs: 0 });
    await store.close();
    // The server's registry cache picks the new secret up within a second.
    let token: string | undefined;
    for (let attempt = 0; attempt < 60 && !token; attempt++) {
      token = await clientCredentialsToken(url, agent.id, clientSecret).catch(() => undefined);
      if (!token) await new Promise((r) => setTimeout(r, 100));
    }
    expect(token).toBeDefined();

    // Calls kept in flight until the server has acknowledged a few hundred, then SIGKILL with
    // calls still in flight. Driven by acknowledgements, not by the clock: on a busy machine it
    // takes longer, and the claim (no acknowledged decision is lost) is the same.
    const acknowledged = new Set<string>();
    const inFlight = new Set<Promise<void>>();
    const call = (i: number) =>
      fetch(`${url}/access/v1/evaluation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          action: { name: 'tools/call' },
          resource: { type: 'tool', id: 'payments.transfer' },
          context: {
            args: { amount: (i % 900) + 1, to: 'ACME' },
            session_id: `crash-${i % 50}`,
            user_input: 'Pay ACME',
          },
        }),
      })
        .then(async (r) => {
          const body = (await r.json()) as { context?: { decision_id?: string } };
          if (r.ok && body.context?.decision_id) acknowledged.add(body.context.decision_id);
        })
        .catch(() => undefined);
    const cli = promisify(execFile)(
      process.execPath,
      [
        BIN,
        'agents',
        'create',
        '--name',
        'crash-extra',
        '--owner',
        'o@example.com',
        '--grants',
        'email.read',
        '--config',
        configFile,
      ],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    const ACKNOWLEDGED_BEFORE_KILL = 300;
    const IN_FLIGHT = 64;
    let sent = 0;
    let inFlightAtKill = 0;
    await new Promise<void>((resolve, reject) => {
      let stopped = false;
      const refill = () => {
        if (stopped) return;
        if (acknowledged.size >= ACKNOWLEDGED_BEFORE_KILL) {
          stopped = true;
          inFlightAtKill = inFlight.size;
          resolve();
          return;
        }
        // A server that acknowledges nothing would keep this loop going until the test times out.
        if (sent > 50 * ACKNOWLEDGED_BEFORE_KILL) {
          stopped = true;
          reject(new Error(`only ${acknowledged.size} of ${sent} calls were acknowledged`));
          return;
        }
        while (inFlight.size < IN_FLIGHT) {
          const p: Promise<void> = call(sent++).finally(() => {
            inFlight.delete(p);
            refill();
          });
          inFlight.add(p);
        }
      };
      refill();
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    await Promise.all(inFlight);
    await cli;
    expect(acknowledged.size).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
    // Calls were cut off mid-way: the crash happened under load, not after it.
    expect(inFlightAtKill).toBeGreaterThan(0);

    const after = await openStore(storeConfig);
    const recorded = new Set<string>();
    let agentCreated = false;
    for await (const row of after.streamAudit(1)) {
      const event = JSON.parse(row.text) as { type: string; decision_id?: string; what: { action?: string } };
      if (event.type === 'decision' && event.decision_id) recorded.add(event.decision_id);
      if (event.what.action === 'agent.created') agentCreated = true;
    }
    const lost = [...acknowledged].filter((id) => !recorded.has(id));
    expect(lost).toEqual([]);
    expect(agentCreated).toBe(true);
    expect(await verifyStoredAudit(after)).toMatchObject({ ok: true });
    await after.close();

    // Restarted, it goes on from where the chain ended.
    child = await serve(configFile);
    const response = await fetch(`${url}/access/v1/evaluation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        resource: { type: 'tool', id: 'payments.transfer' },
        context: { args: { amount: 1, to: 'ACME' }, user_input: 'Pay ACME' },
      }),
    });
    expect(await response.json()).toMatchObject({ decision: true });
    child.kill('SIGTERM');
    await once(child, 'exit');
    const final = await openStore(storeConfig);
    const verified = await verifyStoredAudit(final);
    expect(verified).toMatchObject({ ok: true });
    expect(verified.events).toBeGreaterThan(recorded.size);
    await final.close();
  });
});
