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
    for (let i = 0; i < LOGIN_THROTTLE.failuresPerClient; i++) {
      expect(await refusal(throttle.check('agt_a', undefined))).toBeUndefined();
      await throttle.fail('agt_a', undefined);
    }
    const refused = await refusal(throttle.check('agt_a', undefined));
    expect(refused?.status).toBe(429);
    expect(refused?.retryAfterS).toBeGreaterThan(0);
    expect(await refusal(throttle.check('agt_b', undefined))).toBeUndefined();
  });

  it('refuses an address spraying many client ids', async () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < LOGIN_THROTTLE.failuresPerAddress; i++)
      await throttle.fail(`agt_${i}`, '203.0.113.7');
    expect((await refusal(throttle.check('agt_new', '203.0.113.7')))?.status).toBe(429);
    expect(await refusal(throttle.check('agt_new', '203.0.113.8'))).toBeUndefined();
  });
});
