import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../testing/cli.js';

const root = mkdtempSync(join(tmpdir(), 'gh-draft-'));
const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
let counter = 0;

/** A project folder: gatehouse.yaml and a policy folder holding the quickstart policy. */
function project(nl?: { baseUrl: string }): string {
  const dir = join(root, `p${++counter}`);
  mkdirSync(join(dir, 'policy'), { recursive: true });
  copyFileSync(QUICKSTART, join(dir, 'policy', 'policy.yaml'));
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    `policy: ./policy\nstorage: { sqlite: ./.gatehouse/gatehouse.db }\n${nl ? `nl: { baseUrl: "${nl.baseUrl}", model: recorded, apiKey: "\${env:NL_KEY}" }\n` : ''}`,
  );
  return dir;
}
const cli = (argv: string[], cwd = root, env: NodeJS.ProcessEnv = {}) => runCliCaptured(argv, cwd, env);
/** `policy draft SENTENCE --policy POLICY --apply --yes [more]`, without the red-team replay. */
const applyDraft = (sentence: string, policy: string, more: string[] = [], cwd = root) =>
  cli(['policy', 'draft', '--no-redteam', sentence, '--policy', policy, '--apply', '--yes', ...more], cwd);

// Recorded completions, served by a local OpenAI-compatible endpoint: no model in tests.
const SENTENCE = 'Nothing may delete the sandbox database on Sundays';
const GOOD = `version: 1
rules:
  - id: llm-no-email-delete
    description: ${SENTENCE}
    match: { tools: [sandbox_db.delete] }
    when: now.getDayOfWeek("UTC") == 0
    effect: deny
`;
const COMPLETIONS: Record<string, string> = {
  good: `\`\`\`yaml\n${GOOD}\`\`\``,
  'extra-widening-rule': `${GOOD}  - id: llm-allow-all\n    description: ${SENTENCE}\n    effect: allow\n`,
  'yaml-injection': `${GOOD}agents:\n  backdoor: { owner: eve@evil.test, grants: ['*'] }\n`,
  'cel-that-errors': `version: 1\nrules:\n  - id: llm-broken\n    description: ${SENTENCE}\n    when: args.nothing.size() > 0\n    effect: deny\n`,
  'prose-around': `Sure! Here is the rule:\n\`\`\`yaml\n${GOOD}\`\`\`\nLet me know if you need more.`,
  'trailing-prose': `${GOOD}\nThis rule keeps email safe.\n`,
  'catalog-override': `version: 1\ntools:\n  sandbox_db.delete: { categories: [read] }\nrules:\n  - id: x\n    description: ${SENTENCE}\n    effect: deny\n`,
  'wrong-description': `version: 1\nrules:\n  - id: llm-other\n    description: Something else entirely\n    match: { tools: [sandbox_db.delete] }\n    effect: deny\n`,
};
let server: Server;
let baseUrl = '';
const seen: { auth?: string; model?: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const which = /\/v1\/([a-z-]+)\/chat\/completions$/.exec(req.url ?? '')?.[1] ?? '';
      seen.push({ auth: req.headers.authorization, model: (JSON.parse(body) as { model: string }).model });
      const content = COMPLETIONS[which];
      if (content === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

describe('gatehouse policy draft', () => {
  it('prints the seed fragment, its tests and a clean report for the quickstart', async () => {
    const { code, stdout } = await cli([
      'policy',
      'draft',
      'Financial transactions over $1,000 require dual authorization',
      '--policy',
      project(),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('when: args.amount > 1000');
    expect(stdout).toContain('description: Financial transactions over $1,000 require dual authorization');
    expect(stdout).toContain('amount: 1001');
    expect(stdout).toContain('verification (grammar): passed');
    // Item 4: the banking suite moves money, so it is replayed before and after the rule.
    expect(stdout).toContain('red-team suites replayed before → after the rules');
    expect(stdout).toMatch(/banking \(\d+ of 84 runs touch the rules\): attack success 0% → 0%/);
    expect(stdout).toMatch(/messaging: the sentence does not compile against this suite's catalog/);
  });
  it('refuses a sentence it cannot parse whole, naming the part and a suggestion', async () => {
    const { code, stderr } = await cli([
      'policy',
      'draft',
      '--no-redteam',
      'The email asistant cannot delete email',
      '--policy',
      project(),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('did not understand: "asistant"');
    expect(stderr).toContain('did you mean: email assistant');
  });
  it('drafts several sentences from a file into one fragment', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'rules.txt'),
      '# ours\nAgents cannot delete email on weekends\nNo agent may delete anything during a change freeze\n',
    );
    const { code, stdout } = await cli(
      ['policy', 'draft', '--no-redteam', '--from', 'rules.txt', '--policy', '.', '--json'],
      dir,
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.fragment.match(/- id: nl-/g)).toHaveLength(2);
  });
  it('applies only with --yes, writes beside the policy files, and audits the write', async () => {
    const dir = project();
    const sentence = 'Agents must not send email after reading confidential data';
    const notTty = await cli(['policy', 'draft', '--no-redteam', sentence, '--policy', dir, '--apply']);
    expect(notTty.code).toBe(2);
    const { code, stdout } = await applyDraft(sentence, dir);
    expect(code).toBe(0);
    expect(stdout).toContain('(audited)');
    const file = join(dir, 'policy', 'nl-agents-must-not-send-email-after.yaml');
    expect(readFileSync(file, 'utf8')).toContain(`description: ${sentence}`);
    expect((await cli(['policy', 'check', join(dir, 'policy')])).code).toBe(0);
    const audit = await cli([
      'audit',
      'search',
      '--type',
      'policy',
      '--json',
      '--config',
      join(dir, 'gatehouse.yaml'),
    ]);
    expect(audit.stdout).toContain('policy.draft.applied');
  });
  it('applies only into the policy folder: --out elsewhere is refused and nothing is written', async () => {
    const dir = project();
    const sentence = 'Agents cannot delete email on weekends';
    for (const out of [
      join(root, 'outside.yaml'),
      join(dir, 'gatehouse-extra.yaml'),
      join(dir, 'policy', 'x.txt'),
    ]) {
      const { code, stderr } = await applyDraft(sentence, dir, ['--out', out]);
      expect(code).toBe(2);
      expect(stderr).toContain('only a .yaml file directly in the policy folder');
      expect(existsSync(out)).toBe(false);
    }
    const inside = join(dir, 'policy', 'weekend.yaml');
    const ok = await applyDraft(sentence, dir, ['--out', inside]);
    expect(ok.code).toBe(0);
    expect(readFileSync(inside, 'utf8')).toContain(`description: ${sentence}`);
  });
  it('refuses --apply where no audit log can record it, and writes nothing', async () => {
    const dir = project();
    rmSync(join(dir, 'gatehouse.yaml'));
    const sentence = 'Agents cannot delete email on weekends';
    const { code, stderr } = await applyDraft(sentence, join(dir, 'policy'), [], dir);
    expect(code).toBe(2);
    expect(stderr).toContain('audit log');
    expect(readdirSync(join(dir, 'policy'))).toEqual(['policy.yaml']);
  });
  it('takes the fragment back out when the audit write fails, and never overwrites a file', async () => {
    const dir = project();
    const sentence = 'Agents cannot delete email on weekends';
    // A store that cannot open: the audit write fails after the fragment was written and checked.
    writeFileSync(join(dir, '.gatehouse'), 'a file where the store folder should be');
    const failed = await applyDraft(sentence, dir);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('not applied: the audit log could not record it');
    expect(readdirSync(join(dir, 'policy'))).toEqual(['policy.yaml']);
    rmSync(join(dir, '.gatehouse'));
    const taken = join(dir, 'policy', 'taken.yaml');
    writeFileSync(taken, 'version: 1\n');
    const exists = await applyDraft(sentence, dir, ['--out', taken]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain('taken.yaml already exists');
    expect(readFileSync(taken, 'utf8')).toBe('version: 1\n');
  });
  it('shows an allow sentence as widening and refuses to apply it without --allow-widening', async () => {
    const dir = project();
    const sentence = 'The ops agent may delete production databases';
    const refused = await applyDraft(sentence, dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('widening: yes');
    expect(refused.stderr).toContain('--allow-widening');
    const applied = await applyDraft(sentence, dir, ['--allow-widening']);
    expect(applied.code).toBe(0);
  });
});

describe('gatehouse policy draft --llm', () => {
  const llm = (which: string, redteam = false) => {
    const dir = project({ baseUrl: `${baseUrl}/${which}` });
    const flags = redteam ? [] : ['--no-redteam'];
    return cli(['policy', 'draft', ...flags, SENTENCE, '--policy', dir, '--llm', '--json'], root, {
      NL_KEY: 'k-123',
    });
  };
  it('takes a clean completion through the same verification, with generated tests', async () => {
    const { code, stdout } = await llm('good', true);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.compiler).toBe('llm');
    expect(out.report.ok).toBe(true);
    expect(out.fragment).toContain('tests:');
    expect(seen.at(-1)).toEqual({ auth: 'Bearer k-123', model: 'recorded' });
    // The model's rule names the quickstart's sandbox, which no suite's catalog has.
    expect(out.redteam.replayed).toEqual([]);
    expect(out.redteam.skipped).toHaveLength(5);
    expect(out.redteam.skipped[0].reason).toMatch(/^the rules do not compile beside the suite's policy/);
  });
  it.each([
    ['extra-widening-rule', 'rules-match-sentences'],
    ['yaml-injection', 'fragment-shape'],
    ['cel-that-errors', 'conditions-evaluate'],
    ['catalog-override', 'fragment-shape'],
    ['wrong-description', 'rules-match-sentences'],
  ])('refuses the %s completion in verification (%s)', async (which, check) => {
    const { code, stdout } = await llm(which);
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(out.report.ok).toBe(false);
    expect(out.report.checks.find((c: { name: string }) => c.name === check).passed).toBe(false);
  });
  it.each(['prose-around', 'trailing-prose'])(
    'refuses the %s completion before it is parsed',
    async (which) => {
      const { code, stdout } = await llm(which);
      expect(code).toBe(1);
      const out = JSON.parse(stdout);
      expect(out.ok).toBe(false);
      expect(JSON.stringify(out)).toMatch(/refused|fragment-shape/);
    },
  );
  it('never writes a refused completion, even with --apply --yes', async () => {
    const dir = project({ baseUrl: `${baseUrl}/extra-widening-rule` });
    const { code } = await cli(
      [
        'policy',
        'draft',
        '--no-redteam',
        SENTENCE,
        '--policy',
        dir,
        '--llm',
        '--apply',
        '--yes',
        '--allow-widening',
      ],
      root,
      { NL_KEY: 'k' },
    );
    expect(code).toBe(1);
    expect(existsSync(join(dir, 'policy', 'llm-no-email-delete.yaml'))).toBe(false);
  });
});

describe('gatehouse policy describe', () => {
  it('renders each rule as one sentence beside its description', async () => {
    const { code, stdout } = await cli(['policy', 'describe', QUICKSTART.pathname]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'dual-authorization: Every agent must get 2 approvals from finance to move money when amount is over 1,000.',
    );
    expect(stdout).toContain('no-prod-delete: No agent may delete when its env is production.');
  });
});
