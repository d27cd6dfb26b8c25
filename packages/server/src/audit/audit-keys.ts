import { readFile } from 'node:fs/promises';
import { type AuditCheckpoint, checkpointPayload, GatehouseError } from '@gatehouse/core';
import {
  CompactSign,
  type CryptoKey,
  calculateJwkThumbprint,
  compactVerify,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { type MasterKeys, toMasterKeys } from '../identity/master-key.js';
import type { AuditStore } from './audit-store.js';

/** Checkpoints are signed with Ed25519 (RFC 8037) as compact JWS. */
const ALG = 'EdDSA';
const CHECKPOINT_TYP = 'gatehouse-audit-checkpoint';

/** The key that signs checkpoints. */
export interface AuditSigningKey {
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
}

/**
 * The audit signing key: created on first use and kept in the store with its
 * private half encrypted under the master key. Two processes starting at once
 * may both create one; the first one stored wins and both use it.
 */
export async function loadAuditSigningKey(
  store: AuditStore,
  masterKey: Uint8Array | MasterKeys,
): Promise<AuditSigningKey> {
  const masterKeys = toMasterKeys(masterKey);
  let [record] = await store.listAuditKeys();
  if (!record) {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwe = await masterKeys.encryptJwe(
      new TextEncoder().encode(JSON.stringify(await exportJWK(privateKey))),
      { kid },
    );
    await store.insertAuditKey({
      kid,
      publicJwk: JSON.stringify({ ...publicJwk, kid, alg: ALG, use: 'sig' }),
      privateJwe,
      createdAt: new Date(),
    });
    [record] = await store.listAuditKeys();
    if (!record) throw new GatehouseError('GH_STORE_UNAVAILABLE', 'the audit key could not be stored');
  }
  const { plaintext } = await masterKeys.decryptJwe(record.privateJwe, 'the audit signing key');
  const privateJwk = JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
  return {
    kid: record.kid,
    publicJwk: JSON.parse(record.publicJwk) as JWK,
    privateKey: (await importJWK(privateJwk, ALG)) as CryptoKey,
  };
}

/** Signs the chain's head at `seq` as a checkpoint. */
export async function signCheckpoint(
  key: AuditSigningKey,
  head: { seq: number; hash: string },
  time: Date,
): Promise<AuditCheckpoint> {
  const unsigned = { seq: head.seq, hash: head.hash, time: time.toISOString() };
  const jws = await new CompactSign(new TextEncoder().encode(checkpointPayload(unsigned)))
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: CHECKPOINT_TYP })
    .sign(key.privateKey);
  return { ...unsigned, kid: key.kid, jws };
}

/**
 * A checker of checkpoint signatures under a set of trusted public keys: a
 * checkpoint verifies when its JWS is valid under the key its kid names and
 * signs exactly its own seq, hash and time.
 */
export async function checkpointVerifier(
  publicJwks: readonly JWK[],
): Promise<(checkpoint: AuditCheckpoint) => Promise<boolean>> {
  const keys = new Map<string, CryptoKey>();
  for (const jwk of publicJwks) {
    if (jwk.d !== undefined)
      throw new GatehouseError('GH_USAGE', 'a public key was expected, not a private one');
    const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
    keys.set(kid, (await importJWK({ ...jwk, alg: ALG }, ALG)) as CryptoKey);
  }
  return async (checkpoint) => {
    const key = keys.get(checkpoint.kid);
    if (!key) return false;
    try {
      const { payload, protectedHeader } = await compactVerify(checkpoint.jws, key, { algorithms: [ALG] });
      return (
        protectedHeader.kid === checkpoint.kid &&
        new TextDecoder().decode(payload) === checkpointPayload(checkpoint)
      );
    } catch {
      return false;
    }
  };
}

/** Public keys from a file holding a JWK or a JWK Set. */
export async function readPublicKeys(file: string): Promise<JWK[]> {
  const text = await readUserFile(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the file, which may hold a secret.
    throw new GatehouseError('GH_USAGE', `${file} is not JSON: a JWK or a JWK Set was expected`);
  }
  const keys = (parsed as { keys?: unknown }).keys ?? [parsed];
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null || !('kty' in k)))
    throw new GatehouseError('GH_USAGE', `${file} holds neither a JWK nor a JWK Set`);
  return keys as JWK[];
}

/** A file a user named, as text; a failure names the file and the error code, nothing of its content. */
export async function readUserFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new GatehouseError(
      'GH_USAGE',
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}
