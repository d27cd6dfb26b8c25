import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GatehouseError } from '@gatehouse/core';
import { CompactEncrypt, type CompactJWEHeaderParameters, compactDecrypt } from 'jose';

/** Length of the master key in bytes: an AES-256 key. */
export const MASTER_KEY_BYTES = 32;

/** The variable holding the current master key (base64url of 32 bytes). */
export const MASTER_KEY_ENV = 'GATEHOUSE_MASTER_KEY';
/** The variable holding earlier master keys, comma separated: still accepted for decryption. */
export const PREVIOUS_MASTER_KEYS_ENV = 'GATEHOUSE_MASTER_KEY_PREVIOUS';

/**
 * Loads the key that encrypts Gatehouse's own secrets at rest (signing keys,
 * the audit key, brokered credentials): from `GATEHOUSE_MASTER_KEY` (base64url
 * of 32 bytes) when set, else from a key file, which is created with mode 0600
 * on first use.
 *
 * A key file readable by others is refused: anyone who can read it can read
 * every secret the store holds.
 */
export async function loadMasterKey(options: {
  env?: NodeJS.ProcessEnv;
  keyFile: string;
}): Promise<Uint8Array> {
  const fromEnv = options.env?.[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return decodeMasterKey(fromEnv, MASTER_KEY_ENV);
  const existing = await readKeyFile(options.keyFile);
  if (existing) return existing;
  const created = await createMasterKeyFile(options.keyFile);
  return created ?? loadMasterKey(options);
}

/**
 * Creates a master key file (mode 0600, in a 0700 folder) unless one exists;
 * resolves to the new key, or undefined when the file was already there. The
 * key is never printed or logged.
 */
export async function createMasterKeyFile(keyFile: string): Promise<Uint8Array | undefined> {
  const key = randomBytes(MASTER_KEY_BYTES);
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  // `wx`: never overwrite a key another process created a moment ago.
  try {
    await writeFile(keyFile, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  await chmod(keyFile, 0o600);
  return new Uint8Array(key);
}

/**
 * Loads every master key this process holds: the current one (as
 * `loadMasterKey` does) and the previous ones, from `GATEHOUSE_MASTER_KEY_PREVIOUS`
 * (comma separated) and from `previousKeyFiles` (`identity.previousMasterKeyFiles`),
 * which must exist: a previous key is never created.
 *
 * The previous keys are what makes master-key rotation work without downtime:
 * items wrapped by any of them still decrypt, while everything written from
 * now on is wrapped by the current key; `gatehouse secrets rewrap` then moves
 * the rest over, after which the previous keys can be dropped.
 */
export async function loadMasterKeys(options: {
  env?: NodeJS.ProcessEnv;
  keyFile: string;
  previousKeyFiles?: readonly string[];
}): Promise<MasterKeys> {
  const current = await loadMasterKey(options);
  const previous: Uint8Array[] = [];
  const listed = options.env?.[PREVIOUS_MASTER_KEYS_ENV];
  if (listed !== undefined && listed.trim() !== '') {
    listed.split(',').forEach((text, i) => {
      previous.push(decodeMasterKey(text.trim(), `${PREVIOUS_MASTER_KEYS_ENV} (item ${i + 1})`));
    });
  }
  for (const file of options.previousKeyFiles ?? []) {
    const key = await readKeyFile(file);
    if (!key)
      throw new GatehouseError('GH_MASTER_KEY', `the previous master key file ${file} does not exist`);
    previous.push(key);
  }
  return MasterKeys.of(current, previous);
}

/**
 * A master key's identifier: the first 96 bits of HMAC-SHA-256 under the key
 * of a fixed label. It tells which key wrapped an item without revealing
 * anything of the key (HMAC is a PRF), so the store and the CLI can show it.
 */
export function masterKeyId(key: Uint8Array): string {
  return `mk_${createHmac('sha256', key).update('gatehouse master key id v1').digest().subarray(0, 12).toString('base64url')}`;
}

/** One master key and its identifier. */
export interface MasterKey {
  readonly id: string;
  readonly key: Uint8Array;
}

/**
 * The master keys a process holds: the current one encrypts; the current and
 * the previous ones decrypt.
 */
export class MasterKeys {
  private constructor(
    /** The key everything is (re-)encrypted under. */
    readonly current: MasterKey,
    /** Earlier keys, accepted for decryption only. */
    readonly previous: readonly MasterKey[],
  ) {}

  /** The key set from raw keys; a previous key equal to the current one (or repeated) is dropped. */
  static of(current: Uint8Array, previous: readonly Uint8Array[] = []): MasterKeys {
    const head = { id: masterKeyId(current), key: current };
    const rest: MasterKey[] = [];
    for (const key of previous) {
      const id = masterKeyId(key);
      if (id !== head.id && !rest.some((k) => k.id === id)) rest.push({ id, key });
    }
    return new MasterKeys(head, rest);
  }

  /** Every key, the current one first. */
  get all(): readonly MasterKey[] {
    return [this.current, ...this.previous];
  }

  /** The key with this id, if this process holds it. */
  byId(id: string): MasterKey | undefined {
    return this.all.find((k) => k.id === id);
  }

  /** A compact JWE (`dir`, `A256GCM`) of `plaintext` under the current key, with `header` protected. */
  encryptJwe(plaintext: Uint8Array, header: { kid?: string } = {}): Promise<string> {
    return new CompactEncrypt(plaintext)
      .setProtectedHeader({ ...header, alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.current.key);
  }

  /**
   * Decrypts a compact JWE made by `encryptJwe` under any key held, the
   * current one first (AES-GCM's tag tells a wrong key from the right one).
   * Fails with `GH_MASTER_KEY`, naming the key ids tried, never key material.
   */
  async decryptJwe(
    jwe: string,
    what: string,
  ): Promise<{ plaintext: Uint8Array; header: CompactJWEHeaderParameters; keyId: string }> {
    for (const { id, key } of this.all) {
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        });
        return { plaintext, header: protectedHeader, keyId: id };
      } catch {
        // Try the next key; the last failure is reported below.
      }
    }
    throw new GatehouseError(
      'GH_MASTER_KEY',
      `${what} cannot be decrypted with the master key(s) this process holds (${this.describe()}); ` +
        `was ${MASTER_KEY_ENV} changed without listing the old key in ${PREVIOUS_MASTER_KEYS_ENV}?`,
    );
  }

  /** The ids of the keys held, for messages: `mk_… (current), mk_… (previous)`. */
  describe(): string {
    return [`${this.current.id} (current)`, ...this.previous.map((k) => `${k.id} (previous)`)].join(', ');
  }
}

/** The key set for a raw key (the single-key form older callers pass) or a key set. */
export function toMasterKeys(keys: Uint8Array | MasterKeys): MasterKeys {
  return keys instanceof MasterKeys ? keys : MasterKeys.of(keys);
}

/** The key in `file`, or undefined when there is no such file; refuses a file others can read. */
async function readKeyFile(file: string): Promise<Uint8Array | undefined> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) {
      throw new GatehouseError(
        'GH_MASTER_KEY',
        `master key file ${file} is readable by other users; run: chmod 600 ${file}`,
      );
    }
    return decodeMasterKey((await readFile(file, 'utf8')).trim(), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function decodeMasterKey(text: string, where: string): Uint8Array {
  const key = Buffer.from(text, 'base64url');
  if (key.length !== MASTER_KEY_BYTES || key.toString('base64url') !== text.replace(/=+$/, '')) {
    // Say where the bad key came from, never what it was.
    throw new GatehouseError(
      'GH_MASTER_KEY',
      `the master key in ${where} is not base64url of ${MASTER_KEY_BYTES} bytes`,
    );
  }
  return new Uint8Array(key);
}
