import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { type RunningServer, startServer } from '../server.js';
import { runCliCaptured } from '../testing/cli.js';

const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gh-token-cli-'));
const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64url') };
let server: RunningServer;

beforeAll(async () => {
  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\nserver: { port: 0 }\n');
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), env), { env, watch: false });
  // The CLI names the issuer from the config: point the config at where the server listens.
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    `policy: ./policy.yaml\nserver: { port: ${new URL(server.url).port} }\n`,
  );
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (argv: string[]) => runCliCaptured(argv, dir, env);

describe('gatehouse token', () => {
  it('mints a token the server accepts, for an agent the policy declares, and audits it', async () => {
    const { code, stdout, stderr } = await cli([
      'token',
      '--agent',
      'email-assistant',
      '--scope',
      'email.read',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const response = await fetch(`${server.url}/access/v1/evaluation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ resource: { type: 'tool', id: 'email.read' }, context: { args: {} } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ decision: true });
    const tail = await cli(['audit', 'search', '--type', 'token', '--json']);
    expect(JSON.parse(tail.stdout)).toContainEqual(
      expect.objectContaining({
        what: expect.objectContaining({ action: 'token.issued' }),
        where: expect.objectContaining({ door: 'cli' }),
      }),
    );
  });

  it('names the server given with --url as the issuer (a server started with --port)', async () => {
    const { stdout } = await cli(['token', '--agent', 'email-assistant', '--url', 'http://127.0.0.1:4999/']);
    const payload = JSON.parse(Buffer.from(stdout.trim().split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload).toMatchObject({ iss: 'http://127.0.0.1:4999', aud: 'http://127.0.0.1:4999' });
  });

  it('refuses a scope beyond the grants, and an agent that is not active', async () => {
    const beyond = await cli(['token', '--agent', 'email-assistant', '--scope', 'payments.transfer']);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toContain('not within the grants');
    expect((await cli(['agents', 'suspend', 'ops-agent'])).code).toBe(0);
    const suspended = await cli(['token', '--agent', 'ops-agent']);
    expect(suspended.code).toBe(1);
    expect(suspended.stderr).toContain("agent 'ops-agent' is suspended");
  });
});
