/**
 * Gateway bench (issues #7 and #17): what the MCP gateway adds to a tool
 * call, beside the peers an operator could put in the same place, all
 * measured in the same run.
 *
 * `server-everything` is the upstream, over Streamable HTTP and over stdio.
 * The same `echo` call goes, in alternating rounds, to:
 *   - direct-http         the upstream's HTTP endpoint, no proxy
 *   - bare-relay          `bench/bare-relay.js`: a keep-alive HTTP relay that parses nothing (the floor)
 *   - civic-passthrough   `@civic/passthrough-mcp-server`, HTTP → HTTP, no hooks
 *   - gatehouse-http      `gatehouse serve`, `/mcp/everything`, an agent token, every call decided and audited
 *   - direct-stdio        the upstream as this process's own stdio child
 *   - supergateway        `supergateway`, stdio → Streamable HTTP (stateful), its own stdio child
 *   - mcp-proxy           `mcp-proxy` (punkpeye), stdio → Streamable HTTP, its own stdio child
 *   - gatehouse-stdio     `/mcp/everything-stdio`, Gatehouse's own stdio child
 * Each proxy runs in its own process. The agent is this process with a lean
 * JSON-RPC client (`mcp-wire.js`), the same for every target.
 *
 * Per round: p50/p99 with one call in flight, the targets interleaved call
 * by call, and between them one durable SQLite commit on the same disk as
 * Gatehouse's store (the write-ahead rule's floor, see `fsyncFloor`); then, for each target in turn, 16 calls in flight for a fixed
 * time: calls per second, and the proxy process's CPU per call read from
 * /proc/<pid>/stat (steadier than wall time on a shared
 * machine). Added latency = a proxy's p50 − the direct p50 of its upstream
 * transport. The criterion is printed with PASS/FAIL:
 *   - Gatehouse's added p50 ≤ 1.5 × the bare relay's, and ≤ 0.5 ms over it;
 *   - Gatehouse's CPU per call ≤ the fastest npm proxy's.
 * Beside the CPU line, each Gatehouse door against the fastest npm proxy with the same
 * upstream transport (`criterion.cpu_same_topology`).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { agentToken } from './agent-token.js';
import { openHttpSession, openStdioSession } from './mcp-wire.js';
import { freePort, processCpuMs, startProcess, stopProcess } from './server-process.js';

const RESULTS_FILE = new URL('./results/gateway.json', import.meta.url);
const BIN = fileURLToPath(new URL('../packages/server/dist/cli/main.js', import.meta.url));
const RELAY = fileURLToPath(new URL('./bare-relay.js', import.meta.url));
const LOOPBACK = fileURLToPath(new URL('../test/support/loopback-listen.mjs', import.meta.url));
const resolveBin = (specifier) => fileURLToPath(import.meta.resolve(specifier));
const EVERYTHING = resolveBin('@modelcontextprotocol/server-everything/dist/index.js');
// The package exports only its library; its CLI sits beside the entry point.
const CIVIC_CLI = fileURLToPath(new URL('./cli.js', import.meta.resolve('@civic/passthrough-mcp-server')));
const IN_FLIGHT = 16;
/** The criterion (#17): added p50 within 1.5× the bare relay's and 0.5 ms of it. */
const MAX_RATIO_TO_RELAY = 1.5;
const MAX_MS_OVER_RELAY = 0.5;

const POLICY = `version: 1
agents:
  bench-agent:
    owner: bench@example.com
    grants: [everything.echo, everything-stdio.echo]
`;

/**
 * The npm MCP proxies measured beside Gatehouse: how to start each on `port`
 * in front of the upstream. A peer that cannot start here is reported, not fatal.
 */
const NPM_PEERS = [
  {
    name: 'civic-passthrough',
    transport: 'http',
    start: (port, upstreamOrigin) => ({
      args: ['--import', LOOPBACK, CIVIC_CLI],
      env: { PORT: String(port), TARGET_SERVER_URL: upstreamOrigin },
      ready: /Passthrough MCP Server running/,
    }),
  },
  {
    name: 'supergateway',
    transport: 'stdio',
    start: (port) => ({
      args: [
        ...['--import', LOOPBACK, resolveBin('supergateway/dist/index.js')],
        ...['--stdio', `${JSON.stringify(process.execPath)} ${JSON.stringify(EVERYTHING)} stdio`],
        ...[
          '--outputTransport',
          'streamableHttp',
          '--stateful',
          '--port',
          String(port),
          '--logLevel',
          'none',
        ],
      ],
      ready: port,
    }),
  },
  {
    name: 'mcp-proxy',
    transport: 'stdio',
    start: (port) => ({
      args: [
        ...[resolveBin('mcp-proxy/dist/bin/mcp-proxy.mjs'), '--host', '127.0.0.1', '--port', String(port)],
        ...['--server', 'stream', '--', process.execPath, EVERYTHING, 'stdio'],
      ],
      ready: port,
    }),
  },
];

