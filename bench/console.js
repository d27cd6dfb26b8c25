/**
 * Console bench: how long each page of the web console takes to show its
 * data in Debian's Chromium (headless), first with a nearly empty store (the
 * baseline), then with 100,000 audit events from the last hour and 2,000
 * pending approvals in the same SQLite store. A page counts as loaded when
 * its data is on screen (a row, a chart bar), from navigation start; each
 * figure is the median of several loads.
 *
 * Needs Chromium (`apt-get install chromium`); GATEHOUSE_CHROMIUM overrides its path.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentAdmin, AuditLog, loadConfig, startServer } from '@gatehouse/server';
import { chromium } from 'playwright-core';

const RESULTS_FILE = new URL('./results/console.json', import.meta.url);
const QUICKSTART = new URL('../examples/quickstart/policy.yaml', import.meta.url);
const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';

/** Each page, and what on it means its data has arrived. */
const PAGES = [
  ['overview', '#/overview', '.recharts-bar-rectangle'],
  ['approvals', '#/approvals', 'section.list li button, section.list p.empty'],
  ['activity', '#/activity', 'table.events tbody tr'],
  ['session replay', '#/sessions/ses_7', 'li.call'],
  ['agents', '#/agents', 'tr[data-agent]'],
  ['tools', '#/tools', 'table[aria-label="Tool catalog"] tbody tr'],
  ['policy', '#/policy', 'ul.tests li'],
];

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/** A decision event as the decision API writes it, `ageMs` ago. */
const draft = (i, ageMs) => ({
  type: 'decision',
  time: new Date(Date.now() - ageMs).toISOString(),
  who: { agent: { id: 'agt_bench', name: 'finance-agent', owner: 'fiona@example.com' } },
  what: {
    tool: 'payments.transfer',
    args: { amount: i % 5000, to: 'ACME-GMBH', memo: 'invoice 2231' },
    args_hash: 'f577a4f2fa778b164cd9ab1df7e75bdf4ebb52267d75d0c8591e36f14b458513',
  },
  where: { node: 'bench:1', door: 'decision-api' },
  why: {
    reasoning: 'pay the invoice that is due',
    rules: i % 10 === 0 ? [{ id: 'no-prod-delete', effect: 'deny', message: 'no' }] : [],
    reasons: ['tool is within the grants and no rule objects'],
  },
  outcome: i % 10 === 0 ? { status: 'denied', code: 'rule-deny' } : { status: 'allowed', code: 'granted' },
  session_id: `ses_${i % 200}`,
  decision_id: `dec_bench_${i}`,
});

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(browser, server, cookie, loads) {
  const times = {};
  for (const [name, hash, ready] of PAGES) {
    const samples = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addCookies([{ name: 'gh_console', value: cookie, url: server.url }]);
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${server.url}/console/${hash}`);
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      samples.push(performance.now() - started);
      await context.close();
    }
    times[name] = Math.round(median(samples));
  }
  return times;
}

/** @param {{ quick: boolean }} options */
export async function run({ quick }) {
  if (!existsSync(CHROMIUM)) {
    console.error(`console bench: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return { ok: false };
  }
  const events = quick ? 10_000 : 100_000;
  const approvals = quick ? 200 : 2_000;
  const loads = quick ? 1 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-console-'));
  const port = await freePort();
  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      `server: { port: ${port}, publicUrl: "http://localhost:${port}" }`,
      'rateLimits: { perAgent: { requests: 1000000, per: 1m }, perAgentTool: { requests: 1000000, per: 1m } }',
      '',
    ].join('\n'),
  );
  const server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), {}), {
    env: {},
    watch: false,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const admin = new AgentAdmin(server.store);
    const { user } = await admin.createUser('root@example.com', ['approver', 'admin', 'auditor']);
    const { cookie } = await server.consoleSessions.issue(user, 'passkey');
    // One small session so that the replay page has something in the baseline too.
    const seed = new AuditLog(server.store);
    for (let i = 0; i < 20; i++) await seed.append(draft(7 + 200 * i, 1000));
    await seed.close();

    const baseline = await measure(browser, server, cookie, loads);

    const { clientSecret, agent } = await admin.rotateSecret('finance-agent', { graceMs: 0 });
    await server.identity.cache.refresh();
    const tokenResponse = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${agent.id}:${clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = await tokenResponse.json();
    const heldStarted = performance.now();
    for (let i = 0; i < approvals; i++) {
      await fetch(`${server.listenUrl}/access/v1/evaluation`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          action: { name: 'tools/call' },
          resource: { type: 'tool', id: 'payments.transfer' },
          context: { args: { amount: 2000 + i, to: 'ACME' }, reasoning: 'bench' },
        }),
      });
    }
    const heldSeconds = (performance.now() - heldStarted) / 1000;
    const log = new AuditLog(server.store);
    let next = 0;
    const appendStarted = performance.now();
    await Promise.all(
      Array.from({ length: 1024 }, async () => {
        while (next < events) {
          const i = next++;
          await log.append(draft(i, Math.floor((i / events) * 55 * 60_000)));
        }
      }),
    );
    await log.close();
    const appendSeconds = (performance.now() - appendStarted) / 1000;

    const loaded = await measure(browser, server, cookie, loads);
    const rows = PAGES.map(([name]) => ({
      page: name,
      baseline_ms: baseline[name],
      [`with_${events}_events_ms`]: loaded[name],
    }));
    console.log(`\nconsole page loads (median of ${loads}, Chromium headless, SQLite store)`);
    console.log(`  store: ${events} audit events in the last hour, ${approvals} pending approvals`);
    console.log(`  page              baseline   with ${events} events`);
    for (const r of rows)
      console.log(
        `  ${r.page.padEnd(16)} ${String(r.baseline_ms).padStart(6)} ms   ${String(loaded[r.page]).padStart(6)} ms`,
      );
    const result = {
      bench: 'console',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      date: new Date().toISOString(),
      quick,
      events,
      pending_approvals: approvals,
      setup: { approvals_seconds: Math.round(heldSeconds), append_seconds: Math.round(appendSeconds) },
      pages: rows,
    };
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    return { ok: true };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
