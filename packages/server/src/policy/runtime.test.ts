import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyRuntime } from './runtime.js';

const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const RULE = [
  'version: 1',
  'rules:',
  '  - id: no-deletes',
  '    description: Agents may not delete anything',
  '    effect: deny',
  '    match: { categories: [delete] }',
  '',
].join('\n');

const dirs: string[] = [];
async function runtimeIn(folder: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'gh-runtime-'));
  dirs.push(dir);
  const path = folder ? join(dir, 'policy') : join(dir, 'policy.yaml');
  if (folder) {
    mkdirSync(path);
    copyFileSync(QUICKSTART, join(path, 'policy.yaml'));
  } else copyFileSync(QUICKSTART, path);
  const opened = await PolicyRuntime.open(path);
  if (!('runtime' in opened)) throw new Error('the quickstart policy does not compile');
  return { runtime: opened.runtime, path };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('PolicyRuntime.adoptFile', () => {
  it('writes the file, records it, then activates the policy with it', async () => {
    const { runtime, path } = await runtimeIn(true);
    const recorded: string[] = [];
    const result = await runtime.adoptFile('no-deletes.yaml', RULE, async (file) => {
      recorded.push(file);
      // Recorded before activation: the running policy does not have the rule yet.
      expect(runtime.policy.rules.some((r) => r.id === 'no-deletes')).toBe(false);
    });
    expect(result.ok).toBe(true);
    expect(recorded).toEqual([join(path, 'no-deletes.yaml')]);
    expect(runtime.policy.rules.some((r) => r.id === 'no-deletes')).toBe(true);
    expect(runtime.sources.some((s) => s.text === RULE)).toBe(true);
  });

  it('takes the file back out and keeps the running policy when the record fails', async () => {
    const { runtime, path } = await runtimeIn(true);
    const before = runtime.policy.hash;
    await expect(
      runtime.adoptFile('no-deletes.yaml', RULE, async () => {
        throw new Error('audit log unavailable');
      }),
    ).rejects.toThrow('audit log unavailable');
    expect(existsSync(join(path, 'no-deletes.yaml'))).toBe(false);
    expect(runtime.policy.hash).toBe(before);
  });

  it('refuses a file that would not compile with the folder, and removes it', async () => {
    const { runtime, path } = await runtimeIn(true);
    const before = runtime.policy.hash;
    const result = await runtime.adoptFile('broken.yaml', 'version: 1\nrules: [{ id: x }]\n', async () => {
      throw new Error('must not be recorded');
    });
    expect(result).toMatchObject({ ok: false, code: 'does-not-compile' });
    expect(existsSync(join(path, 'broken.yaml'))).toBe(false);
    expect(runtime.policy.hash).toBe(before);
  });

  it('writes only a plain YAML file name inside the folder', async () => {
    const { runtime } = await runtimeIn(true);
    for (const name of ['../escape.yaml', '/tmp/x.yaml', 'rule.json', '.hidden.yaml', 'a/b.yaml'])
      await expect(runtime.adoptFile(name, RULE, async () => undefined)).rejects.toThrow(
        'not a policy file name',
      );
  });

  it('never overwrites a file, and refuses a policy that is one file', async () => {
    const folder = await runtimeIn(true);
    const record = async () => undefined;
    expect(await folder.runtime.adoptFile('policy.yaml', RULE, record)).toMatchObject({
      ok: false,
      code: 'exists',
    });
    const single = await runtimeIn(false);
    expect(await single.runtime.adoptFile('no-deletes.yaml', RULE, record)).toMatchObject({
      ok: false,
      code: 'not-a-folder',
    });
  });
});
