import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash completes for the words typed so far, with the script `gatehouse completion bash` printed. */
function bashCompletes(script: string, words: string[]): string[] {
  const file = join(dir, 'gatehouse.bash');
  writeFileSync(file, script);
  const typed = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    [
      '-c',
      `source ${file}; COMP_WORDS=(${typed}); COMP_CWORD=${words.length - 1}; _gatehouse; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter((l) => l !== '');
}

describe('gatehouse completion', () => {
  it('completes commands, subcommands and options in bash', async () => {
    const { code, stdout } = await runCliCaptured(['completion', 'bash'], dir);
    expect(code).toBe(0);
    expect(bashCompletes(stdout, ['gatehouse', 'pol'])).toEqual(['policy']);
    expect(bashCompletes(stdout, ['gatehouse', 'policy', 'ex'])).toEqual(['explain']);
    expect(bashCompletes(stdout, ['gatehouse', 'policy', 'explain', '--ag'])).toEqual(['--agent']);
    expect(bashCompletes(stdout, ['gatehouse', 'scan', '--fail'])).toEqual(['--fail-on']);
  });

  it('writes zsh and fish scripts from the same command tree', async () => {
    const zsh = await runCliCaptured(['completion', 'zsh'], dir);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -o default -F _gatehouse gatehouse');
    const fish = await runCliCaptured(['completion', 'fish'], dir);
    expect(fish.stdout).toContain("complete -c gatehouse -n '__fish_use_subcommand' -a policy");
    expect(fish.stdout).toContain(
      "complete -c gatehouse -n '__fish_seen_subcommand_from policy; and __fish_seen_subcommand_from explain' -l agent",
    );
  });

  it('refuses another shell as a usage error', async () => {
    const { code, stderr } = await runCliCaptured(['completion', 'tcsh'], dir);
    expect(code).toBe(2);
    expect(stderr).toContain('bash, zsh, fish');
  });

  it('shows examples in --help', async () => {
    for (const argv of [
      ['--help'],
      ['scan', '--help'],
      ['policy', 'explain', '--help'],
      ['agents', 'create', '--help'],
    ]) {
      const { stdout } = await runCliCaptured(argv, dir);
      expect(stdout).toMatch(/\nExamples:\n {2}\$ gatehouse /);
    }
  });
});
