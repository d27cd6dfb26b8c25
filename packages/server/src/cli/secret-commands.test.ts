import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { masterKeyId } from '../identity/master-key.js';
import { startServer } from '../server.js';
import { openStore } from '../store/index.js';
import { runCliCaptured } from '../testing/cli.js';
import { runCli } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'gh-secrets-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const BIN = new URL('../../dist/cli/main.js', import.meta.url);

let counter = 0;
function project(): string {
  const dir = join(root, `p${++counter}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'policy.yaml'), readFileSync(QUICKSTART));
  writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\nserver: { port: 0 }\n');
  return dir;
}

const VALUE = 'tok_live_c0ffee-never-printed';
const b64 = (key: Uint8Array) => Buffer.from(key).toString('base64url');

/** Every audit event the project's store holds, as stored. */
async function auditText(dir: string): Promise<string> {
  const store = await openStore({ sqlite: join(dir, '.gatehouse', 'gatehouse.db') });
  const rows: string[] = [];
  for await (const row of store.streamAudit(1)) rows.push(row.text);
  await store.close();
  return rows.join('\n');
}

describe('gatehouse secrets', () => {
  it('sets from standard input, rotates from a file, lists and deletes, and never prints or audits a value', async () => {
    const dir = project();
    const cli = (argv: string[], stdin?: string) => runCliCaptured(argv, dir, {}, stdin);
    const outputs: string[] = [];
    const run = async (argv: string[], stdin?: string) => {
      const result = await cli(argv, stdin);
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    const set = await run(['secrets', 'set', 'crm-token'], `${VALUE}\n`);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toMatch(/^stored secret 'crm-token' \(version 1, master key mk_[\w-]+\)\n$/);
    expect((await run(['secrets', 'set', 'crm-token'], 'again')).code).toBe(1);

    writeFileSync(join(dir, 'new-value.txt'), `${VALUE}-rotated\r\n`);
    const rotated = await run(['secrets', 'rotate', 'crm-token', '--from-file', 'new-value.txt', '--json']);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ name: 'crm-token', version: 2 });
    expect((await run(['secrets', 'rotate', 'unknown-token'], 'v')).code).toBe(1);

    const listed = await run(['secrets', 'list', '--json']);
    const secrets = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(secrets).toEqual([
      {
        name: 'crm-token',
        version: 2,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        master_key_id: expect.stringMatching(/^mk_/),
      },
    ]);
    expect((await run(['secrets', 'list'])).stdout).toMatch(
      /^NAME\s+VERSION\s+UPDATED\s+MASTER KEY\ncrm-token\s+2\s/,
    );

    // The value that was stored is exactly what was piped, without the newline.
    const server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), {}), {
      env: {},
      watch: false,
    });
    try {
      expect(await server.vault.reveal('crm-token')).toBe(`${VALUE}-rotated`);
    } finally {
      await server.close();
    }

    expect((await run(['secrets', 'delete', 'crm-token'])).stdout).toBe("deleted secret 'crm-token'\n");
    expect((await run(['secrets', 'delete', 'crm-token'])).code).toBe(1);

    for (const text of outputs) expect(text).not.toContain(VALUE);
    const events = await auditText(dir);
    for (const action of ['secret.created', 'secret.rotated', 'secret.deleted'])
      expect(events).toContain(`"action":"${action}"`);
    expect(events).not.toContain(VALUE);
  });

  it('refuses a value on the command line, or no value at all, as a usage error that does not echo it', async () => {
    const dir = project();
    for (const argv of [
      ['secrets', 'set', 'crm-token', VALUE],
      ['secrets', 'rotate', 'crm-token', VALUE],
      ['secrets', 'set', 'crm-token', `--value=${VALUE}`],
      ['secrets', 'set', 'crm-token', '--value', VALUE],
      ['secrets', 'set', 'crm-token', `--token=${VALUE}`],
    ]) {
      const { code, stdout, stderr } = await runCliCaptured(argv, dir, {}, 'from-stdin');
      expect(code).toBe(2);
      expect(stderr).toContain('a secret value is never taken from the command line');
      expect(stdout + stderr).not.toContain(VALUE);
    }
    const noInput = await runCliCaptured(['secrets', 'set', 'crm-token'], dir, {});
    expect(noInput).toMatchObject({ code: 2 });
    expect(noInput.stderr).toContain("give the value of 'crm-token' on standard input");
    expect((await runCliCaptured(['secrets', 'set', 'crm-token'], dir, {}, '\n')).code).toBe(2);
    const badName = await runCliCaptured(['secrets', 'set', `Bearer ${VALUE}`], dir, {}, 'x');
    expect(badName.code).toBe(2);
    expect(badName.stderr).not.toContain(VALUE);
    expect((await runCliCaptured(['secrets', 'list', '--json'], dir, {})).stdout).toBe('[]\n');
  });

  it('gatehouse init creates the master key file with mode 0600 and does not print the key', async () => {
    const dir = join(root, 'init-project');
    const { code, stdout } = await runCliCaptured(['init', dir], root, {});
    expect(code).toBe(0);
    const keyFile = join(dir, '.gatehouse', 'master.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(stdout).toContain(`created the master key file ${keyFile} (mode 0600)`);
    expect(stdout).not.toContain(key);
    const withEnv = join(root, 'init-env');
    const env = await runCliCaptured(['init', withEnv], root, { GATEHOUSE_MASTER_KEY: b64(randomBytes(32)) });
    expect(env.stdout).toContain('no key file was created');
    expect(() => statSync(join(withEnv, '.gatehouse', 'master.key'))).toThrow();
  });

  it('rotates the master key: rewrap under new + previous, then the server starts with the new key alone', async () => {
    const dir = project();
    const oldKey = b64(randomBytes(32));
    const newKey = b64(randomBytes(32));
    const before = { GATEHOUSE_MASTER_KEY: oldKey };
    expect((await runCliCaptured(['secrets', 'set', 'files-token'], dir, before, VALUE)).code).toBe(0);
    // A server run creates the signing keys and the audit key under the old key.
    const first = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), {}), {
      env: before,
      watch: false,
    });
    await first.close();

    // The new key alone cannot read what the old one wrapped: rewrap fails and says which key it needs.
    const alone = await runCliCaptured(['secrets', 'rewrap'], dir, { GATEHOUSE_MASTER_KEY: newKey });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain('cannot be decrypted with the master key(s) this process holds');
    expect(alone.stderr).not.toContain(oldKey);
    expect(alone.stderr).not.toContain(newKey);

    const during = { GATEHOUSE_MASTER_KEY: newKey, GATEHOUSE_MASTER_KEY_PREVIOUS: oldKey };
    const rewrap = await runCliCaptured(['secrets', 'rewrap', '--json'], dir, during);
    expect(rewrap.code).toBe(0);
    const result = JSON.parse(rewrap.stdout) as {
      ok: boolean;
      master_key_id: string;
      secrets: { rewrapped: string[] };
      signing_keys: { rewrapped: number };
      audit_keys: { rewrapped: number };
    };
    expect(result).toMatchObject({
      ok: true,
      master_key_id: masterKeyId(Buffer.from(newKey, 'base64url')),
      secrets: { rewrapped: ['files-token'] },
      audit_keys: { rewrapped: 1 },
    });
    expect(result.signing_keys.rewrapped).toBeGreaterThanOrEqual(1);

    // The previous key dropped: the server starts (signing keys, audit key) and the vault reads.
    const after = { GATEHOUSE_MASTER_KEY: newKey };
    const server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), {}), {
      env: after,
      watch: false,
    });
    try {
      expect(await server.vault.reveal('files-token')).toBe(VALUE);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }

    // The real binary with its pino logs: it starts on the new key and logs no value.
    const child = spawn(process.execPath, [BIN.pathname, 'serve', '--port', '0'], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...after },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    try {
      await expect
        .poll(() => output, { timeout: 10_000, interval: 50 })
        .toMatch(/gatehouse listening on (\S+)/);
      const url = /gatehouse listening on (\S+)/.exec(output)![1]!;
      expect((await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${VALUE}` } })).status).toBe(
        200,
      );
      // Requests are logged at debug only; the startup lines are pino's at info.
      await expect.poll(() => output, { timeout: 10_000, interval: 50 }).toContain('"level":30');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(output).toContain('"level":30');
    expect(output).not.toContain(VALUE);
    expect(output).not.toContain(newKey);
    expect(await auditText(dir)).not.toContain(VALUE);
  });

  it('asks for the value at a terminal, without echo, instead of waiting silently', async () => {
    const dir = project();
    const prompts: string[] = [];
    let out = '';
    const terminal = Object.assign((async function* () {})(), { isTTY: true });
    const code = await runCli(['secrets', 'set', 'crm-token'], {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        out += t;
      },
      cwd: dir,
      env: {},
      stdin: terminal,
      readHidden: async (prompt) => {
        prompts.push(prompt);
        return VALUE;
      },
    });
    expect(code).toBe(0);
    expect(prompts).toEqual(["value of 'crm-token' (input hidden): "]);
    expect(out).toContain("stored secret 'crm-token'");
    expect(out).not.toContain(VALUE);
    const cancelled = await runCli(['secrets', 'set', 'other-token'], {
      stdout: () => undefined,
      stderr: () => undefined,
      cwd: dir,
      env: {},
      stdin: terminal,
      readHidden: async () => {
        throw new Error('cancelled');
      },
    });
    expect(cancelled).toBe(2);
  });
});
