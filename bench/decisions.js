/**
 * Decision bench (issues #4, #17):
 * 1. The AuthZEN decision API over loopback: `gatehouse serve` in its own
 *    process, load from this one, fixed concurrency; p50/p99 round trip,
 *    throughput and the server's CPU per request, beside a Fastify echo
 *    server with the same route and schema (bench/fastify-echo.js) in
 *    alternating rounds of the same run. Target: >= 40% of the echo's
 *    throughput at 16 in flight, every decision durable before its answer.
 * 2. In process: what the enforcement path adds to a bare `decide` per call
 *    (validation, rate limit, session, provenance), and a local-mode SDK check.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, decide, EnforcementPath, MemorySessionStore } from '@gatehouse/core';
import { createGuard } from '@gatehouse/sdk';
import { agentToken } from './agent-token.js';
import { processCpuMs, startServerProcess } from './server-process.js';

const RESULTS_FILE = new URL('./results/decisions.json', import.meta.url);
const BIN = new URL('../packages/server/dist/cli/main.js', import.meta.url).pathname;
const ECHO = new URL('./fastify-echo.js', import.meta.url).pathname;
const QUICKSTART = new URL('../examples/quickstart/policy.yaml', import.meta.url);

/** @param {{ quick: boolean }} options */
export async function run({ quick }) {
  const seconds = quick ? 1 : 4;
  const inProcess = await measureInProcess(quick ? 20_000 : 200_000);
  const api = await measureApi(seconds, quick ? 1 : 3);
  const summary = [1, 16].map((concurrency) => {
    const row = (server) => ({
      requests_per_s: medianOf(api, server, concurrency, 'requests_per_s'),
      p50_ms: medianOf(api, server, concurrency, 'p50_ms'),
      server_cpu_us_per_request: medianOf(api, server, concurrency, 'server_cpu_us_per_request'),
    });
    const gatehouse = row('gatehouse');
    const echo = row('fastify_echo');
    return {
      concurrency,
      gatehouse,
      fastify_echo: echo,
      throughput_ratio: Math.round((gatehouse.requests_per_s / echo.requests_per_s) * 100) / 100,
    };
  });
  const result = {
    bench: 'decisions',
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
    quick,
    api_summary: summary,
    api,
    in_process: inProcess,
  };
  console.log(
    '\ndecision API (AuthZEN, loopback; each server in its own process, load from this one; medians of alternating rounds):',
  );
  for (const row of summary) {
    const line = (name, r) =>
      `    ${name.padEnd(13)} ${fmt(r.requests_per_s)}/s, p50 ${r.p50_ms} ms, server CPU ${r.server_cpu_us_per_request} µs/request`;
    console.log(
      `  ${row.concurrency} in flight: Gatehouse at ${row.throughput_ratio} of the echo's throughput`,
    );
    console.log(line('Gatehouse', row.gatehouse));
    console.log(line('Fastify echo', row.fastify_echo));
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
  const text = readFileSync(QUICKSTART, 'utf8');
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

/**
 * The decision API against a Fastify echo server with the same route and schema, each in its
 * own process, in alternating rounds at 1 and 16 in flight: the machine is shared and drifts,
 * so only figures from the same run are compared.
 */
async function measureApi(seconds, rounds) {
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-decisions-'));
  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  // Limits high enough not to interfere with the load.
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    'policy: ./policy.yaml\nserver: { port: 0 }\nrateLimits:\n  perAgent: { requests: 1000000, per: 1m }\n  perAgentTool: { requests: 1000000, per: 1m }\n',
  );
  const servers = [];
  try {
    const gatehouse = await startServerProcess([
      BIN,
      'serve',
      '--config',
      join(dir, 'gatehouse.yaml'),
      '--port',
      '0',
    ]);
    servers.push(gatehouse.child);
    const echo = await startServerProcess([ECHO]);
    servers.push(echo.child);
    const access_token = await agentToken({ url: gatehouse.url, dir, agent: 'email-assistant' });
    const body = JSON.stringify({
      action: { name: 'tools/call' },
      resource: { type: 'tool', id: 'email.send' },
      // The user's words name the recipient: the quickstart asks a person for a recipient that
      // nothing vouches for, and the bench measures decisions, not approvals.
      context: {
        args: { to: ['bob@example.com'], subject: 'lunch', body: 'Friday?' },
        user_input: 'Ask bob@example.com about lunch on Friday',
      },
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${access_token}` };
    const targets = { gatehouse, fastify_echo: echo };
    const once = async (url) => {
      const started = performance.now();
      const response = await fetch(`${url}/access/v1/evaluation`, { method: 'POST', headers, body });
      const answer = await response.json();
      return { ok: response.status === 200 && answer.decision === true, ms: performance.now() - started };
    };
    for (const { url } of Object.values(targets)) for (let i = 0; i < 500; i++) await once(url);
    const rows = [];
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of [1, 16]) {
        for (const [name, { url, child }] of Object.entries(targets)) {
          const latencies = [];
          let errors = 0;
          const cpuBefore = processCpuMs(child.pid);
          const deadline = performance.now() + seconds * 1000;
          const started = performance.now();
          await Promise.all(
            Array.from({ length: concurrency }, async () => {
              while (performance.now() < deadline) {
                const r = await once(url);
                if (!r.ok) errors++;
                latencies.push(r.ms);
              }
            }),
          );
          const elapsed = (performance.now() - started) / 1000;
          const cpuMs = processCpuMs(child.pid) - cpuBefore;
          latencies.sort((a, b) => a - b);
          const at = (q) =>
            Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] * 1000) /
            1000;
          rows.push({
            server: name,
            round,
            concurrency,
            requests: latencies.length,
            requests_per_s: Math.round(latencies.length / elapsed),
            p50_ms: at(0.5),
            p99_ms: at(0.99),
            server_cpu_us_per_request: Math.round((cpuMs * 1000) / latencies.length),
            errors,
          });
        }
      }
    }
    return rows;
  } finally {
    for (const child of servers) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median of a field over the rounds of one server at one concurrency. */
function medianOf(rows, server, concurrency, field) {
  const values = rows
    .filter((r) => r.server === server && r.concurrency === concurrency)
    .map((r) => r[field])
    .sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
