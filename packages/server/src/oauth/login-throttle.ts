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

  /** Throws a 429 `invalid_client` when the client id or the address is blocked. */
  async check(clientId: string, address: string | undefined): Promise<void> {
    const checks: Promise<RateLimiterRes | null>[] = [this.#perClient.get(clientId)];
    if (address !== undefined) checks.push(this.#perAddress.get(address));
    const [client, source] = await Promise.all(checks);
    const blockedMs = Math.max(
      blockedFor(client, LOGIN_THROTTLE.failuresPerClient),
      blockedFor(source, LOGIN_THROTTLE.failuresPerAddress),
    );
    if (blockedMs > 0) throw throttled(blockedMs);
  }

  /** Counts one failed authentication against the client id and the address. */
  async fail(clientId: string, address: string | undefined): Promise<void> {
    const consume = (limiter: RateLimiterMemory, key: string) =>
      limiter.consume(key).catch((res: unknown) => {
        // Over the bound: the block starts now; the next `check` refuses.
        if (!(res instanceof RateLimiterRes)) throw res;
      });
    await Promise.all([
      consume(this.#perClient, clientId),
      address === undefined ? undefined : consume(this.#perAddress, address),
    ]);
  }
}

function blockedFor(res: RateLimiterRes | null | undefined, points: number): number {
  return res && res.consumedPoints >= points ? Math.max(1, res.msBeforeNext) : 0;
}

function throttled(ms: number): OAuthError {
  const seconds = Math.ceil(ms / 1000);
  return new OAuthError(
    'invalid_client',
    `too many failed client authentications; retry after ${seconds} s`,
    { status: 429, retryAfterS: seconds },
  );
}
