import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { startServer } from '../server.js';
import { runCliCaptured } from '../testing/cli.js';

const root = mkdtempSync(join(tmpdir(), 'gh-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const BIN = new URL('../../dist/cli/main.js', import.meta.url);

let dirCounter = 0;
function freshDir(): string {
  const dir = join(root, `case-${++dirCounter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const cli = (argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  runCliCaptured(argv, options.cwd ?? root, options.env ?? {});

const BROKEN = `version: 1
tools:
  email.send: { categories: [external_communication] }
rules:
  - id: a
    efect: deny
  - id: b
    effect: deny
    when: args.amount >
`;

describe('gatehouse init', () => {
  it('writes gatehouse.yaml and the quickstart policy, which checks and tests clean', async () => {
    const dir = join(freshDir(), 'new-project');
    const { code, stdout } = await cli(['init', dir]);
    expect(code).toBe(0);
    expect(stdout).toContain('gatehouse policy check');
    expect(readFileSync(join(dir, 'policy.yaml'), 'utf8')).toBe(readFileSync(QUICKSTART, 'utf8'));
    expect(readFileSync(join(dir, 'gatehouse.yaml'), 'utf8')).toContain('policy: ./policy.yaml');
    const config = await loadConfig(join(dir, 'gatehouse.yaml'), {});
    expect(config.approvals.gatewayWaitMs).toBe(25_000);
    expect(config.rateLimits.perAgentTool).toEqual({ requests: 120, perMs: 60_000 });
    expect(config.audit).toMatchObject({ checkpointEvery: 1000, checkpointIntervalMs: 10_000 });
    expect((await cli(['policy', 'check'], { cwd: dir })).code).toBe(0);
    const tested = await cli(['policy', 'test'], { cwd: dir });
    expect(tested.stdout).toMatch(/^27 passed, 0 failed$/m);
  });

  it('refuses to overwrite and writes nothing', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'policy.yaml'), 'mine');
    const { code, stderr } = await cli(['init'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('refusing to overwrite policy.yaml');
    expect(readFileSync(join(dir, 'policy.yaml'), 'utf8')).toBe('mine');
    expect(() => readFileSync(join(dir, 'gatehouse.yaml'))).toThrow();
  });

  it('ships a policy template identical to examples/quickstart/policy.yaml', () => {
    const template = new URL('../../templates/policy.yaml', import.meta.url);
    expect(readFileSync(template, 'utf8')).toBe(readFileSync(QUICKSTART, 'utf8'));
  });
});

describe('gatehouse policy check', () => {
  it('lists every error with file:line:column and a caret, and exits 1', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'p.yaml'), BROKEN);
    const { code, stderr } = await cli(['policy', 'check', 'p.yaml'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain("p.yaml:6:5: error: unknown key 'efect' in rules[0] (did you mean 'effect'?)");
    expect(stderr).toContain("p.yaml:9:24: error: CEL syntax error in rule 'b'");
    expect(stderr).toContain('   |                        ^');
    expect(stderr).toContain('invalid: 3 error(s)');
  });

  it('reports JSON with --json', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'p.yaml'), BROKEN);
    const { code, stdout } = await cli(['policy', 'check', 'p.yaml', '--json'], { cwd: dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.errors.map((e: { code: string }) => e.code)).toEqual([
      'GH_POLICY_SCHEMA',
      'GH_POLICY_SCHEMA',
      'GH_POLICY_CEL_SYNTAX',
    ]);
  });

  it('checks a folder of files as one policy', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'policies'));
    writeFileSync(
      join(dir, 'policies', 'a-tools.yaml'),
      'version: 1\ntools:\n  t.x: { categories: [read] }\n',
    );
    writeFileSync(
      join(dir, 'policies', 'b-rules.yml'),
      'version: 1\nrules:\n  - id: r\n    match: { tools: [t.*] }\n    effect: deny\n',
    );
    writeFileSync(join(dir, 'policies', '.hidden.yaml'), 'not: [valid');
    const { code, stdout } = await cli(['policy', 'check', 'policies'], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain('valid: 1 rules, 1 tools');
  });

  it('refuses a file over the size limit without reading it', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'huge.yaml'), Buffer.alloc(10 * 1024 * 1024, 0x20));
    const { code, stderr } = await cli(['policy', 'check', 'huge.yaml'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('huge.yaml: error: file is 10485760 bytes; the limit is');
  });

  it('says when the path does not exist, as a usage error (exit 2, as the README says)', async () => {
    const { code, stderr } = await cli(['policy', 'check', 'nope.yaml'], { cwd: freshDir() });
    expect(code).toBe(2);
    expect(stderr).toContain('error: no such policy file or folder: nope.yaml');
  });
});

describe('gatehouse policy test', () => {
  it('prints a line per test and exits 1 when one fails', async () => {
    const dir = freshDir();
    const text = readFileSync(QUICKSTART, 'utf8').replace(
      'expect: approve\n    applies: [dual-authorization]',
      'expect: allow',
    );
    writeFileSync(join(dir, 'p.yaml'), text);
    const { code, stdout } = await cli(['policy', 'test', 'p.yaml'], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /✗ a \$1,500 transfer needs two finance approvers — expected allow, got approve: approval required by rule 'dual-authorization'.* \(p\.yaml:\d+\)/,
    );
    expect(stdout).toMatch(/^26 passed, 1 failed$/m);
  });
});

const explainQuickstart = (agent: string, tool: string, args: string, extra: string[] = []) =>
  cli([
    'policy',
    'explain',
    '--policy',
    QUICKSTART.pathname,
    '--agent',
    agent,
    '--tool',
    tool,
    '--args',
    args,
    ...extra,
  ]);

describe('gatehouse policy explain', () => {
  it('prints the decision and why each rule did or did not apply', async () => {
    const { code, stdout } = await explainQuickstart(
      'email-assistant',
      'email.send',
      '{"to": ["attacker@evil.test"], "subject": "x", "body": "y"}',
      ['--provenance', '{"to[0]": ["untrusted"]}'],
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^decision: deny \(rule-deny\)$/m);
    expect(stdout).toMatch(/✓ no-exfil-to-injected-recipients \(deny\) — its condition holds/);
    expect(stdout).toMatch(
      /· dual-authorization \(approve\) — tool 'email.send' has categories \[external_communication\], none of \[financial\]/,
    );
  });

  it('denies a credential in the body as the server does: the argument detectors run offline too', async () => {
    const { code, stdout } = await explainQuickstart(
      'email-assistant',
      'email.send',
      '{"to": ["bob@example.com"], "subject": "key", "body": "ghp_4Vq8ZrT2mXb9LkP0sW3nYd7HcJ5fGu1eAa6R"}',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^decision: deny \(rule-deny\)$/m);
    expect(stdout).toMatch(/✓ no-secrets-out \(deny\)/);
    expect(stdout).not.toContain('ghp_4Vq8');
  });

  it("refuses arguments the tool's schema refuses, as the server does", async () => {
    const { stdout } = await explainQuickstart('finance-agent', 'payments.transfer', '{"to": "ACME"}');
    expect(stdout).toMatch(/^decision: deny \(invalid-request\)$/m);
    expect(stdout).toContain("missing required property 'amount'");
  });

  it('answers JSON with --json, including session labels', async () => {
    const { stdout } = await cli([
      'policy',
      'explain',
      '--policy',
      QUICKSTART.pathname,
      '--agent',
      'ops-agent',
      '--tool',
      'orders_db.delete',
      '--session-labels',
      'untrusted, pii',
      '--json',
    ]);
    const explanation = JSON.parse(stdout);
    expect(explanation.decision.effect).toBe('deny');
    expect(explanation.rules).toHaveLength(13);
  });

  it('says where a quota stands, from the counts --usage gives (none: a fresh window)', async () => {
    const dir = freshDir();
    writeFileSync(
      join(dir, 'p.yaml'),
      `version: 1
tools:
  notes.write: { categories: [write] }
agents:
  writer: { owner: o@example.com, grants: [notes.write] }
rules:
  - { id: notes-cap, match: { tools: [notes.write] }, effect: deny, quota: { max: 2, per: 1h } }
`,
    );
    const explainWith = (...extra: string[]) =>
      cli([
        'policy',
        'explain',
        '--policy',
        join(dir, 'p.yaml'),
        '--agent',
        'writer',
        '--tool',
        'notes.write',
        ...extra,
      ]);
    const fresh = await explainWith();
    expect(fresh.stdout).toMatch(/^decision: allow/m);
    expect(fresh.stdout).toContain('the quota is not reached: 0 of at most 2 per 1h already made');
    const spent = await explainWith('--usage', '{"notes-cap": 2}');
    expect(spent.stdout).toMatch(/^decision: deny \(rule-deny\)$/m);
    expect(spent.stdout).toMatch(
      /✓ notes-cap \(deny\) — the quota is reached: 2 of at most 2 per 1h already made/,
    );
  });

  it.each([
    [['--args', '{not json'], '--args is not valid JSON'],
    [['--args', '[1,2]'], '--args must be a JSON object'],
    [['--provenance', '{"to": "untrusted"}'], '--provenance must map argument paths'],
    [['--usage', '{"cap": -1}'], '--usage must map quota rule ids'],
  ])('rejects bad option values as usage errors (%s)', async (extra, message) => {
    const { code, stderr } = await cli([
      'policy',
      'explain',
      '--policy',
      QUICKSTART.pathname,
      '--agent',
      'a',
      '--tool',
      't',
      ...extra,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['bogus']],
    [['policy', 'check', '--nope']],
    [['policy', 'explain', '--agent', 'a']],
    [['agents', 'create', '--name', 'x', '--owner', 'o@example.com']],
    [['policy', 'check', 'missing.yaml']],
    [['policy', 'test', 'missing/']],
  ])('%j', async (argv) => {
    expect((await cli(argv)).code).toBe(2);
  });

  it('exits 0 for --help and --version', async () => {
    expect((await cli(['--help'])).code).toBe(0);
    expect((await cli(['--version'])).stdout).toContain('0.1.0');
  });
});

describe('config resolution', () => {
  const write = (dir: string, name: string, policyLine: string) => {
    writeFileSync(join(dir, name), `policy: ${policyLine}\n`);
  };

  it('uses --config, then GATEHOUSE_CONFIG, then ./gatehouse.yaml, with paths relative to the config file', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'good.yaml'), readFileSync(QUICKSTART, 'utf8'));
    writeFileSync(join(dir, 'bad.yaml'), BROKEN);
    write(join(dir, 'conf'), 'flag.yaml', './good.yaml');
    write(dir, 'env.yaml', './bad.yaml');
    write(dir, 'gatehouse.yaml', './missing.yaml');
    expect(
      (
        await cli(['policy', 'check', '--config', 'conf/flag.yaml'], {
          cwd: dir,
          env: { GATEHOUSE_CONFIG: 'env.yaml' },
        })
      ).code,
    ).toBe(0);
    const viaEnv = await cli(['policy', 'check'], { cwd: dir, env: { GATEHOUSE_CONFIG: 'env.yaml' } });
    expect(viaEnv.stderr).toContain('bad.yaml:6:5');
    const viaCwd = await cli(['policy', 'check'], { cwd: dir });
    expect(viaCwd.stderr).toContain('missing.yaml: error: no such file or folder');
  });

  it('reports config errors with their line, and a missing config with a hint', async () => {
    const dir = freshDir();
    writeFileSync(
      join(dir, 'gatehouse.yaml'),
      'policy: ./p.yaml\nstrorage:\n  sqlite: x.db\nserver:\n  port: "4470"\n',
    );
    const { code, stderr } = await cli(['policy', 'check'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain(
      "gatehouse.yaml:2:1: error: unknown key 'strorage' in (document) (did you mean 'storage'?)",
    );
    expect(stderr).toContain('gatehouse.yaml:5:9: error: server.port must be integer');
    const missing = await cli(['policy', 'check'], { cwd: freshDir() });
    expect(missing.stderr).toContain('run `gatehouse init` to create one');
  });
});

describe('the gatehouse binary', () => {
  const run = promisify(execFile);
  const bin = (args: string[], cwd = root) =>
    run(process.execPath, [BIN.pathname, ...args], { cwd, timeout: 60_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('ends quietly when its reader stops early (| head)', async () => {
    const child = spawn(process.execPath, [BIN.pathname, 'policy', 'test', QUICKSTART.pathname], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = await once(child, 'exit');
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('checks, tests and fails with the documented exit codes', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'bad.yaml'), BROKEN);
    expect((await bin(['policy', 'check', QUICKSTART.pathname])).code).toBe(0);
    const tested = await bin(['policy', 'test', QUICKSTART.pathname]);
    expect(tested.stdout).toMatch(/^27 passed, 0 failed$/m);
    expect((await bin(['policy', 'check', 'bad.yaml'], dir)).code).toBe(1);
    const usage = await bin(['policy', 'frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe('approvals.notify with its variable unset', () => {
  it('lets the commands that deliver nothing run, and stops serve and votes with the variable named', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'policy.yaml'), readFileSync(QUICKSTART, 'utf8'));
    writeFileSync(
      join(dir, 'gatehouse.yaml'),
      'policy: ./policy.yaml\nserver: { port: 0 }\napprovals:\n  notify: [{ url: "${env:SLACK_WEBHOOK_URL}", format: slack }]\n',
    );
    const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 5).toString('base64url') };
    expect((await cli(['policy', 'check'], { cwd: dir, env })).code).toBe(0);
    expect((await cli(['agents', 'list'], { cwd: dir, env })).code).toBe(0);
    expect((await cli(['approvals', 'list'], { cwd: dir, env })).code).toBe(0);
    const vote = await cli(['approvals', 'approve', 'apr_x', '--as', 'c@example.com'], { cwd: dir, env });
    expect(vote.code).toBe(1);
    expect(vote.stderr).toContain('SLACK_WEBHOOK_URL, which is not set');
    const serve = await cli(['serve'], { cwd: dir, env });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain('SLACK_WEBHOOK_URL, which is not set');
  });
});

describe('gatehouse serve on a port in use', () => {
  it('says another Gatehouse holds the port and how to choose another, instead of a raw EADDRINUSE', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'policy.yaml'), readFileSync(QUICKSTART, 'utf8'));
    writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\nserver: { port: 0 }\n');
    const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 6).toString('base64url') };
    const running = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), env), {
      env,
      watch: false,
    });
    try {
      const port = new URL(running.listenUrl).port;
      const second = await cli(['serve', '--port', port], { cwd: dir, env });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`127.0.0.1:${port} is already in use; another Gatehouse server`);
      expect(second.stderr).toContain('--port');
      expect(second.stderr).not.toContain('EADDRINUSE');
    } finally {
      await running.close();
    }
  });
});
