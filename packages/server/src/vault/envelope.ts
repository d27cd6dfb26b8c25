import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from '../identity/master-key.js';
import { SecretError } from './secret-error.js';
import type { SealedBytes, StoredSecret } from './vault-store.js';

/**
 * Envelope encryption of one secret, with node:crypto's AES-256-GCM only:
 *
 * - a fresh random 256-bit data key per secret version encrypts the value,
 *   with a random 96-bit IV (NIST SP 800-38D §8.2.2: with one message per
 *   key, a random IV cannot repeat);
 * - the master key wraps the data key, again with AES-256-GCM and a random IV.
 *
 * Each layer's AAD binds what the ciphertext belongs to, so a row edited by
 * someone with database access fails closed instead of decrypting to another
 * secret: the value's AAD names the secret and its version (a value moved to
 * another name or version does not open), the data key's AAD names the
 * secret, its version and the master key id (a wrapped key moved elsewhere,
 * or relabelled as wrapped by another master key, does not open).
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

/** The envelope of a value: everything `StoredSecret` holds but times. */
export type SecretEnvelope = Pick<StoredSecret, 'name' | 'version' | 'masterKeyId' | 'value' | 'dataKey'>;

/** Seals `value` as version `version` of secret `name`, its data key wrapped by `master`. */
export function sealSecret(name: string, version: number, value: string, master: MasterKey): SecretEnvelope {
  const dataKey = randomBytes(DATA_KEY_BYTES);
  try {
    return {
      name,
      version,
      masterKeyId: master.id,
      value: gcmSeal(dataKey, Buffer.from(value, 'utf8'), valueAad(name, version)),
      dataKey: gcmSeal(master.key, dataKey, dataKeyAad(name, version, master.id)),
    };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * The plaintext of an envelope, with `master` the key its `masterKeyId`
 * names. Any change to any part — ciphertext, IV, tag, wrapped key, name,
 * version, master key id — fails with `GH_SECRET_UNREADABLE`.
 */
export function openSecret(envelope: SecretEnvelope, master: MasterKey): string {
  const dataKey = unwrapDataKey(envelope, master);
  try {
    const plaintext = gcmOpen(dataKey, envelope.value, valueAad(envelope.name, envelope.version));
    if (!plaintext) throw unreadable(envelope.name, 'its value does not authenticate under its data key');
    return plaintext.toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** The same envelope with its data key re-wrapped by `to`; the value's ciphertext is unchanged. */
export function rewrapSecret(envelope: SecretEnvelope, from: MasterKey, to: MasterKey): SecretEnvelope {
  const dataKey = unwrapDataKey(envelope, from);
  try {
    // The value must open too: re-wrapping a key whose value was altered would launder the damage.
    if (!gcmOpen(dataKey, envelope.value, valueAad(envelope.name, envelope.version)))
      throw unreadable(envelope.name, 'its value does not authenticate under its data key');
    return {
      ...envelope,
      masterKeyId: to.id,
      dataKey: gcmSeal(to.key, dataKey, dataKeyAad(envelope.name, envelope.version, to.id)),
    };
  } finally {
    dataKey.fill(0);
  }
}

function unwrapDataKey(envelope: SecretEnvelope, master: MasterKey): Buffer {
  // INVARIANT: callers pass the key the envelope names; a mismatch is a caller bug, refused all the same.
  if (envelope.masterKeyId !== master.id)
    throw unreadable(envelope.name, `it is wrapped by master key ${envelope.masterKeyId}, not ${master.id}`);
  const key = gcmOpen(
    master.key,
    envelope.dataKey,
    dataKeyAad(envelope.name, envelope.version, envelope.masterKeyId),
  );
  if (!key || key.length !== DATA_KEY_BYTES)
    throw unreadable(envelope.name, `its data key does not authenticate under master key ${master.id}`);
  return key;
}

// Names cannot hold a newline and versions are integers, so these encodings are unambiguous.
const valueAad = (name: string, version: number) =>
  Buffer.from(`gatehouse secret value v1\n${name}\n${version}`);
const dataKeyAad = (name: string, version: number, masterKeyId: string) =>
  Buffer.from(`gatehouse secret data key v1\n${name}\n${version}\n${masterKeyId}`);

function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): SealedBytes {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: iv.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** The plaintext, or undefined when anything fails to authenticate or has the wrong shape. */
function gcmOpen(key: Uint8Array, sealed: SealedBytes, aad: Uint8Array): Buffer | undefined {
  const iv = strictBase64url(sealed.iv);
  const tag = strictBase64url(sealed.tag);
  const ciphertext = strictBase64url(sealed.ciphertext);
  // A short tag would weaken authentication (GCM accepts tags down to 4 bytes unless told otherwise).
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** Decodes base64url only when it is canonical: Node's decoder skips characters it does not know. */
function strictBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function unreadable(name: string, why: string): SecretError {
  return new SecretError('GH_SECRET_UNREADABLE', `secret '${name}' cannot be decrypted: ${why}`, name);
}
