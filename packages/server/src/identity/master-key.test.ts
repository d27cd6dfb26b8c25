import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMasterKeys, MasterKeys, masterKeyId } from './master-key.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-master-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (key: Uint8Array) => Buffer.from(key).toString('base64url');

describe('master keys', () => {
  it('identifies a key by a stable id that reveals nothing of it', () => {
    const key = randomBytes(32);
    expect(masterKeyId(key)).toBe(masterKeyId(Buffer.from(key)));
    expect(masterKeyId(key)).toMatch(/^mk_[A-Za-z0-9_-]{16}$/);
    expect(masterKeyId(key)).not.toBe(masterKeyId(randomBytes(32)));
    expect(b64(key)).not.toContain(masterKeyId(key).slice(3));
  });

  it('loads the current key from the environment and the previous ones from the environment and files', async () => {
    const [current, fromEnv, fromFile] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const file = join(dir, 'old.key');
    writeFileSync(file, `${b64(fromFile)}\n`, { mode: 0o600 });
    const keys = await loadMasterKeys({
      env: {
        GATEHOUSE_MASTER_KEY: b64(current),
        GATEHOUSE_MASTER_KEY_PREVIOUS: ` ${b64(fromEnv)},${b64(current)} `,
      },
      keyFile: join(dir, 'unused.key'),
      previousKeyFiles: [file],
    });
    expect(keys.current.id).toBe(masterKeyId(current));
    // The current key listed again as previous is not held twice.
    expect(keys.previous.map((k) => k.id)).toEqual([masterKeyId(fromEnv), masterKeyId(fromFile)]);
  });

  it('creates the current key file with mode 0600 but never a previous one, and refuses bad keys without quoting them', async () => {
    const keyFile = join(dir, 'made', 'master.key');
    const missing = join(dir, 'missing.key');
    await expect(loadMasterKeys({ env: {}, keyFile, previousKeyFiles: [missing] })).rejects.toThrow(
      `the previous master key file ${missing} does not exist`,
    );
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const bad = 'not-a-key-at-all';
    const error = await loadMasterKeys({
      env: { GATEHOUSE_MASTER_KEY_PREVIOUS: bad },
      keyFile,
    }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'GH_MASTER_KEY' });
    expect((error as Error).message).toBe(
      'the master key in GATEHOUSE_MASTER_KEY_PREVIOUS (item 1) is not base64url of 32 bytes',
    );
    const open = join(dir, 'open.key');
    writeFileSync(open, b64(randomBytes(32)));
    chmodSync(open, 0o644);
    await expect(loadMasterKeys({ env: {}, keyFile, previousKeyFiles: [open] })).rejects.toThrow(
      /readable by other users/,
    );
  });

  it('decrypts a JWE under a previous key, encrypts under the current one, and names ids when none fits', async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const plaintext = new TextEncoder().encode('{"d":"private"}');
    const jwe = await MasterKeys.of(oldKey).encryptJwe(plaintext, { kid: 'k1' });
    const rotating = MasterKeys.of(newKey, [oldKey]);
    const opened = await rotating.decryptJwe(jwe, 'signing key k1');
    expect(opened).toMatchObject({ keyId: masterKeyId(oldKey), header: { kid: 'k1' } });
    expect(new TextDecoder().decode(opened.plaintext)).toBe('{"d":"private"}');
    const again = await rotating.encryptJwe(opened.plaintext, { kid: 'k1' });
    expect((await MasterKeys.of(newKey).decryptJwe(again, 'x')).keyId).toBe(masterKeyId(newKey));
    const error = await MasterKeys.of(newKey)
      .decryptJwe(jwe, 'signing key k1')
      .catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `signing key k1 cannot be decrypted with the master key(s) this process holds (${masterKeyId(newKey)} (current)); ` +
        'was GATEHOUSE_MASTER_KEY changed without listing the old key in GATEHOUSE_MASTER_KEY_PREVIOUS?',
    );
    expect((error as Error).message).not.toContain(b64(oldKey));
    expect((error as Error).message).not.toContain(b64(newKey));
  });
});
