import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../http/logger.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const QUICKSTART = new URL('../../../../examples/quickstart/policy.yaml', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gh-serve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gatehouse serve logs', () => {
  it('writes one format: every line a JSON record, the listening line included', async () => {
    copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
    writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\nserver: { port: 0 }\n');
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 4).toString('base64url') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    child.kill('SIGTERM');
    await once(child, 'exit');
    const lines = out.split('\n').filter((l) => l !== '');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(JSON.parse(lines.find((l) => l.includes('gatehouse listening'))!)).toMatchObject({
      level: 30,
      url,
      rules: 13,
    });
  });

  it('renders the same records for a terminal, and censors credentials either way', () => {
    expect(loggerOptions({ pretty: true })).toMatchObject({ transport: { target: 'pino-pretty' } });
    expect(loggerOptions({})).not.toHaveProperty('transport');
    expect(loggerOptions({ level: 'debug' })).toMatchObject({
      level: 'debug',
      redact: { paths: expect.arrayContaining(['req.headers.authorization']) },
    });
  });

  it('refuses an unknown GATEHOUSE_LOG_LEVEL as a usage error', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', GATEHOUSE_LOG_LEVEL: 'loud' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('GATEHOUSE_LOG_LEVEL must be one of');
  });
});
