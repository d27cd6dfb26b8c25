import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { OAuthError } from './oauth-error.js';

/**
 * Failed client authentications allowed per client id, and per source
 * address, within `LOGIN_THROTTLE.windowS`; past either, further attempts are
 * refused without hashing for `blockS`. A secret check costs one scrypt (tens
 * of milliseconds of CPU), so unthrottled failures are a CPU denial of
 * service; the per-address bound stops one host spraying many client ids.
 */
export const LOGIN_THROTTLE = {
  failuresPerClient: 10,
  failuresPerAddress: 30,
  windowS: 60,
  blockS: 60,
} as const;

/**
 * Counts failed client authentications per client id and per source address
 * (rate-limiter-flexible, in memory: each node throttles what it hashes) and
 * refuses, with 429 and a retry delay, a client or address over its bound.
 */
export class LoginThrottle {
  readonly #perClient = new RateLimiterMemory({
    keyPrefix: 'login-client',
    points: LOGIN_THROTTLE.failuresPerClient,
    duration: LOGIN_THROTTLE.windowS,
    blockDuration: LOGIN_THROTTLE.blockS,
  });
  readonly #perAddress = new RateLimiterMemory({
    keyPrefix: 'login-address',
    points: LOGIN_THROTTLE.failuresPerAddress,
    duration: LOGIN_THROTTLE.windowS,
    blockDuration: LOGIN_THROTTLE.blockS,
  });

  /**
   * Counts one attempt against the client id and the address before its
   * secret is hashed, so that concurrent attempts cannot all slip past the
   * bound; throws a 429 `invalid_client` when either is over it. A success
   * gives the attempt back (`succeeded`).
   */
  async begin(clientId: string, address: string | undefined): Promise<void> {
    const attempts: Promise<number>[] = [consume(this.#perClient, clientId)];
    if (address !== undefined) attempts.push(consume(this.#perAddress, address));
    const blockedMs = Math.max(0, ...(await Promise.all(attempts)));
    if (blockedMs > 0) throw throttled(blockedMs);
  }

  /** Gives back the attempt `begin` counted: only failures count. */
  async succeeded(clientId: string, address: string | undefined): Promise<void> {
    await Promise.all([
      this.#perClient.reward(clientId, 1),
      address === undefined ? undefined : this.#perAddress.reward(address, 1),
    ]);
  }
}

/** Consumes one point; the milliseconds the key stays blocked when it was already over, else 0. */
async function consume(limiter: RateLimiterMemory, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (res) {
    if (res instanceof RateLimiterRes) return Math.max(1, res.msBeforeNext);
    throw res;
  }
}

function throttled(ms: number): OAuthError {
  const seconds = Math.ceil(ms / 1000);
  return new OAuthError(
    'invalid_client',
    `too many failed client authentications; retry after ${seconds} s`,
    { status: 429, retryAfterS: seconds },
  );
}