/** @param {{ quick: boolean }} options */
export async function run({ quick }) {
  const rounds = quick ? 1 : 3;
  const sequentialCalls = quick ? 100 : 1000;
  const windowMs = quick ? 500 : 3000;
  const warmup = quick ? 50 : 300;
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-gateway-'));
  const children = [];
  const sessions = [];
  /** Peers that could not be run here, with the reason (printed and written to the results). */
  const unavailable = {};
  try {
    const upstreamPort = await freePort();
    const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
    const everything = await startProcess(children, {
      args: ['--import', LOOPBACK, EVERYTHING, 'streamableHttp'],
      env: { PORT: String(upstreamPort) },
      ready: /listening on port/i,
    });

    /**
     * kind: direct | relay | npm | gatehouse; transport: the upstream's (http | stdio); pid: the
     * process whose CPU is read; session: the open MCP session the calls go through.
     * @type {{ name: string, kind: string, transport: string, url?: string, pid: number, authorization?: string, session?: { request: Function, close(): Promise<void> }, call?: () => Promise<boolean> }[]}
     */
    const targets = [];
    targets.push({
      name: 'direct-http',
      kind: 'direct',
      transport: 'http',
      url: `${upstreamOrigin}/mcp`,
      pid: everything.pid,
    });

    const relay = await startProcess(children, {
      args: [RELAY, '--target', upstreamOrigin],
      ready: /listening on (\S+)/,
    });
    targets.push({
      name: 'bare-relay',
      kind: 'relay',
      transport: 'http',
      url: `${relay.match[1]}/mcp`,
      pid: relay.pid,
    });

    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    writeFileSync(
      join(dir, 'gatehouse.yaml'),
      [
        'policy: ./policy.yaml',
        'server: { port: 0 }',
        'rateLimits:',
        '  perAgent: { requests: 1000000, per: 1s }',
        '  perAgentTool: { requests: 1000000, per: 1s }',
        'upstreams:',
        '  everything:',
        `    url: ${upstreamOrigin}/mcp`,
        '    tools:',
        '      echo: { categories: [read] }',
        '  everything-stdio:',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(EVERYTHING)}, stdio]`,
        '    tools:',
        '      echo: { categories: [read] }',
        '',
      ].join('\n'),
    );
    const gatehouse = await startProcess(children, {
      args: [BIN, 'serve', '--config', join(dir, 'gatehouse.yaml')],
      ready: /listening on (http:\/\/\S+)/,
    });
    const gatehouseUrl = gatehouse.match[1];
    const floor = await fsyncFloor(join(dir, 'fsync-floor.db'));
    for (const [name, upstream] of [
      ['gatehouse-http', 'everything'],
      ['gatehouse-stdio', 'everything-stdio'],
    ]) {
      const url = `${gatehouseUrl}/mcp/${upstream}`;
      const token = await agentToken({ url: gatehouseUrl, dir, agent: 'bench-agent', resource: url });
      targets.push({
        name,
        kind: 'gatehouse',
        transport: name.endsWith('stdio') ? 'stdio' : 'http',
        url,
        pid: gatehouse.pid,
        authorization: `Bearer ${token}`,
      });
    }

    const stdio = await openStdioSession([EVERYTHING, 'stdio']);
    sessions.push(stdio);
    targets.push({
      name: 'direct-stdio',
      kind: 'direct',
      transport: 'stdio',
      pid: stdio.pid,
      session: stdio,
    });

    for (const peer of NPM_PEERS) {
      try {
        const port = await freePort();
        const { pid } = await startProcess(children, peer.start(port, upstreamOrigin));
        targets.push({
          name: peer.name,
          kind: 'npm',
          transport: peer.transport,
          url: `http://127.0.0.1:${port}/mcp`,
          pid,
        });
      } catch (err) {
        unavailable[peer.name] = String(err?.message ?? err);
      }
    }

    // Every HTTP target gets one MCP session, opened once, as an agent would hold it.
    for (const target of targets) {
      if (target.session) continue;
      try {
        target.session = await openHttpSession(target.url, { authorization: target.authorization });
        sessions.push(target.session);
      } catch (err) {
        if (target.kind !== 'npm') throw err;
        unavailable[target.name] = `its MCP session failed: ${String(err?.message ?? err)}`;
      }
    }
    const measured = targets.filter((t) => t.session);

    const failures = new Map();
    let errors = 0;
    const echo = (target) => async () => {
      try {
        const result = await target.session.request('tools/call', {
          name: 'echo',
          arguments: { message: 'bench' },
        });
        if (result?.isError !== true) return true;
        const why = `${target.name}: ${String(result.content?.[0]?.text).slice(0, 120)}`;
        failures.set(why, (failures.get(why) ?? 0) + 1);
      } catch (err) {
        const why = `${target.name}: ${String(err?.message).slice(0, 120)}`;
        failures.set(why, (failures.get(why) ?? 0) + 1);
      }
      errors++;
      return false;
    };
    for (const target of measured) {
      target.call = echo(target);
      for (let i = 0; i < warmup; i++) await target.call();
    }

    const samples = Object.fromEntries(measured.map((t) => [t.name, { latencies: [], cpu: [], rate: [] }]));
    const floorSamples = { commit: [], handOver: [] };
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no target always runs first (or just after the heaviest).
      const order = measured.map((_, i) => measured[(i + round) % measured.length]);
      // One call in flight, the targets interleaved call by call: every target sees the same
      // moments of a machine whose load drifts, so their p50s differ by what they add, not by when.
      for (let i = 0; i < sequentialCalls; i++) {
        for (const target of order) {
          const started = performance.now();
          await target.call();
          samples[target.name].latencies.push(performance.now() - started);
        }
        const { commit, handOver } = await floor.commit();
        floorSamples.commit.push(commit);
        floorSamples.handOver.push(handOver);
      }
      for (const target of order) {
        const { callsPerSecond, cpuUsPerCall } = await loaded(target, windowMs);
        samples[target.name].rate.push(callsPerSecond);
        samples[target.name].cpu.push(cpuUsPerCall);
      }
    }

    const rows = {};
    for (const target of measured) {
      const sample = samples[target.name];
      rows[target.name] = {
        kind: target.kind,
        upstream: target.transport,
        calls_1_in_flight: sample.latencies.length,
        p50_ms: pct(sample.latencies, 0.5),
        p99_ms: pct(sample.latencies, 0.99),
        calls_per_s_16_in_flight: Math.round(median(sample.rate)),
        // For a direct row the process is the upstream itself: what the call costs with no proxy.
        cpu_us_per_call_16_in_flight: round1(median(sample.cpu)),
        cpu_us_per_call_rounds: sample.cpu.map(round1),
      };
    }
    for (const row of Object.values(rows)) {
      const direct = rows[`direct-${row.upstream}`];
      if (row.kind !== 'direct' && direct) row.added_p50_ms = round3(row.p50_ms - direct.p50_ms);
    }
    await floor.close();
    const durability = {
      what: 'one single-row SQLite commit (WAL, synchronous=FULL) in a writer thread, on the disk of the store, in the same run',
      commits: floorSamples.commit.length,
      commit_p50_ms: pct(floorSamples.commit, 0.5),
      commit_p99_ms: pct(floorSamples.commit, 0.99),
      // The commit as the event loop waits for it: handed to the thread and answered.
      p50_ms: pct(floorSamples.handOver, 0.5),
      p99_ms: pct(floorSamples.handOver, 0.99),
    };
    const criterion = judge(rows, durability);
    const result = {
      bench: 'gateway',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      load_average_1m: round1(loadavg()[0] ?? 0),
      date: new Date().toISOString(),
      quick,
      rounds,
      errors,
      targets: rows,
      durability_floor: durability,
      unavailable,
      criterion,
    };
    print(result, failures);
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    return { ok: errors === 0 };
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    await Promise.all(children.map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 16 calls in flight for `windowMs`: calls per second and the proxy's CPU µs per call. */
async function loaded(target, windowMs) {
  const cpuBefore = processCpuMs(target.pid);
  const started = performance.now();
  const deadline = started + windowMs;
  let calls = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < deadline) {
        await target.call();
        calls++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = processCpuMs(target.pid) - cpuBefore;
  return { callsPerSecond: calls / seconds, cpuUsPerCall: (cpuMs * 1000) / calls };
}

/**
 * The write-ahead rule's floor: a call runs only once its decision event is durable, so at one
 * call in flight Gatehouse waits for at least one disk sync that no pass-through proxy pays, and,
 * as its event loop never waits on a sync, for a hand-over to a writer thread and back. This
 * times both alone, on the same disk as Gatehouse's store, interleaved with the calls: a writer
 * thread commits one event-sized row with the store's own settings (WAL, synchronous=FULL);
 * `commit` is the commit as the thread timed it, `handOver` the round trip seen from here.
 */
async function fsyncFloor(path) {
  const worker = new Worker(FLOOR_WRITER, {
    eval: true,
    workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  await once(worker, 'online');
  return {
    async commit() {
      const started = performance.now();
      worker.postMessage(0);
      const [commit] = await once(worker, 'message');
      return { commit, handOver: performance.now() - started };
    },
    close: () => worker.terminate(),
  };
}

const FLOOR_WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('create table floor (seq integer primary key, event text not null)');
const insert = db.prepare('insert into floor (event) values (?)');
const commit = db.transaction((event) => insert.run(event));
// About the size of a decision event's canonical text.
const event = JSON.stringify({ type: 'decision', pad: 'x'.repeat(700) });
parentPort.on('message', () => {
  const started = performance.now();
  commit(event);
  parentPort.postMessage(performance.now() - started);
});
`;

/** The two criteria, each with the figures it compares and PASS/FAIL. */
function judge(rows, durability) {
  const gatehouse = rows['gatehouse-http'];
  const relay = rows['bare-relay'];
  const latency = {
    gatehouse_added_p50_ms: gatehouse.added_p50_ms,
    relay_added_p50_ms: relay.added_p50_ms,
    ratio: relay.added_p50_ms > 0 ? round3(gatehouse.added_p50_ms / relay.added_p50_ms) : null,
    ms_over_relay: round3(gatehouse.added_p50_ms - relay.added_p50_ms),
    // What the write-ahead rule alone costs, measured beside it: the gap to the relay less this
    // is what the gateway's own work adds.
    durability_floor_p50_ms: durability.p50_ms,
    ms_over_relay_beyond_floor: round3(gatehouse.added_p50_ms - relay.added_p50_ms - durability.p50_ms),
  };
  latency.pass =
    latency.ratio !== null &&
    latency.ratio <= MAX_RATIO_TO_RELAY &&
    latency.ms_over_relay <= MAX_MS_OVER_RELAY;
  const npm = Object.entries(rows)
    .filter(([, row]) => row.kind === 'npm')
    .sort(([, a], [, b]) => a.cpu_us_per_call_16_in_flight - b.cpu_us_per_call_16_in_flight);
  const [fastestName, fastest] = npm[0] ?? [];
  const cpu = {
    gatehouse_us_per_call: gatehouse.cpu_us_per_call_16_in_flight,
    fastest_npm_proxy: fastestName ?? null,
    fastest_npm_proxy_us_per_call: fastest?.cpu_us_per_call_16_in_flight ?? null,
    ratio: fastest
      ? round3(gatehouse.cpu_us_per_call_16_in_flight / fastest.cpu_us_per_call_16_in_flight)
      : null,
  };
  cpu.pass = fastest !== undefined && cpu.gatehouse_us_per_call <= cpu.fastest_npm_proxy_us_per_call;
  return { latency, cpu, cpu_same_topology: sameTopology(rows) };
}

/**
 * Beside the criterion's line, which holds gatehouse-http against whichever npm proxy is
 * cheapest: each Gatehouse door against the fastest npm proxy in front of the same kind of
 * upstream (stdio: supergateway, mcp-proxy; HTTP: civic-passthrough), as an operator would
 * choose between them. Per upstream transport; `null` peer fields when none was measured.
 */
function sameTopology(rows) {
  const out = {};
  for (const upstream of ['stdio', 'http']) {
    const name = `gatehouse-${upstream}`;
    const gatehouse = rows[name];
    if (!gatehouse) continue;
    const [peerName, peer] =
      Object.entries(rows)
        .filter(([, row]) => row.kind === 'npm' && row.upstream === upstream)
        .sort(([, a], [, b]) => a.cpu_us_per_call_16_in_flight - b.cpu_us_per_call_16_in_flight)[0] ?? [];
    const ours = gatehouse.cpu_us_per_call_16_in_flight;
    const theirs = peer?.cpu_us_per_call_16_in_flight ?? null;
    out[upstream] = {
      gatehouse: name,
      gatehouse_us_per_call: ours,
      fastest_npm_proxy: peerName ?? null,
      fastest_npm_proxy_us_per_call: theirs,
      ratio: theirs ? round3(ours / theirs) : null,
      pass: theirs !== null && ours <= theirs,
    };
  }
  return out;
}

function print(result, failures) {
  const { targets: rows, criterion, unavailable } = result;
  console.log(
    `\nMCP gateway beside pass-through peers: server-everything echo, ${result.rounds} alternating rounds, ` +
      `${result.cores} cores, load ${result.load_average_1m}:`,
  );
  console.log(
    `  ${'target'.padEnd(18)} ${'upstream'.padEnd(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ` +
      `${'added p50'.padStart(9)} ${'calls/s@16'.padStart(10)} ${'CPU µs/call@16'.padStart(14)}`,
  );
  const rank = { direct: 0, relay: 1, npm: 2, gatehouse: 3 };
  const ordered = Object.entries(rows).sort(
    ([, a], [, b]) => a.upstream.localeCompare(b.upstream) || rank[a.kind] - rank[b.kind],
  );
  for (const [name, row] of ordered) {
    console.log(
      `  ${name.padEnd(18)} ${row.upstream.padEnd(8)} ${String(row.p50_ms).padStart(7)} ${String(row.p99_ms).padStart(7)} ` +
        `${String(row.added_p50_ms ?? '—').padStart(9)} ${String(row.calls_per_s_16_in_flight).padStart(10)} ` +
        `${String(row.cpu_us_per_call_16_in_flight).padStart(14)}${row.kind === 'direct' ? '  (CPU: the upstream itself)' : ''}`,
    );
  }
  const floor = result.durability_floor;
  console.log(
    `  ${'fsync-floor'.padEnd(18)} ${'disk'.padEnd(8)} ${String(floor.p50_ms).padStart(7)} ${String(floor.p99_ms).padStart(7)}` +
      `  (one durable SQLite commit in a writer thread, beside the calls: what the write-ahead rule waits for; ` +
      `the commit alone ${floor.commit_p50_ms} ms p50)`,
  );
  for (const [name, why] of Object.entries(unavailable)) console.log(`  ${name}: not measured: ${why}`);
  const { latency, cpu } = criterion;
  console.log(
    `  criterion, added p50 vs the bare relay: ${latency.gatehouse_added_p50_ms} ms vs ${latency.relay_added_p50_ms} ms, ` +
      `ratio ${latency.ratio ?? 'n/a'} (≤ ${MAX_RATIO_TO_RELAY}), ${latency.ms_over_relay} ms over (≤ ${MAX_MS_OVER_RELAY}): ` +
      `${latency.pass ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `  of the ${latency.ms_over_relay} ms over the relay, the durability floor (fsync-floor p50) is ${latency.durability_floor_p50_ms} ms; ` +
      `the gateway's own work beyond it: ${latency.ms_over_relay_beyond_floor} ms`,
  );
  console.log(
    `  criterion, CPU per call at ${IN_FLIGHT} in flight vs the fastest npm proxy (${cpu.fastest_npm_proxy ?? 'none measured'}): ` +
      `${cpu.gatehouse_us_per_call} µs vs ${cpu.fastest_npm_proxy_us_per_call ?? 'n/a'} µs, ratio ${cpu.ratio ?? 'n/a'} (≤ 1): ` +
      `${cpu.pass ? 'PASS' : 'FAIL'}`,
  );
  for (const [upstream, same] of Object.entries(criterion.cpu_same_topology)) {
    console.log(
      `  same topology (${upstream} upstream), CPU per call at ${IN_FLIGHT} in flight: ${same.gatehouse} ${same.gatehouse_us_per_call} µs ` +
        `vs ${same.fastest_npm_proxy ?? 'no npm proxy measured'} ${same.fastest_npm_proxy_us_per_call ?? 'n/a'} µs, ` +
        `ratio ${same.ratio ?? 'n/a'} (≤ 1): ${same.pass ? 'PASS' : 'FAIL'}`,
    );
  }
  const stdio = rows['gatehouse-stdio'];
  const stdioPeers = Object.entries(rows).filter(([, row]) => row.kind === 'npm' && row.upstream === 'stdio');
  if (stdio && stdioPeers.length > 0)
    console.log(
      `  stdio upstream: Gatehouse added p50 ${stdio.added_p50_ms} ms, CPU ${stdio.cpu_us_per_call_16_in_flight} µs/call | ` +
        stdioPeers
          .map(([name, row]) => `${name} ${row.added_p50_ms} ms, ${row.cpu_us_per_call_16_in_flight} µs/call`)
          .join(' | '),
    );
  console.log(`  errors: ${result.errors}`);
  for (const [why, n] of failures) console.log(`    ${n} × ${why}`);
}

function pct(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return round3(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round1 = (v) => Math.round(v * 10) / 10;
const round3 = (v) => Math.round(v * 1000) / 1000;
