import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAuditSigningKey } from '../audit/audit-keys.js';
import { AuditLog } from '../audit/audit-log.js';
import { MasterKeys } from '../identity/master-key.js';
import { KeyRing } from '../identity/signing-keys.js';
import { openStore, type StorageConfig, type Store } from '../store/index.js';
import { rawDatabase, storeDialects } from '../testing/dialects.js';
import { rewrapMasterKeyItems } from './master-key-rewrap.js';
import { SecretVault } from './secret-vault.js';

const { dialects, cleanup } = storeDialects('gh-vault');
afterAll(cleanup);

const VALUE = 'tok_live_9d8e7f-never-shown';
const ROTATION = {
  rotationPeriodMs: 3_600_000,
  prePublishMs: 600_000,
  maxTokenLifetimeMs: 3_600_000,
  clockSkewMs: 0,
};

async function open(config: StorageConfig, keys: MasterKeys) {
  const store = await openStore(config);
  const log = new AuditLog(store);
  const audit = { sink: log, door: 'test', actor: 'tester' };
  return { store, log, audit, vault: new SecretVault(store, keys, audit) };
}

/** Every audit event's stored text: the bytes the audit_events table holds. */
async function auditText(store: Store): Promise<string> {
  const rows: string[] = [];
  for await (const row of store.streamAudit(1)) rows.push(row.text);
  return rows.join('\n');
}

const errorOf = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure');
};

