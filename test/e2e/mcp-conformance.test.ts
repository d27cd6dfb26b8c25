import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareRelay, startBareRelay } from '../../bench/bare-relay.js';
import { startEverythingHttp } from '../support/mcp-peers.js';
import { clientCredentialsToken } from './tokens.js';

/**
 * Transparency (issue #17): the official MCP conformance runner's server
 * scenarios, run against `server-everything` directly and then through the
 * gateway's `/mcp/everything` with every tool granted and no rules. Every
 * check that passes directly must pass through the gateway: a proxy that
 * drops a protocol feature breaks the clients it fronts.
 *
 * The runner has no way to send an Authorization header (its scenarios use
 * the SDK transport and undici with fixed headers), so its requests reach
 * the gateway through the bench's bare relay, which sets the agent's bearer
 * token on each one. Gatehouse still authenticates every request; the relay
 * holds the credential the runner cannot. As a control, the runner also goes
 * through the same relay to the upstream directly, and must see exactly what
 * it sees without it.
 */

const RUNNER = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/conformance/dist/index.js', import.meta.url),
);
/** A bound against a hang: the whole suite takes a few seconds against a healthy server. */
const RUN_TIMEOUT_MS = 120_000;

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  errorMessage?: string;
  details?: unknown;
}
type Results = Map<string, Check[]>;

const dir = mkdtempSync(join(tmpdir(), 'gh-conformance-'));
let everything: Awaited<ReturnType<typeof startEverythingHttp>>;
let server: RunningServer;
let withToken: BareRelay;
let plain: BareRelay;

/** Runs the runner's server scenarios (all, or one) against `url`; the checks of each scenario. */
function runConformance(url: string, label: string, scenario?: string): Promise<Results> {
  const out = join(dir, `results-${label}`);
  const which = scenario ? ['--scenario', scenario] : ['--suite', 'all'];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [RUNNER, 'server', '--url', url, ...which, '-o', out],
      // The runner exits 1 when any check fails, which is expected against this upstream.
      { timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? '' } },
      (error, _stdout, stderr) => {
        if (error && (error.killed || typeof error.code !== 'number'))
          return reject(
            new Error(`the conformance runner did not finish (${label}): ${error.message} ${stderr}`),
          );
        const results: Results = new Map();
        for (const entry of readdirSync(out)) {
          // `server-<scenario>-<ISO timestamp with dashes>`
          const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, '');
          results.set(scenario, JSON.parse(readFileSync(join(out, entry, 'checks.json'), 'utf8')) as Check[]);
        }
        resolve(results);
      },
    );
  });
}

const passed = (checks: Check[] | undefined) =>
  new Set((checks ?? []).filter((c) => c.status === 'SUCCESS').map((c) => c.id));

/** What the runner said about a check: its error, or else what it saw. */
const reason = (check: Check) => check.errorMessage ?? JSON.stringify(check.details ?? {}).slice(0, 200);

/**
 * Each check that passed directly, as it fared the other way. The runner's
 * own verdict decides: a FAILURE or WARNING fails a scenario, a check that
 * did not run was lost with it, and INFO marks behaviour the spec leaves
 * optional (answering JSON where the upstream streamed SSE), which the
 * runner passes; it is shown, not counted as lost.
 */
function compare(direct: Results, other: Results) {
  return [...direct].map(([scenario, checks]) => {
    const theirs = other.get(scenario) ?? [];
    const lost: string[] = [];
    const optional: string[] = [];
    for (const id of passed(checks)) {
      const check = theirs.find((c) => c.id === id);
      if (check?.status === 'SUCCESS') continue;
      if (check?.status === 'INFO') optional.push(`${id}: ${reason(check)}`);
      else if (check) lost.push(`${id}: ${check.status} ${reason(check)}`);
      else {
        // It did not run: the scenario stopped earlier, at a check of its own.
        const stoppedAt = theirs.filter((c) => c.status !== 'SUCCESS').map((c) => `${c.id}: ${reason(c)}`);
        lost.push(`${id}: not run (${stoppedAt.join('; ') || 'no checks'})`);
      }
    }
    return { scenario, direct: checks, theirs, lost, optional };
  });
}

