/**
 * A/B of the MCP gateway's cost per call, two builds side by side in one run
 * (issue 17): `server-everything` over Streamable HTTP; in front of it, in
 * their own processes, a bare keep-alive pass-through relay (the floor any
 * proxy pays) and `gatehouse serve` from this tree, and optionally from
 * another build (GH_AB_BASE_BIN=/path/to/packages/server/dist/cli/main.js).
 * The same `echo` call goes through each, in alternating rounds:
 *   - one call in flight: p50 latency; added = target − direct;
 *   - 16 calls in flight: calls/s, and the serving process's CPU µs per call
 *     (utime+stime from /proc, steadier than wall time on a shared machine).
 * With a second build, each runs twice, started in the order A B B A and
 * pooled per build: on this machine a server started earlier measured up to
 * a quarter more CPU per call than an identical one started after it, which
 * one process per build would read as a difference between the builds.
 *
 *   npm run build && GH_AB_DIR=/dev/shm node bench/gateway-ab.js
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { agentToken } from './agent-token.js';

const BIN = fileURLToPath(new URL('../packages/server/dist/cli/main.js', import.meta.url));
const BASE_BIN = process.env.GH_AB_BASE_BIN;
const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);
const LOOPBACK = fileURLToPath(new URL('../test/support/loopback-listen.mjs', import.meta.url));
const ROUNDS = Number(process.env.GH_AB_ROUNDS ?? 3);
const CALLS = Number(process.env.GH_AB_CALLS ?? 1500);
const SECONDS = Number(process.env.GH_AB_SECONDS ?? 4);
const TICK_US = 1e6 / 100; // USER_HZ

/** The bare relay: every request piped to the upstream over a keep-alive agent, nothing read. */
const RELAY = `
import { createServer, request, Agent } from 'node:http';
const target = new URL(process.env.TARGET);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const server = createServer((req, res) => {
  const out = request({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers, agent }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  out.on('error', () => res.destroy());
  req.pipe(out);
});
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
`;

