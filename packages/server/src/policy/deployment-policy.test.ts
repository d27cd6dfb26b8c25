import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { startServer } from '../server.js';
import { openStore } from '../store/index.js';
import { runCliCaptured } from '../testing/cli.js';

const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const root = mkdtempSync(join(tmpdir(), 'gh-deployment-policy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The quickstart policy with one more rule, first in its rules. */
const withRule = (rule: string) =>
  readFileSync(QUICKSTART, 'utf8').replace('\nrules:\n', `\nrules:\n${rule}`);

/** A project as the README builds it: the quickstart, an MCP upstream in the config, and its rule. */
function readmeProject(rule: string): string {
  const dir = mkdtempSync(join(root, 'project-'));
  writeFileSync(join(dir, 'policy.yaml'), withRule(rule));
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    `policy: ./policy.yaml
server: { port: 0 }
upstreams:
  files:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-filesystem", "./data"]
    tools:
      read_text_file: { categories: [read], labels: [untrusted] }
      list_directory: { categories: [read] }
      write_file: { categories: [write] }
`,
  );
  return dir;
}

const WRITES_NEED_A_PERSON = `  - id: writes-need-a-person
    description: Writing a file needs one approver
    match: { tools: [files.write_file] }
    effect: approve
    approval: { approvers: 1 }
`;

const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url') };

describe('one policy loader for serve and the CLI', () => {
  it("checks, tests and explains the README's MCP rule with the upstream catalog from the config", async () => {
    const dir = readmeProject(WRITES_NEED_A_PERSON);
    const check = await runCliCaptured(['policy', 'check', 'policy.yaml'], dir, env);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect((await runCliCaptured(['policy', 'check'], dir, env)).code).toBe(0);
    expect((await runCliCaptured(['policy', 'test', 'policy.yaml'], dir, env)).code).toBe(0);
    const explained = await runCliCaptured(
      ['policy', 'explain', '--agent', 'email-assistant', '--tool', 'files.write_file'],
      dir,
      env,
    );
    expect(explained.stdout).toContain('files.write_file');
    const approvals = await runCliCaptured(['approvals', 'list'], dir, env);
    expect(approvals.stderr).toBe('');
    expect(approvals.code).toBe(0);
  });

  it('serves what the CLI checked: the same tools and rules', async () => {
    const dir = readmeProject(WRITES_NEED_A_PERSON);
    const server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), env), {
      env,
      watch: false,
    });
    try {
      const compiled = await runCliCaptured(['policy', 'compile', '--json'], dir, env);
      const info = JSON.parse(compiled.stdout) as { tools: number; rules: { id: string }[] };
      const served = server.runtime.policy;
      expect(info.tools).toBe(served.tools.size);
      expect(served.tools.has('files.write_file')).toBe(true);
      expect(info.rules.map((r) => r.id)).toEqual(served.rules.map((r) => r.id));
    } finally {
      await server.close();
    }
  });

  it('includes the tools registered through the API in the store, as the server does', async () => {
    const dir = readmeProject(`  - id: crm-reads-are-logged
    match: { tools: [crm.lookup] }
    effect: allow
`);
    // Without the registration the rule matches no tool: the server would refuse it too.
    expect((await runCliCaptured(['policy', 'check'], dir, env)).code).toBe(1);
    const config = await loadConfig(join(dir, 'gatehouse.yaml'), env);
    const store = await openStore(config.storage);
    try {
      await store.putRegisteredTool('crm.lookup', JSON.stringify({ categories: ['read'] }), new Date());
    } finally {
      await store.close();
    }
    const check = await runCliCaptured(['policy', 'check'], dir, env);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it('a policy file checked alone, with no config around, is the file alone', async () => {
    const dir = mkdtempSync(join(root, 'alone-'));
    writeFileSync(join(dir, 'policy.yaml'), withRule(WRITES_NEED_A_PERSON));
    const check = await runCliCaptured(['policy', 'check', 'policy.yaml'], dir, env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("'files.write_file' in rule 'writes-need-a-person' matches no tool");
  });
});
