import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The packages as a user gets them: packed with `npm pack`, installed from the tarballs into a
 * fresh project outside the repository next to the real `ai` from the npm registry, then used
 * as the README says: `npx gatehouse init`, `serve`, a guarded tool, types with skipLibCheck off.
 */

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
// npm and npx as the user has them, run by the Node that runs this test.
const NPM = 'npm';
const NPX = 'npx';
const root = mkdtempSync(join(tmpdir(), 'gh-packaging-'));
const project = join(root, 'consumer');
const version = (name: string) =>
  (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
/**
 * A child's environment: the user's (a private CA, a proxy), the same Node first on PATH, and
 * none of the npm settings of the run that started this test (they name the repository).
 */
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
  PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
};

beforeAll(async () => {
  const tarballs: string[] = [];
  for (const pkg of ['core', 'sdk', 'server']) {
    const { stdout } = await run(NPM, ['pack', '--pack-destination', root, '--json'], {
      cwd: join(REPO, 'packages', pkg),
      env,
    });
    tarballs.push(join(root, (JSON.parse(stdout) as { filename: string }[])[0]!.filename));
  }
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  await run(
    NPM,
    [
      'install',
      '--no-audit',
      '--no-fund',
      ...tarballs,
      `ai@${version('ai')}`,
      `zod@${version('zod')}`,
      `typescript@${version('typescript')}`,
      `@types/node@${version('@types/node')}`,
      // `ai`'s own declarations need it with skipLibCheck off; nothing of ours does.
      '@types/json-schema',
    ],
    // Bounded: a registry that does not answer fails the suite instead of hanging it.
    { cwd: project, env, maxBuffer: 16 * 1024 * 1024, timeout: 420_000 },
  );
}, 600_000);

// Removing an installed node_modules takes a while on a busy disk.
afterAll(() => rm(root, { recursive: true, force: true }), 300_000);

const CONSUMER_TS = `import { readFileSync } from 'node:fs';
import { compilePolicy } from '@gatehouse/core';
import { createGuard } from '@gatehouse/sdk';
import { guardAiTools } from '@gatehouse/sdk/ai';
import { loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { tool } from 'ai';
import { z } from 'zod';

const text = readFileSync('app/policy.yaml', 'utf8');
const guard = createGuard({ policy: { name: 'policy.yaml', text }, agent: 'email-assistant' });
const sent: string[][] = [];
const tools = guardAiTools(
  guard,
  {
    send_email: tool({
      description: 'Send an email',
      inputSchema: z.object({ to: z.array(z.string()), subject: z.string(), body: z.string() }),
      execute: async (input) => {
        sent.push(input.to);
        return 'sent';
      },
    }),
  },
  { names: { send_email: 'email.send' } },
);
const options = { toolCallId: 'call-1', messages: [], context: {} };
guard.userInput('Ask bob@example.com about lunch');
const internal = await tools.send_email.execute!({ to: ['bob@example.com'], subject: 'hi', body: 'lunch?' }, options);
const credential = await tools.send_email.execute!(
  { to: ['bob@example.com'], subject: 'key', body: 'ghp_4Vq8ZrT2mXb9LkP0sW3nYd7HcJ5fGu1eAa6R' },
  options,
);
let remote = 'not run';
if (process.env.GATEHOUSE_URL) {
  const remoteGuard = createGuard({
    server: process.env.GATEHOUSE_URL,
    clientId: process.env.GATEHOUSE_CLIENT_ID!,
    clientSecret: process.env.GATEHOUSE_CLIENT_SECRET!,
  });
  remote = (await remoteGuard.check('email.read', { id: '1' })).status;
}
const typesOnly: RunningServer | undefined = undefined;
console.log(
  JSON.stringify({
    internal,
    credential,
    sent,
    remote,
    rules: compilePolicy({ name: 'p.yaml', text }).rules.length,
    exports: [typeof startServer, typeof loadConfig, typesOnly],
  }),
);
`;

const gatehouse = (args: string[], cwd = project) => run(NPX, ['gatehouse', ...args], { cwd, env });

describe('the packed packages in a project outside the repository', () => {
  it('installs the CLI as npx gatehouse, which writes a project that checks and tests clean', {
    timeout: 60_000,
  }, async () => {
    const { stdout } = await gatehouse(['init', 'app']);
    expect(stdout).toContain('gatehouse policy check');
    await gatehouse(['policy', 'check'], join(project, 'app'));
    const tested = await gatehouse(['policy', 'test'], join(project, 'app'));
    expect(tested.stdout).toMatch(/\d+ passed, 0 failed/);
  });

  it('type-checks a consumer of every entry point with skipLibCheck off', { timeout: 120_000 }, async () => {
    writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        include: ['consumer.ts'],
      }),
    );
    const result = await run(NPX, ['tsc', '-p', '.'], { cwd: project, env }).catch(
      (err: { stdout: string; code: number }) => err,
    );
    expect(result.stdout).toBe('');
  });

  it('serves, and guards an ai tool in process and through the server', { timeout: 120_000 }, async () => {
    const app = join(project, 'app');
    // The installed bin, run directly so that SIGTERM reaches the server itself.
    const bin = join(project, 'node_modules', '.bin', 'gatehouse');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: app, env, stdio: 'pipe' });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const match = /gatehouse listening on (http:\/\/[\d.:]+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const created = await gatehouse(['agents', 'create', '--name', 'email-assistant', '--json'], app);
      const { client_id, client_secret } = JSON.parse(created.stdout) as Record<string, string>;
      // The server's registry cache picks the new credential up within a second.
      await expect
        .poll(
          async () =>
            (
              await fetch(`${url}/oauth/token`, {
                method: 'POST',
                headers: {
                  authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
                  'content-type': 'application/x-www-form-urlencoded',
                },
                body: 'grant_type=client_credentials',
              })
            ).status,
          { timeout: 10_000 },
        )
        .toBe(200);
      const { stdout } = await run(process.execPath, ['consumer.ts'], {
        cwd: project,
        env: {
          ...env,
          GATEHOUSE_URL: url,
          GATEHOUSE_CLIENT_ID: client_id!,
          GATEHOUSE_CLIENT_SECRET: client_secret!,
        },
      });
      const result = JSON.parse(stdout) as Record<string, unknown>;
      expect(result).toMatchObject({
        internal: 'sent',
        credential: { gatehouse: 'denied' },
        sent: [['bob@example.com']],
        remote: 'allowed',
      });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
