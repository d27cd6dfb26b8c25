/**
 * Decision bench (issue #4):
 * 1. The AuthZEN decision API over loopback: `gatehouse serve` in its own
 *    process, load from this one (two cores: one each), fixed concurrency;
 *    p50/p99 round trip and throughput.
 * 2. In process: what the enforcement path adds to a bare `decide` per call
 *    (validation, rate limit, session, provenance), and a local-mode SDK check.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, decide, EnforcementPath, MemorySessionStore } from '@gatehouse/core';
import { createGuard } from '@gatehouse/sdk';
import { agentToken } from './agent-token.js';

const RESULTS_FILE = new URL('./results/decisions.json', import.meta.url);
const BIN = new URL('../packages/server/dist/cli/main.js', import.meta.url).pathname;
const QUICKSTART = new URL('../examples/quickstart/policy.yaml', import.meta.url);

/** @param {{ quick: boolean }} options */
export async function run({ quick }) {
  const seconds = quick ? 1 : 5;
  const inProcess = await measureInProcess(quick ? 20_000 : 200_000);
  const api = await measureApi(seconds);
  const result = {
    bench: 'decisions',
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
    quick,
    api,
    in_process: inProcess,
  };
  console.log(
    '\ndecision API (AuthZEN, loopback; server and load generator in separate processes on 2 cores):',
  );
  for (const row of api) {
    console.log(
      `  ${String(row.concurrency).padStart(3)} in flight: ${fmt(row.requests_per_s)} decisions/s, p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms, errors ${row.errors}`,
    );
  }
  console.log('in process, per call (mean):');
  console.log(`  decide alone            ${inProcess.decide_us} µs`);
  console.log(
    `  enforcement path        ${inProcess.path_us} µs  (adds ${inProcess.path_added_us} µs: validation, session, provenance)`,
  );
  console.log(`  SDK guard.check (local) ${inProcess.guard_check_us} µs`);
  await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
  return { ok: api.every((r) => r.errors === 0) };
}

async function measureInProcess(iterations) {
  const text = (await import('node:fs')).readFileSync(QUICKSTART, 'utf8');
  const policy = compilePolicy({ name: 'policy.yaml', text });
  const agent = policy.agents.get('email-assistant');
  const args = { to: ['bob@example.com'], subject: 'lunch', body: 'Friday at noon?' };
  const request = { agent, tool: 'email.send', args };
  const time = async (fn) => {
    for (let i = 0; i < 5000; i++) await fn();
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    return Number(process.hrtime.bigint() - started) / iterations / 1000;
  };
  const decideUs = await time(() => decide(policy, request));
  let n = 0;
  const path = new EnforcementPath({ sessions: new MemorySessionStore(), newId: (p) => `${p}_${++n}` });
  const pathUs = await time(() => path.enforce(policy, { ...request, sessionId: 'bench' }));
  const guard = createGuard({ policy, agent: 'email-assistant' });
  const guardUs = await time(() => guard.check('email.send', args));
  const round = (v) => Math.round(v * 100) / 100;
  return {
    iterations,
    decide_us: round(decideUs),
    path_us: round(pathUs),
    path_added_us: round(pathUs - decideUs),
    guard_check_us: round(guardUs),
  };
}

async function measureApi(seconds) {
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-decisions-'));
  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  // Limits high enough not to interfere with the load.
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    'policy: ./policy.yaml\nserver: { port: 0 }\nrateLimits:\n  perAgent: { requests: 1000000, per: 1m }\n  perAgentTool: { requests: 1000000, per: 1m }\n',
  );
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--config', join(dir, 'gatehouse.yaml'), '--port', '0'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) {
          // From here on the server's log is drained, not kept.
          child.stdout.removeAllListeners('data');
          child.stdout.resume();
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`gatehouse serve exited with ${code}`)));
    });
    const access_token = await agentToken({ url, dir, agent: 'email-assistant' });
    const body = JSON.stringify({
      action: { name: 'tools/call' },
      resource: { type: 'tool', id: 'email.send' },
      context: { args: { to: ['bob@example.com'], subject: 'lunch', body: 'Friday?' } },
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${access_token}` };
    const once = async () => {
      const started = performance.now();
      const response = await fetch(`${url}/access/v1/evaluation`, { method: 'POST', headers, body });
      const answer = await response.json();
      return { ok: response.status === 200 && answer.decision === true, ms: performance.now() - started };
    };
    for (let i = 0; i < 500; i++) await once();
    const rows = [];
    for (const concurrency of [1, 16]) {
      const latencies = [];
      let errors = 0;
      const deadline = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            const r = await once();
            if (!r.ok) errors++;
            latencies.push(r.ms);
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const at = (q) =>
        Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] * 1000) / 1000;
      rows.push({
        concurrency,
        requests: latencies.length,
        requests_per_s: Math.round(latencies.length / elapsed),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        errors,
      });
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
