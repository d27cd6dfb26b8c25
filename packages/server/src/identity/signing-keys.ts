import { randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { type MasterKeys, toMasterKeys } from './master-key.js';

/** The JWS algorithm of every Gatehouse token: Ed25519 signatures (RFC 8037). */
export const SIGNING_ALG = 'EdDSA';

/** A signing key as the store keeps it: the private half only as a JWE under the master key. */
export interface SigningKeyRecord {
  readonly kid: string;
  readonly alg: typeof SIGNING_ALG;
  readonly publicJwk: JWK;
  /** Compact JWE (`dir`, `A256GCM`) of the private JWK. */
  readonly privateJwe: string;
  readonly createdAt: Date;
  /** When it starts signing. */
  readonly activatesAt: Date;
  /** When it stops signing. */
  readonly retiresAt: Date;
  /** When it leaves the JWKS: after every token it signed has expired. */
  readonly expiresAt: Date;
}

/** Where signing keys persist; the store implements it. */
export interface SigningKeyStore {
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  insertSigningKey(record: SigningKeyRecord): Promise<void>;
  deleteSigningKeysExpiredBefore(time: Date): Promise<number>;
}

/** Rotation timing. */
export interface KeyRotationOptions {
  /** How long a key signs before the next one takes over. */
  readonly rotationPeriodMs: number;
  /**
   * How long before it starts signing a new key is published in the JWKS, so
   * that verifiers caching the JWKS know it before any token carries it.
   */
  readonly prePublishMs: number;
  /** The longest a token lives: a retired key stays verifiable this long. */
  readonly maxTokenLifetimeMs: number;
  /** Clock skew allowed to verifiers. */
  readonly clockSkewMs: number;
}

interface LoadedKey {
  readonly record: SigningKeyRecord;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/**
 * The set of signing keys: which one signs now, which verify, and what the
 * JWKS publishes. Keys rotate with overlap — a new key is published before it
 * signs, and an old one stays verifiable until every token it signed has
 * expired — so no valid token fails verification during rotation.
 */
export class KeyRing {
  #keys: LoadedKey[] = [];

  private constructor(
    private readonly store: SigningKeyStore,
    private readonly masterKeys: MasterKeys,
    readonly options: KeyRotationOptions,
  ) {}

  /**
   * Loads the keys from the store and makes sure one can sign now. Private
   * halves are encrypted under the current master key and decrypted under
   * any key of `masterKey` (a single key, or a set during master-key rotation).
   */
  static async open(
    store: SigningKeyStore,
    masterKey: Uint8Array | MasterKeys,
    options: KeyRotationOptions,
    now = new Date(),
  ): Promise<KeyRing> {
    const ring = new KeyRing(store, toMasterKeys(masterKey), options);
    await ring.rotate(now);
    return ring;
  }

  /**
   * Brings the ring up to date: re-reads the store (another replica may have
   * rotated), creates a current key if none signs at `now`, pre-publishes the
   * next key when the current one nears retirement, and drops expired keys.
   * Call it on a timer; it is cheap when nothing is due.
   */
  async rotate(now = new Date()): Promise<void> {
    await this.reload();
    let current = this.currentAt(now);
    if (!current) {
      await this.create(now, now);
      await this.reload();
      current = this.currentAt(now)!;
    }
    const retires = current.record.retiresAt.getTime();
    const hasSuccessor = this.#keys.some((k) => k.record.activatesAt.getTime() >= retires);
    if (!hasSuccessor && now.getTime() >= retires - this.options.prePublishMs) {
      await this.create(now, current.record.retiresAt);
      await this.reload();
    }
    await this.store.deleteSigningKeysExpiredBefore(now);
  }

  /** The key that signs tokens issued at `now`. */
  signingKey(now = new Date()): { kid: string; key: CryptoKey; retiresAt: Date } {
    const current = this.currentAt(now);
    // INVARIANT: rotate() ran at open and runs on a timer, so a current key exists
    // unless the timer stopped; then refusing to sign is the safe failure.
    if (!current) throw new Error('no signing key is active; key rotation has not run');
    return { kid: current.record.kid, key: current.privateKey, retiresAt: current.record.retiresAt };
  }

  /** The public key for `kid`, if it is published at `now`. */
  verificationKey(kid: string | undefined, now = new Date()): CryptoKey | undefined {
    if (kid === undefined) return undefined;
    const key = this.#keys.find((k) => k.record.kid === kid);
    return key && key.record.expiresAt.getTime() > now.getTime() ? key.publicKey : undefined;
  }

  /** The JWKS document: every key published at `now`, current and next. */
  jwks(now = new Date()): { keys: JWK[] } {
    return {
      keys: this.#keys
        .filter((k) => k.record.expiresAt.getTime() > now.getTime())
        .map((k) => ({ ...k.record.publicJwk, kid: k.record.kid, alg: SIGNING_ALG, use: 'sig' })),
    };
  }

  private currentAt(now: Date): LoadedKey | undefined {
    const t = now.getTime();
    // Several candidates can exist if two replicas rotated at once; all are
    // valid, and the latest to activate (then the greatest kid) wins everywhere.
    return this.#keys
      .filter((k) => k.record.activatesAt.getTime() <= t && t < k.record.retiresAt.getTime())
      .sort(
        (a, b) =>
          b.record.activatesAt.getTime() - a.record.activatesAt.getTime() ||
          (b.record.kid > a.record.kid ? 1 : -1),
      )[0];
  }

  private async create(now: Date, activatesAt: Date): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, {
      crv: 'Ed25519',
      extractable: true,
    });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    const kid = `${await calculateJwkThumbprint(publicJwk)}.${randomUUID().slice(0, 8)}`;
    const privateJwe = await this.masterKeys.encryptJwe(
      new TextEncoder().encode(JSON.stringify(privateJwk)),
      {
        kid,
      },
    );
    const retiresAt = new Date(activatesAt.getTime() + this.options.rotationPeriodMs);
    await this.store.insertSigningKey({
      kid,
      alg: SIGNING_ALG,
      publicJwk,
      privateJwe,
      createdAt: now,
      activatesAt,
      retiresAt,
      expiresAt: new Date(retiresAt.getTime() + this.options.maxTokenLifetimeMs + this.options.clockSkewMs),
    });
  }

  private async reload(): Promise<void> {
    const records = await this.store.listSigningKeys();
    const known = new Map(this.#keys.map((k) => [k.record.kid, k]));
    const keys: LoadedKey[] = [];
    for (const record of records) {
      const existing = known.get(record.kid);
      if (existing) {
        keys.push(existing);
        continue;
      }
      const { plaintext } = await this.masterKeys.decryptJwe(record.privateJwe, `signing key ${record.kid}`);
      const privateJwk = JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
      keys.push({
        record,
        privateKey: (await importJWK(privateJwk, SIGNING_ALG)) as CryptoKey,
        publicKey: (await importJWK(record.publicJwk, SIGNING_ALG)) as CryptoKey,
      });
    }
    this.#keys = keys;
  }
}
