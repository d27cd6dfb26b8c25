/**
 * Gateway bench (issue #7): the latency the MCP gateway adds to a tool call.
 *
 * `server-everything` runs over Streamable HTTP in its own process and
 * `gatehouse serve` in another, fronting it; this process is the agent, with
 * the official MCP SDK client. The same `echo` call goes to the upstream
 * directly and through `/mcp/everything`, in alternating rounds of the same
 * run:
 *   - open loop at a fixed rate (1,000 calls/s by default): latency from each
 *     call's scheduled start, so queueing counts (no coordinated omission);
 *   - one call in flight: the bare cost of one pass along the path.
 * Added latency = gateway percentile − direct percentile.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { agentToken } from './agent-token.js';

const RESULTS_FILE = new URL('./results/gateway.json', import.meta.url);
const BIN = fileURLToPath(new URL('../packages/server/dist/cli/main.js', import.meta.url));
const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);
const LOOPBACK = fileURLToPath(new URL('../test/support/loopback-listen.mjs', import.meta.url));
const RATE = Number(process.env.GH_BENCH_GATEWAY_RATE ?? 1000);
/** A rate this machine sustains through the gateway, for the added latency without a queue. */
const LOW_RATE = Number(process.env.GH_BENCH_GATEWAY_LOW_RATE ?? 150);

const POLICY = `version: 1
agents:
  bench-agent:
    owner: bench@example.com
    grants: [everything.echo]
`;