/** One line per scenario: checks passed each way, and what passed directly but not the other way. */
function table(rows: ReturnType<typeof compare>, otherName: string): string {
  const lines = [`${'scenario'.padEnd(32)} ${'direct'.padEnd(8)} ${otherName.padEnd(8)} difference`];
  for (const row of rows) {
    const note = [
      ...(row.lost.length > 0 ? [`LOST ${row.lost.join('; ')}`] : []),
      ...(row.optional.length > 0 ? [`optional, not judged: ${row.optional.join('; ')}`] : []),
    ];
    lines.push(
      `${row.scenario.padEnd(32)} ${`${passed(row.direct).size}/${row.direct.length}`.padEnd(8)} ` +
        `${`${passed(row.theirs).size}/${row.theirs.length}`.padEnd(8)} ${note.join(' | ').slice(0, 300)}`,
    );
  }
  return lines.join('\n');
}

const lostIn = (rows: ReturnType<typeof compare>) =>
  rows.filter((r) => r.lost.length > 0).map((r) => r.scenario);

/**
 * The whole suite against `url`, then each scenario that lost a check run
 * once more on its own: on a machine this busy a scenario can miss its own
 * timeout once; a feature the proxy drops is lost both times.
 */
async function runAgainst(direct: Results, url: string, label: string): Promise<Results> {
  const results = await runConformance(url, label);
  for (const scenario of lostIn(compare(direct, results))) {
    const again = await runConformance(url, `${label}-${scenario}`, scenario);
    results.set(scenario, again.get(scenario) ?? []);
  }
  return results;
}

beforeAll(async () => {
  everything = await startEverythingHttp();
  // Every tool the upstream lists goes into the catalog (an unknown tool is denied), all granted.
  const lister = new Client({ name: 'catalog-import', version: '1.0.0' });
  await lister.connect(new StreamableHTTPClientTransport(new URL(everything.url)));
  const { tools } = await lister.listTools();
  await lister.close();
  writeFileSync(
    join(dir, 'policy.yaml'),
    [
      'version: 1',
      'agents:',
      '  conformance-agent:',
      '    owner: qa@example.com',
      '    grants: [everything.*]',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      'server: { port: 0 }',
      'upstreams:',
      '  everything:',
      `    url: ${everything.url}`,
      '    tools:',
      ...[...tools.map((t) => t.name), 'resources/read', 'prompts/get'].map(
        (name) => `      ${JSON.stringify(name)}: { categories: [read] }`,
      ),
      '',
    ].join('\n'),
  );
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), {}), { env: {}, watch: false });
  const rotated = await new AgentAdmin(server.store).rotateSecret('conformance-agent', { graceMs: 0 });
  await server.identity.cache.refresh();
  const resource = `${server.url}/mcp/everything`;
  const token = await clientCredentialsToken(server.url, rotated.agent.id, rotated.clientSecret, resource);
  withToken = await startBareRelay({ target: server.url, headers: { authorization: `Bearer ${token}` } });
  plain = await startBareRelay({ target: new URL(everything.url).origin });
}, 60_000);

afterAll(async () => {
  await withToken?.close();
  await plain?.close();
  await server?.close();
  await everything?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('MCP conformance through the gateway', () => {
  it('keeps authentication on: the gateway refuses the runner without the relay’s token', async () => {
    const response = await fetch(`${server.url}/mcp/everything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(response.status).toBe(401);
  });

  it(
    'passes every server scenario through /mcp/everything that passes against server-everything directly',
    async () => {
      const direct = await runConformance(everything.url, 'direct');
      const relayed = await runAgainst(direct, `${plain.url}/mcp`, 'relay');
      const gateway = await runAgainst(direct, `${withToken.url}/mcp/everything`, 'gateway');

      // Not vacuous: the upstream passes a good part of the suite on its own.
      const directPasses = [...direct.values()].reduce((n, checks) => n + passed(checks).size, 0);
      expect(directPasses).toBeGreaterThanOrEqual(10);
      // The control: the relay that carries the token changes nothing by itself.
      const viaRelay = compare(direct, relayed);
      expect(lostIn(viaRelay), `through the bare relay alone:\n${table(viaRelay, 'relay')}`).toEqual([]);
      const viaGateway = compare(direct, gateway);
      expect(lostIn(viaGateway), `through the gateway:\n${table(viaGateway, 'gateway')}`).toEqual([]);
    },
    3 * RUN_TIMEOUT_MS,
  );
});
