import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GatehouseError } from '@gatehouse/core';

/** Length of the master key in bytes: an AES-256 key. */
export const MASTER_KEY_BYTES = 32;

/**
 * Loads the key that encrypts Gatehouse's own secrets at rest (signing keys
 * now, brokered credentials later): from `GATEHOUSE_MASTER_KEY` (base64url of
 * 32 bytes) when set, else from a key file, which is created with mode 0600
 * on first use.
 *
 * A key file readable by others is refused: anyone who can read it can read
 * every secret the store holds.
 */
export async function loadMasterKey(options: {
  env?: NodeJS.ProcessEnv;
  keyFile: string;
}): Promise<Uint8Array> {
  const fromEnv = options.env?.GATEHOUSE_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return decodeMasterKey(fromEnv, 'GATEHOUSE_MASTER_KEY');
  try {
    const info = await stat(options.keyFile);
    if ((info.mode & 0o077) !== 0) {
      throw new GatehouseError(
        'GH_MASTER_KEY',
        `master key file ${options.keyFile} is readable by other users; run: chmod 600 ${options.keyFile}`,
      );
    }
    return decodeMasterKey((await readFile(options.keyFile, 'utf8')).trim(), options.keyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(MASTER_KEY_BYTES);
  await mkdir(dirname(options.keyFile), { recursive: true, mode: 0o700 });
  // `wx`: never overwrite a key another process created a moment ago.
  try {
    await writeFile(options.keyFile, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadMasterKey(options);
    throw err;
  }
  await chmod(options.keyFile, 0o600);
  return new Uint8Array(key);
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
