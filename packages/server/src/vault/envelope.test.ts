import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MasterKeys } from '../identity/master-key.js';
import { openSecret, rewrapSecret, type SecretEnvelope, sealSecret } from './envelope.js';

const keys = MasterKeys.of(randomBytes(32));
const master = keys.current;
const VALUE = 'tok_live_4f9a2c7e-the-value';

/** Flips one bit of a base64url field, keeping it canonical base64url of the same length. */
function flip(field: string): string {
  const bytes = Buffer.from(field, 'base64url');
  bytes[0]! ^= 0x01;
  return bytes.toString('base64url');
}

const opened = (envelope: SecretEnvelope) => {
  try {
    return { value: openSecret(envelope, master) };
  } catch (err) {
    return { error: err as Error & { code?: string } };
  }
};

describe('envelope encryption of a secret', () => {
  it('opens what it sealed, and seals the same value differently each time', () => {
    const a = sealSecret('crm-token', 1, VALUE, master);
    const b = sealSecret('crm-token', 1, VALUE, master);
    expect(openSecret(a, master)).toBe(VALUE);
    expect(a.value.ciphertext).not.toBe(b.value.ciphertext);
    expect(a.dataKey.ciphertext).not.toBe(b.dataKey.ciphertext);
    expect(Buffer.from(a.value.iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(a.value.tag, 'base64url')).toHaveLength(16);
    expect(Buffer.from(a.dataKey.ciphertext, 'base64url')).toHaveLength(32);
    expect(JSON.stringify(a)).not.toContain(VALUE);
  });

  it.each([
    [
      'value ciphertext',
      (e: SecretEnvelope) => ({ ...e, value: { ...e.value, ciphertext: flip(e.value.ciphertext) } }),
    ],
    ['value IV', (e: SecretEnvelope) => ({ ...e, value: { ...e.value, iv: flip(e.value.iv) } })],
    ['value tag', (e: SecretEnvelope) => ({ ...e, value: { ...e.value, tag: flip(e.value.tag) } })],
    [
      'truncated value tag',
      (e: SecretEnvelope) => ({ ...e, value: { ...e.value, tag: e.value.tag.slice(0, 6) } }),
    ],
    [
      'wrapped data key',
      (e: SecretEnvelope) => ({ ...e, dataKey: { ...e.dataKey, ciphertext: flip(e.dataKey.ciphertext) } }),
    ],
    ['data key IV', (e: SecretEnvelope) => ({ ...e, dataKey: { ...e.dataKey, iv: flip(e.dataKey.iv) } })],
    ['data key tag', (e: SecretEnvelope) => ({ ...e, dataKey: { ...e.dataKey, tag: flip(e.dataKey.tag) } })],
    ['version', (e: SecretEnvelope) => ({ ...e, version: e.version + 1 })],
    ['name', (e: SecretEnvelope) => ({ ...e, name: 'other-token' })],
    [
      'non-canonical base64url',
      (e: SecretEnvelope) => ({ ...e, value: { ...e.value, iv: `${e.value.iv}!` } }),
    ],
  ])('fails closed when the %s is altered, with a code and no value', (_what, tamper) => {
    const { value, error } = opened(tamper(sealSecret('crm-token', 3, VALUE, master)));
    expect(value).toBeUndefined();
    expect(error?.code).toBe('GH_SECRET_UNREADABLE');
    expect(error?.message).toMatch(/^secret '(crm|other)-token' cannot be decrypted: /);
    expect(error?.message).not.toContain(VALUE);
  });

  it('does not open a value moved under another secret, nor a data key moved to another secret', () => {
    const a = sealSecret('files-token', 1, 'value-of-files', master);
    const b = sealSecret('crm-token', 1, 'value-of-crm', master);
    expect(opened({ ...b, value: a.value }).error?.code).toBe('GH_SECRET_UNREADABLE');
    expect(opened({ ...b, value: a.value, dataKey: a.dataKey }).error?.code).toBe('GH_SECRET_UNREADABLE');
    expect(opened({ ...b, dataKey: a.dataKey }).error?.code).toBe('GH_SECRET_UNREADABLE');
  });

  it('does not open a value of an older version presented as the current one', () => {
    const v1 = sealSecret('crm-token', 1, 'old', master);
    expect(opened({ ...v1, version: 2 }).error?.code).toBe('GH_SECRET_UNREADABLE');
  });

  it('refuses a wrong master key, naming key ids and quoting no key material', () => {
    const other = MasterKeys.of(randomBytes(32)).current;
    const sealed = sealSecret('crm-token', 1, VALUE, master);
    expect(() => openSecret(sealed, other)).toThrow(
      `secret 'crm-token' cannot be decrypted: it is wrapped by master key ${master.id}, not ${other.id}`,
    );
    // Relabelled as wrapped by the other key: the data key's AAD names the real one.
    let message = '';
    try {
      openSecret({ ...sealed, masterKeyId: other.id }, other);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      `secret 'crm-token' cannot be decrypted: its data key does not authenticate under master key ${other.id}`,
    );
    for (const key of [master.key, other.key]) {
      expect(message).not.toContain(Buffer.from(key).toString('base64url'));
      expect(message).not.toContain(Buffer.from(key).toString('hex'));
    }
  });

  it('re-wraps the data key under a new master key without touching the value ciphertext', () => {
    const next = MasterKeys.of(randomBytes(32)).current;
    const sealed = sealSecret('crm-token', 4, VALUE, master);
    const moved = rewrapSecret(sealed, master, next);
    expect(moved.masterKeyId).toBe(next.id);
    expect(moved.value).toEqual(sealed.value);
    expect(openSecret(moved, next)).toBe(VALUE);
    expect(() => openSecret(moved, master)).toThrow(/wrapped by master key/);
    // An altered value is not laundered into a fresh wrapping.
    const altered = { ...sealed, value: { ...sealed.value, ciphertext: flip(sealed.value.ciphertext) } };
    expect(() => rewrapSecret(altered, master, next)).toThrow(/does not authenticate/);
  });
});
