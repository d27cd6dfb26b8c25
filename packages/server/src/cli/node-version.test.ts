import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from './node-version.js';

describe('the Node.js version check', () => {
  it('accepts 22.12 and newer', () => {
    expect(nodeVersionProblem('22.12.0')).toBeUndefined();
    expect(nodeVersionProblem('24.21.0')).toBeUndefined();
    expect(nodeVersionProblem('30.0.0')).toBeUndefined();
  });

  it('refuses an older Node.js and names the line that installs Node 24', () => {
    for (const old of ['20.19.5', '22.11.0', '18.0.0']) {
      const problem = nodeVersionProblem(old);
      expect(problem).toContain(`this is Node.js ${old}`);
      expect(problem).toContain('npm i --prefix ~/.cache/gh-node node@24');
    }
  });

  it('runs before the CLI loads: the entry point imports no native module statically', () => {
    const main = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
    // A Node.js that reports an old version sees the message and exit code 1, not a crash.
    const fakeOld = spawnSync(
      process.execPath,
      [
        '--import',
        'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.5"})',
        main,
        '--version',
      ],
      { encoding: 'utf8' },
    );
    expect(fakeOld.status).toBe(1);
    expect(fakeOld.stderr).toContain('Gatehouse needs Node.js 22.12 or newer; this is Node.js 20.19.5');
    expect(execFileSync(process.execPath, [main, '--version'], { encoding: 'utf8' })).toMatch(
      /\d+\.\d+\.\d+/,
    );
  });
});
