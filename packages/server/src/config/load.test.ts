import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@gatehouse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, requireNotifyTargets } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (yaml: string) => {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `policy: ./policy.yaml\n${yaml}`);
  return file;
};

describe('loadConfig: ${env:NAME}', () => {
  it('reads passwords and URLs from the environment, not the file', async () => {
    const file = write(
      [
        'storage: { postgres: "${env:PG_URL}" }',
        'rateLimits: { redis: "${env:REDIS_URL}" }',
        'audit: { otlp: { url: "${env:OTLP_URL}", headers: { authorization: "${env:OTLP_AUTH}" } } }',
        '',
      ].join('\n'),
    );
    const config = await loadConfig(file, {
      PG_URL: 'postgres://gh:s3cret@127.0.0.1:5432/gh',
      REDIS_URL: 'redis://127.0.0.1:6379',
      OTLP_URL: 'http://127.0.0.1:4318/v1/traces',
      OTLP_AUTH: 'Bearer t0ken',
    });
    expect(config.storage).toMatchObject({ postgres: 'postgres://gh:s3cret@127.0.0.1:5432/gh' });
    expect(config.rateLimits.redis).toBe('redis://127.0.0.1:6379');
    expect(config.audit.otlp).toEqual({
      url: 'http://127.0.0.1:4318/v1/traces',
      headers: { authorization: 'Bearer t0ken' },
    });
  });

  it("leaves an unset webhook variable to the commands that deliver (the README's approvals.notify)", async () => {
    const file = write('approvals:\n  notify: [{ url: "${env:SLACK_WEBHOOK_URL}", format: slack }]\n');
    const config = await loadConfig(file, {});
    expect(config.approvals.notify).toEqual([]);
    expect(() => requireNotifyTargets(config)).toThrow(ConfigError);
    const error = (() => {
      try {
        requireNotifyTargets(config);
      } catch (err) {
        return err as ConfigError;
      }
    })();
    expect(error?.diagnostics[0]?.message).toContain('SLACK_WEBHOOK_URL, which is not set');
    const set = await loadConfig(file, { SLACK_WEBHOOK_URL: 'https://hooks.slack.test/T0' });
    expect(requireNotifyTargets(set)).toEqual([{ url: 'https://hooks.slack.test/T0', format: 'slack' }]);
  });

  it('names a variable that is not set, and one whose value has the wrong form without showing it', async () => {
    const file = write('storage: { postgres: "${env:PG_URL}" }\n');
    const missing = await loadConfig(file, {}).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).diagnostics[0]).toMatchObject({
      code: 'GH_CONFIG_ENV',
      message: expect.stringContaining('PG_URL, which is not set'),
    });
    const wrong = await loadConfig(file, { PG_URL: 'mysql://root:hunter2@db' }).catch((e: unknown) => e);
    const message = (wrong as ConfigError).diagnostics[0]?.message ?? '';
    expect(message).toContain('does not hold a value of the expected form');
    expect(message).not.toContain('hunter2');
  });
});

describe('loadConfig: upstreams', () => {
  it('resolves stdio and HTTP upstreams, leaving secret references for the vault', async () => {
    const file = write(
      [
        'upstreams:',
        '  files:',
        '    command: npx',
        '    args: [server-filesystem, ./data]',
        '    env: { API_TOKEN: "${secret:files-token}", REGION: "${env:REGION}" }',
        '    tools: { read_text_file: { categories: [read], labels: [untrusted] } }',
        '  crm:',
        '    url: http://127.0.0.1:9100/mcp',
        '    headers: { Authorization: "Bearer ${secret:crm-token}" }',
        '    timeout: 30s',
        '',
      ].join('\n'),
    );
    const config = await loadConfig(file, { REGION: 'eu' });
    expect(config.upstreams.files).toMatchObject({
      transport: 'stdio',
      command: 'npx',
      args: ['server-filesystem', './data'],
      cwd: dir,
      env: { API_TOKEN: '${secret:files-token}', REGION: 'eu' },
      timeoutMs: 60_000,
    });
    expect(config.upstreams.crm).toMatchObject({
      transport: 'http',
      headers: { Authorization: 'Bearer ${secret:crm-token}' },
      timeoutMs: 30_000,
    });
  });

  it.each([
    ['both a command and a URL', '  x: { command: a, url: "http://127.0.0.1/mcp" }', /exactly one of/],
    ['neither', '  x: { tools: {} }', /exactly one of/],
    ['headers on a stdio upstream', '  x: { command: a, headers: { A: b } }', /'headers' applies to a 'url'/],
    ['a name with a dot', '  a.b: { command: a }', /upstreams/],
    ['an unset variable', '  x: { url: "http://127.0.0.1/mcp", headers: { A: "${env:NOPE}" } }', /NOPE/],
    ['a misspelt key', '  x: { command: a, argz: [] }', /argz/],
    [
      'a credential over cleartext http to another host',
      '  x: { url: "http://crm.internal/mcp", headers: { A: "Bearer ${secret:crm}" } }',
      /only over https/,
    ],
  ])('refuses %s with a positioned error', async (_what, line, message) => {
    const file = write(`upstreams:\n${line}\n`);
    const error = await loadConfig(file, {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).diagnostics.map((d) => d.message).join('\n')).toMatch(message);
  });
});

describe('loadConfig: detectors', () => {
  it('takes the injection threshold and size cap, and refuses a threshold outside (0, 1]', async () => {
    const config = await loadConfig(write('detectors: { injectionThreshold: 0.4, maxChars: 65536 }\n'), {});
    expect(config.detectors).toEqual({ threshold: 0.4, maxChars: 65536 });
    expect((await loadConfig(write(''), {})).detectors).toEqual({});
    await expect(loadConfig(write('detectors: { injectionThreshold: 0 }\n'), {})).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});
