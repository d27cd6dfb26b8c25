import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UpstreamConfig } from '../config/load.js';
import { Upstream } from './upstream.js';
import { scrubSecrets } from './upstream-secrets.js';

describe('scrubSecrets', () => {
  const secrets = new Set(['crm_live_4f9a8b7c6d5e', 'short']);

  it('replaces a brokered secret in strings, keys and nested values, and leaves short values alone', () => {
    const scrubbed = scrubSecrets(
      {
        content: [{ type: 'text', text: 'token=crm_live_4f9a8b7c6d5e and again crm_live_4f9a8b7c6d5e' }],
        _meta: { crm_live_4f9a8b7c6d5e: 'as a key', short: 'short' },
      },
      secrets,
    );
    expect(JSON.stringify(scrubbed)).not.toContain('crm_live_4f9a8b7c6d5e');
    expect(scrubbed).toEqual({
      content: [{ type: 'text', text: 'token=[REDACTED:secret] and again [REDACTED:secret]' }],
      _meta: { '[REDACTED:secret]': 'as a key', short: 'short' },
    });
  });

  it('does not pass on what is nested too deeply to check', () => {
    let deep: unknown = 'crm_live_4f9a8b7c6d5e';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(JSON.stringify(scrubSecrets(deep, secrets))).not.toContain('crm_live');
  });

  it('returns the value itself when there is nothing to scrub', () => {
    const value = { a: 1 };
    expect(scrubSecrets(value, new Set())).toBe(value);
  });
});

const stdio = (command: string, args: string[], cwd = tmpdir()): UpstreamConfig => ({
  name: 'files',
  tools: {},
  timeoutMs: 5000,
  transport: 'stdio',
  command,
  args,
  cwd,
  env: {},
});

/** Starts the upstream once; what the caller is told, and what the admin learns. */
async function startOnce(config: UpstreamConfig) {
  const errors: string[] = [];
  const upstream = new Upstream(config, { onError: (err) => errors.push((err as Error).message) });
  const told = await upstream.listTools().then(
    () => 'started',
    (err: Error) => err.message,
  );
  const status = upstream.status;
  await upstream.close();
  return { told, status, logged: errors.join('\n') };
}

describe('an upstream that cannot start', () => {
  // Its own timeout is below the 30 s start timeout: an upstream that waited for it fails here.
  it('fails the first call as soon as its process exits, with the exit code and its last stderr lines', {
    timeout: 25_000,
  }, async () => {
    const { told, status, logged } = await startOnce(
      stdio(process.execPath, ['-e', 'console.error("Error: Cannot find module ./data"); process.exit(3)']),
    );
    expect(told).toBe("upstream 'files' did not start (exited 3)");
    expect(status).toMatchObject({ state: 'restarting', failure: 'exited', exitCode: 3 });
    expect(logged).toContain('its process exited with code 3 before it answered');
    expect(logged).toContain('Error: Cannot find module ./data');
  });

  it('names a working directory that does not exist', async () => {
    const missing = join(tmpdir(), 'gh-no-such-dir', 'data');
    const { told, status, logged } = await startOnce(stdio(process.execPath, ['-e', ''], missing));
    expect(told).toBe("upstream 'files' did not start (missing-directory)");
    expect(status.failure).toBe('missing-directory');
    expect(logged).toContain(`its working directory ${missing} does not exist`);
  });

  it('names a command that is not installed, and how to fix it', async () => {
    const { status, logged } = await startOnce(stdio('gatehouse-no-such-command', []));
    expect(status.failure).toBe('command-not-found');
    expect(logged).toContain("the command 'gatehouse-no-such-command' was not found on PATH");
    expect(logged).toContain('hint: install it, or give its full path');
  });

  it('hints that npx runs without the CA or proxy settings this process has', async () => {
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = saved ?? '/etc/ssl/certs/ca-certificates.crt';
    try {
      // npx that exits at once, as it does when the registry refuses its certificate.
      const { status, logged } = await startOnce(stdio('npx', ['--version']));
      expect(status.failure).toBe('exited');
      expect(logged).toContain(
        "hint: npx runs with a minimal environment, without this process's NODE_EXTRA_CA_CERTS",
      );
      expect(logged).toContain('NODE_EXTRA_CA_CERTS: "${env:NODE_EXTRA_CA_CERTS}"');
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
    }
  });
});
