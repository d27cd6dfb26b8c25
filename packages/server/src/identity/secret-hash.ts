import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Credentials Gatehouse generates for agents and people: random, shown once,
 * stored only as a salted slow hash.
 */

/** Bytes of randomness in every generated credential: 256 bits. */
const CREDENTIAL_BYTES = 32;

// scrypt cost: N=2^14, r=8, p=1 is the interactive-login setting of the
// scrypt paper; it costs ~20 ms here, paid once per credential thanks to the
// verified-credential cache of the callers.
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

/**
 * A new credential with a recognisable prefix (`ghs_` agent secrets, `ghu_`
 * user tokens), so leaked ones are easy to find with a secret scanner.
 */
export function generateCredential(prefix: 'ghs' | 'ghu'): string {
  return `${prefix}_${randomBytes(CREDENTIAL_BYTES).toString('base64url')}`;
}

/** Hashes a credential for storage: `scrypt$N$r$p$salt$hash`. */
export async function hashCredential(credential: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(credential, salt, SCRYPT);
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** True when `credential` matches a stored hash; constant-time in the hash comparison. */
export async function verifyCredential(credential: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashText, 'base64url');
  const actual = await scryptAsync(credential, Buffer.from(saltText, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keylen: expected.length,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A fast, unsalted digest of a credential, used only as the key of in-memory
 * caches of already verified credentials. With 256 bits of randomness a
 * credential cannot be guessed from its digest; the slow hash is for the store.
 */
export function credentialDigest(credential: string): string {
  return createHash('sha256').update(credential).digest('base64url');
}

function scryptAsync(
  credential: string,
  salt: Buffer,
  params: { N: number; r: number; p: number; keylen: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      credential,
      salt,
      params.keylen,
      { N: params.N, r: params.r, p: params.p, maxmem: 64 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}