const children = [];
// GH_AB_DIR=/dev/shm puts both stores on tmpfs: the disk sync of the audit's write-ahead (the
// same in both builds) then does not drown the relay's own cost.
const dir = mkdtempSync(join(process.env.GH_AB_DIR ?? tmpdir(), 'gh-bench-ab-'));
try {
  const everything = spawn(process.execPath, ['--import', LOOPBACK, EVERYTHING, 'streamableHttp'], {
    env: { PATH: process.env.PATH ?? '', PORT: String(38000 + Math.floor(Math.random() * 2000)) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(everything);
  const port = (await waitFor(everything.stderr, /listening on port (\d+)/i))[1];
  const upstreamUrl = `http://127.0.0.1:${port}/mcp`;

  writeFileSync(join(dir, 'relay.mjs'), RELAY);
  const relay = spawn(process.execPath, [join(dir, 'relay.mjs')], {
    env: { TARGET: upstreamUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(relay);
  const relayUrl = `${(await waitFor(relay.stdout, /listening on (http:\/\/\S+)/))[1]}/mcp`;

  const targets = { direct: { url: upstreamUrl }, relay: { url: relayUrl, pid: relay.pid } };
  const instances = BASE_BIN
    ? [
        ['gatehouse#1', BIN],
        ['base#1', BASE_BIN],
        ['base#2', BASE_BIN],
        ['gatehouse#2', BIN],
      ]
    : [['gatehouse', BIN]];
  for (const [name, bin] of instances) {
    const home = join(dir, name.replace('#', '-'));
    rmSync(home, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(home);
    writeFileSync(
      join(home, 'policy.yaml'),
      'version: 1\nagents:\n  bench-agent:\n    owner: bench@example.com\n    grants: [everything.echo]\n',
    );
    writeFileSync(
      join(home, 'gatehouse.yaml'),
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
    // GH_AB_PROFILE=<dir>: a CPU profile of this tree's gateway (of both threads), written when it exits.
    const profile =
      process.env.GH_AB_PROFILE && name === instances[0][0]
        ? [
            '--cpu-prof',
            '--cpu-prof-dir',
            process.env.GH_AB_PROFILE,
            // GH_AB_PROFILE_US: the sampling interval, finer than the default 1000 µs.
            `--cpu-prof-interval=${process.env.GH_AB_PROFILE_US ?? 1000}`,
          ]
        : [];
    // GH_AB_NODE_FLAGS: more flags for this tree's gateway (`--trace-gc`, `--import <preload>`).
    const flags =
      process.env.GH_AB_NODE_FLAGS && name === instances[0][0] ? process.env.GH_AB_NODE_FLAGS.split(' ') : [];
    const child = spawn(
      process.execPath,
      [...profile, ...flags, bin, 'serve', '--config', join(home, 'gatehouse.yaml')],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    children.push(child);
    const url = (await waitFor(child.stdout, /listening on (http:\/\/\S+)/))[1];
    const token = await agentToken({
      url,
      dir: home,
      agent: 'bench-agent',
      resource: `${url}/mcp/everything`,
    });
    targets[name] = { url: `${url}/mcp/everything`, token, pid: child.pid };
  }

  const calls = {};
  for (const [name, t] of Object.entries(targets)) {
    const client = new Client({ name: 'bench-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(t.url), {
        ...(t.token && { requestInit: { headers: { authorization: `Bearer ${t.token}` } } }),
      }),
    );
    calls[name] = async () => {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'bench' } });
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content).slice(0, 200)}`);
    };
  }
  for (let i = 0; i < 300; i++) for (const call of Object.values(calls)) await call();

  const names = Object.keys(calls);
  const latencies = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, { us: 0, calls: 0, seconds: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      for (let i = 0; i < CALLS; i++) {
        const start = performance.now();
        await calls[name]();
        latencies[name].push(performance.now() - start);
      }
    }
    for (const name of names) {
      const pid = targets[name].pid;
      const before = pid ? cpuTicks(pid) : 0;
      const started = performance.now();
      const deadline = started + SECONDS * 1000;
      let n = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (performance.now() < deadline) {
            await calls[name]();
            n++;
          }
        }),
      );
      cpu[name].seconds += (performance.now() - started) / 1000;
      cpu[name].calls += n;
      if (pid) cpu[name].us += (cpuTicks(pid) - before) * TICK_US;
    }
  }
  const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.5)];
  // The instances of one build pooled: latencies together, CPU and calls summed.
  const builds = {};
  for (const name of names) {
    const build = name.split('#')[0];
    builds[build] ??= { latencies: [], us: 0, calls: 0, seconds: 0, measured: false, instances: [] };
    const b = builds[build];
    b.latencies.push(...latencies[name]);
    b.us += cpu[name].us;
    b.calls += cpu[name].calls;
    b.seconds += cpu[name].seconds;
    b.measured ||= targets[name].pid !== undefined;
    if (name.includes('#')) b.instances.push(`${name} ${Math.round(cpu[name].us / cpu[name].calls)}`);
  }
  const direct = p50(builds.direct.latencies);
  const relayAdded = p50(builds.relay.latencies) - direct;
  console.log(`\nMCP echo through each, ${ROUNDS} alternating rounds, ${process.version}:`);
  for (const [name, b] of Object.entries(builds)) {
    const added = p50(b.latencies) - direct;
    const copies = b.instances.length;
    console.log(
      `  ${name.padEnd(10)} p50 ${p50(b.latencies).toFixed(3)} ms` +
        (name === 'direct'
          ? ''
          : ` | added ${added.toFixed(3)} ms (${(added / relayAdded).toFixed(2)}× the bare relay's, +${(added - relayAdded).toFixed(3)} ms over it)`) +
        ` | 16 in flight: ${Math.round(b.calls / b.seconds)} calls/s` +
        (b.measured ? `, ${Math.round(b.us / b.calls)} µs CPU per call` : '') +
        (copies > 0 ? ` (µs per instance, in start order: ${b.instances.join(', ')})` : ''),
    );
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function waitFor(stream, pattern) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}: ${seen}`)), 60_000);
    stream.on('data', (chunk) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}
