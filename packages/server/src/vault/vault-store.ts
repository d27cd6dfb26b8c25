/**
 * A secret as the store keeps it: the value sealed under its own data key, and
 * the data key wrapped by a master key (envelope encryption). Binary fields
 * are base64url text, which both dialects store alike.
 */
export interface StoredSecret {
  readonly name: string;
  /** 1 when set, +1 at each rotation; bound into the value's AAD. */
  readonly version: number;
  /** The master key that wrapped the data key (`masterKeyId`): never key material. */
  readonly masterKeyId: string;
  /** The value under the data key: AES-256-GCM. */
  readonly value: SealedBytes;
  /** The data key under the master key: AES-256-GCM. */
  readonly dataKey: SealedBytes;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One AES-256-GCM output, each part base64url. */
export interface SealedBytes {
  /** 96-bit nonce. */
  readonly iv: string;
  readonly ciphertext: string;
  /** 128-bit authentication tag. */
  readonly tag: string;
}

/**
 * Where the vault persists, and what master-key rotation rewrites; the store
 * implements it. Every replace is a compare-and-set, so two processes (a
 * rotation and a rewrap, two rewraps) never lose each other's write.
 */
export interface VaultStore {
  /** Stores a new secret; resolves false when the name is taken. */
  insertSecret(secret: StoredSecret): Promise<boolean>;
  getSecret(name: string): Promise<StoredSecret | undefined>;
  /** Every secret, by name. */
  listSecrets(): Promise<StoredSecret[]>;
  /** The version of every secret, by name: cheap enough to poll. */
  secretVersions(): Promise<{ name: string; version: number }[]>;
  /** Replaces a secret if it still has the `expected` version and master key; false when it does not. */
  swapSecret(secret: StoredSecret, expected: { version: number; masterKeyId: string }): Promise<boolean>;
  /** True when the secret existed. */
  deleteSecret(name: string): Promise<boolean>;
  /** Replaces a signing key's private JWE if it is still `expected` (master-key rewrap). */
  swapSigningKeyJwe(kid: string, expected: string, next: string): Promise<boolean>;
  /** Replaces the audit key's private JWE if it is still `expected` (master-key rewrap). */
  swapAuditKeyJwe(kid: string, expected: string, next: string): Promise<boolean>;
}
