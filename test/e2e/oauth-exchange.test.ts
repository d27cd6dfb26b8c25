import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TYPE, insecure, oauthError, useOAuthServer } from './oauth-fixture.js';

/** RFC 8693 token exchange through oauth4webapi: delegation, narrowing, acting for a user. */

const fx = useOAuthServer();

describe('token exchange (RFC 8693)', () => {
  it('delegates to another agent with the intersection of scopes and a nested act claim', async () => {
    const a = await fx.newAgent(['email.*', 'orders_db.query']);
    const b = await fx.newAgent(['email.send', 'payments.*']);
    const aToken = (await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const delegated = await fx.exchange(b.clientId, b.clientSecret!, {
      subject_token: aToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(delegated.scope).toBe('email.send');
    expect(delegated.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    const claims = decodeJwt(delegated.access_token);
    expect(claims).toMatchObject({
      sub: a.clientId,
      client_id: b.clientId,
      act: { sub: b.clientId, act: { sub: a.clientId } },
      gh_depth: 1,
    });
    const identity = await fx.server.identity.verifier.verify(delegated.access_token, {
      audience: fx.server.url,
    });
    expect(identity.delegationChain).toEqual([a.clientId, b.clientId]);
  });

  it('never mints a token in the name of an agent whose token was only presented as actor_token', async () => {
    const a = await fx.newAgent(['email.*']);
    const b = await fx.newAgent(['email.*', 'payments.*']);
    const aToken = (await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const bToken = (await fx.clientCredentials(b.clientId, oauth.ClientSecretBasic(b.clientSecret!)))
      .access_token;
    const impersonation = fx.exchange(a.clientId, a.clientSecret!, {
      subject_token: aToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: bToken,
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    expect((await oauthError(impersonation)).error).toBe('invalid_grant');
  });

  it('gives an exchanged token no longer a life than its source, and revoking the source revokes it', async () => {
    const a = await fx.newAgent(['email.*']);
    const b = await fx.newAgent(['email.*']);
    const aToken = (await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const aExp = decodeJwt(aToken).exp!;
    // Narrowing one's own token again and again never renews it.
    let narrowed = aToken;
    for (let i = 0; i < 3; i++) {
      narrowed = (
        await fx.exchange(a.clientId, a.clientSecret!, {
          subject_token: narrowed,
          subject_token_type: ACCESS_TOKEN_TYPE,
        })
      ).access_token;
      expect(decodeJwt(narrowed).exp!).toBeLessThanOrEqual(aExp);
    }
    const delegated = (
      await fx.exchange(b.clientId, b.clientSecret!, {
        subject_token: aToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
      })
    ).access_token;
    expect(decodeJwt(delegated).exp!).toBeLessThanOrEqual(aExp);
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(
        fx.as,
        { client_id: a.clientId },
        oauth.ClientSecretBasic(a.clientSecret!),
        aToken,
        insecure,
      ),
    );
    await fx.server.identity.cache.refresh();
    for (const derived of [narrowed, delegated])
      await expect(
        fx.server.identity.verifier.verify(derived, { audience: fx.server.url }),
      ).rejects.toMatchObject({
        code: 'GH_TOKEN_REVOKED',
      });
  });

  it('refuses an exchange that would widen scopes', async () => {
    const a = await fx.newAgent(['email.read']);
    const b = await fx.newAgent(['email.*', 'payments.*']);
    const aToken = (await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const widened = fx.exchange(b.clientId, b.clientSecret!, {
      subject_token: aToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      scope: 'email.send',
    });
    expect((await oauthError(widened)).error).toBe('invalid_scope');
  });

  it('refuses delegation deeper than the configured limit', async () => {
    const a = await fx.newAgent(['email.*']);
    const b = await fx.newAgent(['email.*']);
    const c = await fx.newAgent(['email.*']);
    const aToken = (await fx.clientCredentials(a.clientId, oauth.ClientSecretBasic(a.clientSecret!)))
      .access_token;
    const bToken = (
      await fx.exchange(b.clientId, b.clientSecret!, {
        subject_token: aToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
      })
    ).access_token;
    const deeper = fx.exchange(c.clientId, c.clientSecret!, {
      subject_token: bToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(await oauthError(deeper)).toEqual({ error: 'invalid_grant', status: 400 });
  });

  it("lets an agent act for a user from a trusted issuer, within the agent's grants", async () => {
    const agent = await fx.newAgent(['email.*']);
    const userToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer('https://login.example.test')
      .setSubject('user:carol')
      .setAudience('gatehouse')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(fx.idpKey);
    const onBehalf = await fx.exchange(agent.clientId, agent.clientSecret!, {
      subject_token: userToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      scope: 'email.read',
    });
    expect(decodeJwt(onBehalf.access_token)).toMatchObject({
      sub: 'user:carol',
      client_id: agent.clientId,
      act: { sub: agent.clientId },
      scope: 'email.read',
    });
    const identity = await fx.server.identity.verifier.verify(onBehalf.access_token, {
      audience: fx.server.url,
    });
    expect(identity.userSubject).toBe('user:carol');
    expect(identity.userEmail).toBeUndefined();

    // The user's email travels with the token, so approvals can tell the user from a voter.
    const withEmail = await fx.exchange(agent.clientId, agent.clientSecret!, {
      subject_token: await new SignJWT({ email: 'Carol@Example.com', email_verified: true })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer('https://login.example.test')
        .setSubject('00u1carol')
        .setAudience('gatehouse')
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(fx.idpKey),
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      scope: 'email.read',
    });
    expect(
      await fx.server.identity.verifier.verify(withEmail.access_token, { audience: fx.server.url }),
    ).toMatchObject({ userSubject: '00u1carol', userEmail: 'carol@example.com' });
    // Acting for the user lasts no longer than the user's own token (60 s here, not 5 min).
    expect(withEmail.expires_in).toBeLessThanOrEqual(60);

    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://login.example.test')
      .setSubject('user:mallory')
      .setAudience('gatehouse')
      .setExpirationTime('5m')
      .sign((await generateKeyPair('ES256')).privateKey);
    expect(
      (
        await oauthError(
          fx.exchange(agent.clientId, agent.clientSecret!, {
            subject_token: forged,
            subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          }),
        )
      ).error,
    ).toBe('invalid_grant');
  });
});
