import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Credentials Gatehouse generates for agents and people: random, shown once,
 * stored only as a salted slow hash.
 */

/** Bytes of randomness in every generated credential: 256 bits. */
const CREDENTIAL_BYTES = 32;

// scrypt cost: N=2^14, r=8, p=1 is the interactive-login setting of the
// scrypt paper; it costs 20-90 ms of CPU per check depending on the machine,
// paid once per credential thanks to the verified-credential cache of the
// callers, and failures are throttled (oauth/login-throttle.ts).
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

/**
 * The exact shape of every credential `generateCredential` issues. scrypt
 * keys an HMAC with the credential, and HMAC pads a key shorter than its
 * 64-byte block with zeros, so `secret` and `secret\0\0` hash alike: only a
 * credential of exactly the issued length and alphabet (no control
 * characters, no padding) may reach the hash.
 */
const CREDENTIAL_SHAPE = new RegExp(`^gh[su]_[A-Za-z0-9_-]{${Math.ceil((CREDENTIAL_BYTES * 4) / 3)}}$`);

/** True when `credential` has the exact shape of an issued credential. */
export function isWellFormedCredential(credential: string): boolean {
  return CREDENTIAL_SHAPE.test(credential);
}

/**
 * True when `credential` matches a stored hash; constant-time in the hash
 * comparison. A credential that is not exactly the issued shape is refused
 * before hashing (see `CREDENTIAL_SHAPE`).
 */
export async function verifyCredential(credential: string, stored: string): Promise<boolean> {
  if (!isWellFormedCredential(credential)) return false;
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
