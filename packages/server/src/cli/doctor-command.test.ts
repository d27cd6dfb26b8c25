import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../testing/cli.js';

const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const root = mkdtempSync(join(tmpdir(), 'gh-doctor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KEY = Buffer.alloc(32, 8).toString('base64url');

function project(extra = ''): string {
  const dir = mkdtempSync(join(root, 'p-'));
  writeFileSync(join(dir, 'policy.yaml'), readFileSync(QUICKSTART, 'utf8'));
  writeFileSync(join(dir, 'gatehouse.yaml'), `policy: ./policy.yaml\n${extra}`);
  return dir;
}

type Report = { ok: boolean; checks: { name: string; ok: boolean; detail: string; fix?: string }[] };
const doctor = async (dir: string, key = KEY) => {
  const { code, stdout } = await runCliCaptured(['doctor', '--json'], dir, { GATEHOUSE_MASTER_KEY: key });
  return { code, report: JSON.parse(stdout) as Report };
};
const check = (report: Report, name: string) => report.checks.find((c) => c.name === name);

describe('gatehouse doctor', () => {
  it('passes a sound project and prints each check', async () => {
    const dir = project();
    const { code, stdout } = await runCliCaptured(['doctor'], dir, { GATEHOUSE_MASTER_KEY: KEY });
    expect(code).toBe(0);
    for (const name of ['config', 'store', 'policy', 'master key', 'clock'])
      expect(stdout).toMatch(new RegExp(`^✓ ${name}`, 'm'));
    expect(stdout).toContain('all checks passed');
  });

  it('says why each upstream cannot start, and how to fix it', async () => {
    const dir = project(`upstreams:
  broken:
    command: ${JSON.stringify(process.execPath)}
    args: ["-e", "console.error('Error: ENOENT: open ./settings.json'); process.exit(2)"]
  elsewhere:
    command: ${JSON.stringify(process.execPath)}
    cwd: ./no-such-folder
`);
    const { code, report } = await doctor(dir);
    expect(code).toBe(1);
    expect(check(report, 'upstream broken')).toMatchObject({ ok: false });
    expect(check(report, 'upstream broken')?.detail).toContain('exited with code 2');
    expect(check(report, 'upstream broken')?.detail).toContain('Error: ENOENT: open ./settings.json');
    expect(check(report, 'upstream elsewhere')?.detail).toContain('no-such-folder does not exist');
    expect(check(report, 'store')?.ok).toBe(true);
  });

  it('finds a master key that does not open the store, and Redis that does not answer', async () => {
    const dir = project('rateLimits: { redis: "redis://127.0.0.1:1" }\n');
    expect((await doctor(dir)).code).toBe(1);
    const { report } = await doctor(dir, Buffer.alloc(32, 1).toString('base64url'));
    expect(check(report, 'master key')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('GATEHOUSE_MASTER_KEY'),
    });
    expect(check(report, 'redis')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('127.0.0.1:1'),
    });
  });

  it('reports a missing config with the way out', async () => {
    const { code, report } = await doctor(mkdtempSync(join(root, 'empty-')));
    expect(code).toBe(1);
    expect(check(report, 'config')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('gatehouse init'),
    });
  });
});
