import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleAccounts } from '../console/console-store.js';
import { credentialDigest } from '../identity/secret-hash.js';
import { openStore } from '../store/index.js';
import { runCliCaptured } from '../testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-invite-cli-'));
writeFileSync(join(dir, 'policy.yaml'), 'version: 1\n');
writeFileSync(
  join(dir, 'gatehouse.yaml'),
  'policy: ./policy.yaml\nserver: { publicUrl: "https://gatehouse.example.com" }\n',
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[]) => runCliCaptured(argv, dir);

describe('gatehouse users invite', () => {
  it('creates a new person with --roles and prints a one-time link that expires', async () => {
    const invited = await cli([
      'users',
      'invite',
      '--email',
      'Nina@Example.com',
      '--roles',
      'approver',
      '--json',
    ]);
    expect(invited.code).toBe(0);
    const out = JSON.parse(invited.stdout) as { email: string; link: string; expires_at: string };
    expect(out.email).toBe('nina@example.com');
    expect(out.link).toMatch(/^https:\/\/gatehouse\.example\.com\/console\/#\/enrol\/ghi_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(out.expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);

    const store = await openStore({ sqlite: join(dir, '.gatehouse', 'gatehouse.db') });
    try {
      const accounts = new ConsoleAccounts(store.db);
      const digest = credentialDigest(out.link.split('/').pop()!);
      expect(await accounts.openInvite(digest, Date.now())).toBeDefined();
      // Single use: the second consumption fails, and the link no longer opens.
      expect(await accounts.consumeInvite(digest, Date.now())).toBe(true);
      expect(await accounts.consumeInvite(digest, Date.now())).toBe(false);
      expect(await accounts.openInvite(digest, Date.now())).toBeUndefined();
      // Expired: a link is dead after its time, used or not.
      const later = await cli([
        'users',
        'invite',
        '--email',
        'nina@example.com',
        '--expires',
        '1m',
        '--json',
      ]);
      const laterDigest = credentialDigest(
        (JSON.parse(later.stdout) as { link: string }).link.split('/').pop()!,
      );
      expect(await accounts.openInvite(laterDigest, Date.now() + 61_000)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('refuses an unknown person without roles, and bad options, as usage errors', async () => {
    expect(await cli(['users', 'invite', '--email', 'ghost@example.com'])).toMatchObject({ code: 2 });
    expect(await cli(['users', 'invite', '--email', 'not-an-email'])).toMatchObject({ code: 2 });
    expect(await cli(['users', 'invite', '--email', 'x@example.com', '--roles', 'king'])).toMatchObject({
      code: 2,
    });
    expect(await cli(['users', 'invite', '--email', 'x@example.com', '--expires', 'soon'])).toMatchObject({
      code: 2,
    });
  });
});
