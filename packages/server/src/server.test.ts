import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config/load.js';
import { PolicyStartError, type RunningServer, startServer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-serve-'));
const QUICKSTART = new URL('../../../examples/quickstart/policy.yaml', import.meta.url);
const policyFile = join(dir, 'policy.yaml');
let server: RunningServer;

beforeAll(async () => {
  copyFileSync(QUICKSTART, policyFile);
  writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\nserver: { port: 0 }\n');
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), { env: {} });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('gatehouse serve', () => {
  it('listens on loopback and answers /healthz and /readyz with the loaded policy', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      policy: { hash: server.runtime.policy.hash, rules: 13, tools: 10 },
    });
    expect((await server.store.currentPolicyVersion())?.hash).toBe(server.runtime.policy.hash);
  });

  it('keeps the running policy when a change fails to compile, and loads a valid change', async () => {
    const original = server.runtime.policy.hash;
    const rejected = once(server.runtime, 'rejected');
    writeFileSync(policyFile, `${readFileSync(QUICKSTART, 'utf8')}\n  - id: broken\n    efect: deny\n`);
    const [diagnostics] = (await rejected) as [{ severity: string; message: string }[]];
    expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
    expect(server.runtime.policy.hash).toBe(original);
    expect((await get('/readyz')).body).toMatchObject({ policy: { hash: original } });

    const reloaded = once(server.runtime, 'reloaded');
    const changed = readFileSync(QUICKSTART, 'utf8').replace(
      'when: args.amount > 1000',
      'when: args.amount > 5000',
    );
    writeFileSync(policyFile, changed);
    await reloaded;
    const next = server.runtime.policy.hash;
    expect(next).not.toBe(original);
    expect((await get('/readyz')).body).toMatchObject({ policy: { hash: next } });
    await expect
      .poll(async () => (await server.store.currentPolicyVersion())?.hash, { timeout: 10_000, interval: 20 })
      .toBe(next);
  });
});

describe('gatehouse serve with a broken policy', () => {
  it('refuses to start and reports the diagnostics', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'gh-serve-bad-'));
    writeFileSync(join(broken, 'policy.yaml'), 'version: 1\nrules:\n  - id: x\n    efect: deny\n');
    writeFileSync(join(broken, 'gatehouse.yaml'), 'policy: ./policy.yaml\nserver: { port: 0 }\n');
    const error = await startServer(await loadConfig(join(broken, 'gatehouse.yaml')), { env: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PolicyStartError);
    expect((error as PolicyStartError).diagnostics.map((d) => d.message)).toContain(
      "unknown key 'efect' in rules[0] (did you mean 'effect'?)",
    );
    rmSync(broken, { recursive: true, force: true });
  });
});

describe('the request log', () => {
  const serveWithLog = async (level: 'info' | 'debug') => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logged = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), {
      env: {},
      watch: false,
      logger: { level, stream },
    });
    await fetch(`${logged.url}/healthz`);
    await logged.close();
    return lines.map((l) => JSON.parse(l) as { level: number; msg: string });
  };

  it('leaves requests out at info, and logs each at debug', async () => {
    const info = await serveWithLog('info');
    expect(info.some((l) => /request/.test(l.msg))).toBe(false);
    const debug = await serveWithLog('debug');
    expect(debug.filter((l) => l.msg === 'request completed')).toEqual([
      expect.objectContaining({
        level: 20,
        req: { method: 'GET', url: '/healthz' },
        res: { statusCode: 200 },
      }),
    ]);
  });
});