/** @param {{ quick: boolean }} options */
export async function run({ quick }) {
  const roundSeconds = quick ? 1 : 5;
  const rounds = quick ? 1 : 2;
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-gateway-'));
  const children = [];
  try {
    const port = await freePort();
    const everything = spawn(process.execPath, ['--import', LOOPBACK, EVERYTHING, 'streamableHttp'], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(everything);
    await waitFor(everything.stderr, /listening on port/i);
    const upstreamUrl = `http://127.0.0.1:${port}/mcp`;

    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    writeFileSync(
      join(dir, 'gatehouse.yaml'),
      [
        'policy: ./policy.yaml',
        'server: { port: 0 }',
        'rateLimits:',
        '  perAgent: { requests: 1000000, per: 1m }',
        '  perAgentTool: { requests: 1000000, per: 1m }',
        'upstreams:',
        '  everything:',
        `    url: ${upstreamUrl}`,
        '    tools:',
        '      echo: { categories: [read] }',
        '',
      ].join('\n'),
    );
    const gatehouse = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'gatehouse.yaml')], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(gatehouse);
    const url = (await waitFor(gatehouse.stdout, /listening on (http:\/\/\S+)/))[1];

    const access_token = await agentToken({
      url,
      dir,
      agent: 'bench-agent',
      resource: `${url}/mcp/everything`,
    });

    const direct = await connect(upstreamUrl);
    const gateway = await connect(`${url}/mcp/everything`, access_token);
    const failures = new Map();
    const echo = (client) => async () => {
      try {
        const result = await client.callTool({ name: 'echo', arguments: { message: 'bench' } });
        if (result.isError === true)
          failures.set(
            result.content?.[0]?.text?.slice(0, 120),
            (failures.get(result.content?.[0]?.text?.slice(0, 120)) ?? 0) + 1,
          );
        return result.isError !== true;
      } catch (err) {
        failures.set(
          String(err?.message).slice(0, 120),
          (failures.get(String(err?.message).slice(0, 120)) ?? 0) + 1,
        );
        throw err;
      }
    };
    const targets = { direct: echo(direct), gateway: echo(gateway) };
    // Warm both: connections, JIT, the gateway's pins and session.
    for (let i = 0; i < 300; i++) for (const call of Object.values(targets)) await call();

    const sequential = { direct: [], gateway: [] };
    const openLoop = { direct: [], gateway: [] };
    const openLow = { direct: [], gateway: [] };
    let errors = 0;
    // Failures while the machine is past saturation (the rate) are reported, not fatal.
    let saturatedErrors = 0;
    for (let round = 0; round < rounds; round++) {
      for (const name of ['direct', 'gateway']) {
        const seq = await closedLoop(targets[name], quick ? 300 : 2000);
        sequential[name].push(...seq.latencies);
        errors += seq.errors;
        const low = await fixedRate(targets[name], LOW_RATE, roundSeconds);
        openLow[name].push(...low.latencies);
        errors += low.errors;
        const open = await fixedRate(targets[name], RATE, roundSeconds);
        openLoop[name].push(...open.latencies);
        saturatedErrors += open.errors;
      }
    }
    // Capacity: 16 calls in flight, as fast as each side answers.
    const throughput = {};
    for (const name of ['direct', 'gateway']) {
      const deadline = performance.now() + roundSeconds * 1000;
      const started = performance.now();
      let calls = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (performance.now() < deadline) {
            if (!(await targets[name]())) errors++;
            calls++;
          }
        }),
      );
      throughput[name] = Math.round(calls / ((performance.now() - started) / 1000));
    }
    await direct.close();
    await gateway.close();

    const summary = (latencies) => ({
      calls: latencies.length,
      p50_ms: pct(latencies, 0.5),
      p99_ms: pct(latencies, 0.99),
    });
    const rows = {
      one_in_flight: { direct: summary(sequential.direct), gateway: summary(sequential.gateway) },
      [`open_loop_${LOW_RATE}_per_s`]: { direct: summary(openLow.direct), gateway: summary(openLow.gateway) },
      [`open_loop_${RATE}_per_s`]: { direct: summary(openLoop.direct), gateway: summary(openLoop.gateway) },
    };
    for (const row of Object.values(rows)) {
      row.added_p50_ms = round3(row.gateway.p50_ms - row.direct.p50_ms);
      row.added_p99_ms = round3(row.gateway.p99_ms - row.direct.p99_ms);
    }
    const result = {
      bench: 'gateway',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      date: new Date().toISOString(),
      quick,
      rate_per_s: RATE,
      errors,
      errors_past_saturation: saturatedErrors,
      calls_per_s_16_in_flight: throughput,
      ...rows,
    };
    console.log(
      '\nMCP gateway: server-everything echo, direct vs through /mcp/everything (3 processes, 2 cores):',
    );
    for (const [name, row] of Object.entries(rows)) {
      console.log(
        `  ${name.padEnd(20)} direct p50 ${row.direct.p50_ms} ms, p99 ${row.direct.p99_ms} ms | gateway p50 ${row.gateway.p50_ms} ms, p99 ${row.gateway.p99_ms} ms | added p50 ${row.added_p50_ms} ms, p99 ${row.added_p99_ms} ms`,
      );
    }
    console.log(
      `  capacity, 16 in flight: direct ${throughput.direct} calls/s, gateway ${throughput.gateway} calls/s`,
    );
    console.log(`  errors: ${errors}; past saturation (${RATE}/s): ${saturatedErrors}`);
    for (const [why, n] of failures) console.log(`    ${n} × ${why}`);
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    return { ok: errors === 0 };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function connect(url, token) {
  const client = new Client({ name: 'bench-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      ...(token && { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    }),
  );
  return client;
}

async function closedLoop(call, count) {
  const latencies = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    if (!(await call())) errors++;
    latencies.push(performance.now() - started);
  }
  return { latencies, errors };
}

/** Calls at a fixed rate for `seconds`; each latency counts from the call's scheduled start. */
async function fixedRate(call, rate, seconds) {
  const latencies = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const begin = performance.now();
  const inFlight = [];
  let issued = 0;
  while (issued < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - begin) / interval) + 1);
    for (; issued < due; issued++) {
      const scheduled = begin + issued * interval;
      inFlight.push(
        call().then(
          (ok) => {
            if (!ok) errors++;
            latencies.push(performance.now() - scheduled);
          },
          () => {
            errors++;
            latencies.push(performance.now() - scheduled);
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  return { latencies, errors };
}

function pct(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return round3(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0);
}

const round3 = (v) => Math.round(v * 1000) / 1000;

function waitFor(stream, pattern) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}: ${seen}`)), 30_000);
    const onData = (chunk) => {
      seen += chunk;
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        stream.removeListener('data', onData);
        stream.resume();
        resolve(match);
      }
    };
    stream.on('data', onData);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
