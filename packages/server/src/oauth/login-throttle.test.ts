import { describe, expect, it } from 'vitest';
import { LOGIN_THROTTLE, LoginThrottle } from './login-throttle.js';
import { OAuthError } from './oauth-error.js';

async function refusal(promise: Promise<void>): Promise<OAuthError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
}

describe('LoginThrottle', () => {
  it('refuses a client id past its failures, and only that id', async () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < LOGIN_THROTTLE.failuresPerClient; i++)
      expect(await refusal(throttle.begin('agt_a', undefined))).toBeUndefined();
    const refused = await refusal(throttle.begin('agt_a', undefined));
    expect(refused?.status).toBe(429);
    expect(refused?.retryAfterS).toBeGreaterThan(0);
    expect(await refusal(throttle.begin('agt_b', undefined))).toBeUndefined();
  });

  it('lets no more attempts through than the bound when they arrive at once', async () => {
    const throttle = new LoginThrottle();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => refusal(throttle.begin('agt_c', undefined))),
    );
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(LOGIN_THROTTLE.failuresPerClient);
  });

  it('does not count successes', async () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 3 * LOGIN_THROTTLE.failuresPerClient; i++) {
      expect(await refusal(throttle.begin('agt_d', undefined))).toBeUndefined();
      await throttle.succeeded('agt_d', undefined);
    }
  });

  it('refuses an address spraying many client ids', async () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < LOGIN_THROTTLE.failuresPerAddress; i++)
      await throttle.begin(`agt_${i}`, '203.0.113.7');
    expect((await refusal(throttle.begin('agt_new', '203.0.113.7')))?.status).toBe(429);
    expect(await refusal(throttle.begin('agt_new', '203.0.113.8'))).toBeUndefined();
  });
});