describe.each(dialects)('the secret vault on %s', (_name, storage) => {
  it('round-trips a value, lists metadata only, and audits names and versions only', async () => {
    const config = storage();
    const keys = MasterKeys.of(randomBytes(32));
    const { store, log, vault } = await open(config, keys);
    try {
      const created = await vault.set('crm-token', VALUE);
      expect(created).toMatchObject({ name: 'crm-token', version: 1, masterKeyId: keys.current.id });
      expect(await vault.reveal('crm-token')).toBe(VALUE);
      const listed = await vault.list();
      expect(listed.map((s) => s.name)).toEqual(['crm-token']);
      expect(JSON.stringify(listed)).not.toContain(VALUE);
      expect(await vault.versions()).toEqual(new Map([['crm-token', 1]]));
      // The row itself holds no plaintext.
      expect(JSON.stringify(await store.getSecret('crm-token'))).not.toContain(VALUE);
      await log.close();
      const events = await auditText(store);
      expect(events).toContain('"action":"secret.created"');
      expect(events).toContain('"name":"crm-token"');
      expect(events).not.toContain(VALUE);
    } finally {
      await store.close();
    }
  });

  it('refuses to set an existing name, and rotates to a new version, value and data key', async () => {
    const config = storage();
    const keys = MasterKeys.of(randomBytes(32));
    const { store, log, vault } = await open(config, keys);
    try {
      await vault.set('files-token', 'first-value');
      expect((await errorOf(vault.set('files-token', 'second-value'))).code).toBe('GH_CONFLICT');
      expect(await vault.reveal('files-token')).toBe('first-value');
      const before = await store.getSecret('files-token');
      const rotated = await vault.rotate('files-token', 'second-value');
      expect(rotated.version).toBe(2);
      expect(rotated.createdAt).toEqual(before?.createdAt);
      const after = await store.getSecret('files-token');
      expect(after?.dataKey.ciphertext).not.toBe(before?.dataKey.ciphertext);
      expect(await vault.reveal('files-token')).toBe('second-value');
      expect(await vault.versions()).toEqual(new Map([['files-token', 2]]));
      const unknown = await errorOf(vault.rotate('nope', 'x'));
      expect(unknown).toMatchObject({ code: 'GH_SECRET_NOT_FOUND', message: "no secret 'nope'" });
      await vault.delete('files-token');
      expect((await errorOf(vault.reveal('files-token'))).code).toBe('GH_SECRET_NOT_FOUND');
      expect((await errorOf(vault.delete('files-token'))).code).toBe('GH_SECRET_NOT_FOUND');
      await log.close();
      const events = await auditText(store);
      expect(events).toMatch(/"action":"secret.rotated".*"version":2/);
      expect(events).toContain('"action":"secret.deleted"');
      expect(events).not.toContain('first-value');
      expect(events).not.toContain('second-value');
    } finally {
      await store.close();
    }
  });

  it('fails closed on a row altered in the database, and on values swapped between names', async () => {
    const config = storage();
    const keys = MasterKeys.of(randomBytes(32));
    const { store, vault } = await open(config, keys);
    const raw = await rawDatabase(config);
    try {
      await vault.set('a-token', 'value-of-a');
      await vault.set('b-token', 'value-of-b');
      const a = (await store.getSecret('a-token'))!;
      await raw.exec(
        'update secrets set value_ciphertext = ?, value_iv = ?, value_tag = ?, key_iv = ?, key_ciphertext = ?, key_tag = ? where name = ?',
        [
          a.value.ciphertext,
          a.value.iv,
          a.value.tag,
          a.dataKey.iv,
          a.dataKey.ciphertext,
          a.dataKey.tag,
          'b-token',
        ],
      );
      const swapped = await errorOf(vault.reveal('b-token'));
      expect(swapped.code).toBe('GH_SECRET_UNREADABLE');
      expect(swapped.message).toMatch(/^secret 'b-token' cannot be decrypted/);
      expect(swapped.message).not.toContain('value-of-');
      const tag = Buffer.from(a.value.tag, 'base64url');
      tag[15]! ^= 0x80;
      await raw.exec('update secrets set value_tag = ? where name = ?', [
        tag.toString('base64url'),
        'a-token',
      ]);
      expect((await errorOf(vault.reveal('a-token'))).code).toBe('GH_SECRET_UNREADABLE');
      await raw.exec('update secrets set version = 7 where name = ?', ['b-token']);
      expect((await errorOf(vault.reveal('b-token'))).code).toBe('GH_SECRET_UNREADABLE');
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('reports a master key it does not hold by id, quoting no key material', async () => {
    const config = storage();
    const first = MasterKeys.of(randomBytes(32));
    const opened = await open(config, first);
    await opened.vault.set('crm-token', VALUE);
    await opened.log.close();
    await opened.store.close();
    const wrong = MasterKeys.of(randomBytes(32));
    const { store, vault } = await open(config, wrong);
    try {
      const error = await errorOf(vault.reveal('crm-token'));
      expect(error.code).toBe('GH_SECRET_UNREADABLE');
      expect(error.message).toContain(
        `wrapped by master key ${first.current.id}, which this process does not hold`,
      );
      expect(error.message).toContain('GATEHOUSE_MASTER_KEY_PREVIOUS');
      for (const key of [first.current.key, wrong.current.key])
        expect(error.message).not.toContain(Buffer.from(key).toString('base64url'));
      expect(error.message).not.toContain(VALUE);
    } finally {
      await store.close();
    }
  });

  it('moves every secret, signing key and audit key to a new master key; the old key can then go', async () => {
    const config = storage();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = await open(config, MasterKeys.of(oldKey));
    await before.vault.set('crm-token', 'crm-value');
    await before.vault.set('files-token', 'files-value');
    await KeyRing.open(before.store, oldKey, ROTATION);
    const auditKey = await loadAuditSigningKey(before.store, oldKey);
    await before.log.close();
    await before.store.close();

    // Both keys held: everything still reads, new writes go under the new key.
    const both = MasterKeys.of(newKey, [oldKey]);
    const during = await open(config, both);
    expect(await during.vault.reveal('crm-token')).toBe('crm-value');
    await during.vault.set('new-token', 'new-value');
    expect((await during.store.getSecret('new-token'))?.masterKeyId).toBe(both.current.id);
    const result = await rewrapMasterKeyItems(during.store, both, during.vault, during.audit);
    expect(result.secrets.rewrapped.toSorted()).toEqual(['crm-token', 'files-token']);
    expect(result.secrets).toMatchObject({ current: 1, failed: [] });
    expect(result.signingKeys.rewrapped).toBeGreaterThanOrEqual(1);
    expect(result.auditKeys).toEqual({ rewrapped: 1, current: 0 });
    // A second run finds nothing to do.
    const again = await rewrapMasterKeyItems(during.store, both, during.vault, during.audit);
    expect(again.secrets.rewrapped).toEqual([]);
    expect(again.signingKeys.rewrapped + again.auditKeys.rewrapped).toBe(0);
    await during.log.close();
    const events = await auditText(during.store);
    expect(events).toContain('"action":"master-key.rewrapped"');
    for (const v of ['crm-value', 'files-value', 'new-value']) expect(events).not.toContain(v);
    await during.store.close();

    // Only the new key: everything decrypts.
    const after = await open(config, MasterKeys.of(newKey));
    try {
      expect(await after.vault.reveal('crm-token')).toBe('crm-value');
      expect(await after.vault.reveal('files-token')).toBe('files-value');
      expect(await after.vault.reveal('new-token')).toBe('new-value');
      expect((await after.vault.list()).every((s) => s.masterKeyId === both.current.id)).toBe(true);
      await expect(KeyRing.open(after.store, newKey, ROTATION)).resolves.toBeDefined();
      expect((await loadAuditSigningKey(after.store, newKey)).kid).toBe(auditKey.kid);
      // And the old key alone no longer reads anything.
      await expect(loadAuditSigningKey(after.store, oldKey)).rejects.toMatchObject({ code: 'GH_MASTER_KEY' });
    } finally {
      await after.store.close();
    }
  });
});

describe('the secret vault under fuzzed names and values', () => {
  it('reveals exactly what was set, for any valid name and value', async () => {
    const config = dialects[0]![1]();
    const { store, vault } = await open(config, MasterKeys.of(randomBytes(32)));
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,127}$/);
    const value = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 300 })
      .filter((v) => !v.includes('\0') && v.isWellFormed());
    try {
      await fc.assert(
        fc.asyncProperty(name, value, async (n, v) => {
          await vault.delete(n).catch(() => undefined);
          await vault.set(n, v);
          expect(await vault.reveal(n)).toBe(v);
        }),
        { numRuns: 60 },
      );
      await fc.assert(
        // Invalid by their capital letter, whatever follows; a message quoting one would show 'Pasted'.
        fc.asyncProperty(
          fc.string({ maxLength: 140 }).map((s) => `Pasted${s}`),
          async (n) => {
            const error = await errorOf(vault.set(n, VALUE));
            expect(error.code).toBe('GH_SECRET_INVALID');
            expect(error.message).not.toContain('Pasted');
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await store.close();
    }
  });

  it('refuses empty, oversized, NUL-bearing and ill-formed values without quoting them', async () => {
    const { store, vault } = await open(dialects[0]![1](), MasterKeys.of(randomBytes(32)));
    try {
      for (const bad of ['', 'x'.repeat(64 * 1024 + 1), 'a\0b', 'lone \ud800 surrogate']) {
        const error = await errorOf(vault.set('ok-name', bad));
        expect(error.code).toBe('GH_SECRET_INVALID');
        if (bad.length > 0) expect(error.message).not.toContain(bad);
      }
      await expect(vault.set('ok-name', 'x'.repeat(64 * 1024))).resolves.toMatchObject({ version: 1 });
    } finally {
      await store.close();
    }
  });
});
