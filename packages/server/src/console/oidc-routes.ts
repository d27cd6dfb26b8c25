import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as oidc from 'openid-client';
import type { AuditSink } from '../audit/audit-log.js';
import type { ConsoleConfig } from '../config/load.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { UserRecord, UserRole } from '../identity/identity-store.js';
import type { Store } from '../store/index.js';
import { type ConsoleSessions, isLoopbackOrigin, signInRecorder } from './console-sessions.js';

/** How long a person may spend at the identity provider. */
const SIGN_IN_MS = 10 * 60_000;
/** Binds the browser that started a sign-in to the one that finishes it (the flow id, nothing secret). */
const FLOW_COOKIE = 'gh_console_oidc';
const CALLBACK_PATH = '/v1/session/oidc/callback';

/** Why single sign-on refused someone, in words for the sign-in page. */
class SsoRefusal extends Error {}

/**
 * Single sign-on with OpenID Connect, authorization code flow with PKCE
 * (`openid-client`): `GET /v1/session/oidc` sends the browser to the
 * provider; `GET /v1/session/oidc/callback` checks state, nonce and the ID
 * token, matches the person by verified email to the user registry, and
 * starts a console session. Roles come from the registry; a groups claim
 * mapped in `console.oidc.groupRoles` may enrol a person the registry does
 * not know yet, never widen the roles of one it knows.
 */
export async function oidcRoutes(
  app: FastifyInstance,
  opts: {
    sessions: ConsoleSessions;
    config: NonNullable<ConsoleConfig['oidc']>;
    baseUrl: string;
    store: Store;
    admin: AgentAdmin;
    audit?: AuditSink;
  },
): Promise<void> {
  const { sessions, config, baseUrl } = opts;
  const accounts = sessions.accounts;
  const redirectUri = `${baseUrl}${CALLBACK_PATH}`;
  let discovered: Promise<oidc.Configuration> | undefined;
  const provider = () => {
    discovered ??= oidc
      .discovery(
        new URL(config.issuer),
        config.clientId,
        config.clientSecret,
        undefined,
        // Plain HTTP only for a provider on this machine (development, tests).
        isLoopbackOrigin(new URL(config.issuer).origin)
          ? { execute: [oidc.allowInsecureRequests] }
          : undefined,
      )
      .catch((err: unknown) => {
        discovered = undefined; // ask again next time: the provider may come back
        throw err;
      });
    return discovered;
  };
  const back = (reply: FastifyReply, problem: string) =>
    reply.redirect(`/console/?sso_error=${encodeURIComponent(problem)}`, 303);
  const recordSignIn = signInRecorder(opts.audit);

  app.get('/v1/session/oidc', async (request, reply) => {
    if (!(await sessions.admitSignIn(request)))
      return back(reply, 'Too many sign-in attempts from this address; wait a minute and try again.');
    let configuration: oidc.Configuration;
    try {
      configuration = await provider();
    } catch (err) {
      reply.log.warn({ err }, 'OpenID provider discovery failed');
      return back(
        reply,
        'The single sign-on provider cannot be reached right now; try again, or use a passkey.',
      );
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const flow = randomBytes(24).toString('base64url');
    await accounts.putFlow({
      id: flow,
      kind: 'oidc',
      data: { verifier, state, nonce },
      expiresAt: Date.now() + SIGN_IN_MS,
    });
    // Lax, not Strict: the provider's redirect back is a cross-site navigation.
    reply.setCookie(FLOW_COOKIE, flow, {
      path: '/v1/session/oidc',
      httpOnly: true,
      sameSite: 'lax',
      secure: sessions.secure,
      maxAge: SIGN_IN_MS / 1000,
    });
    const target = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: `openid email${config.groupsClaim ? ' profile' : ''}`,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return reply.redirect(target.href, 303);
  });

  app.get(CALLBACK_PATH, async (request, reply) => {
    const flowId = request.cookies[FLOW_COOKIE];
    reply.clearCookie(FLOW_COOKIE, { path: '/v1/session/oidc' });
    const flow = flowId ? await accounts.takeFlow(flowId, 'oidc', Date.now()) : undefined;
    if (!flow) {
      await recordSignIn(undefined, 'denied', 'single sign-on answer without a sign-in in progress');
      return back(reply, 'The sign-in took too long or was started in another browser; start again.');
    }
    let email: string | undefined;
    try {
      const configuration = await provider();
      const tokens = await oidc.authorizationCodeGrant(configuration, new URL(request.url, baseUrl), {
        pkceCodeVerifier: flow.data.verifier as string,
        expectedState: flow.data.state as string,
        expectedNonce: flow.data.nonce as string,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new SsoRefusal('the provider sent no ID token');
      // Providers that follow OIDC Core 5.4 strictly put scope claims in UserInfo, not the ID token.
      const claims: Record<string, unknown> =
        idToken.email === undefined
          ? {
              ...(await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub)),
              sub: idToken.sub,
            }
          : idToken;
      email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
      // An unverified address could be anyone's: matching people by it would hand out their roles.
      if (!email || claims.email_verified !== true)
        throw new SsoRefusal('your account at the provider has no verified email address');
      const user = await personFor(email, claims[config.groupsClaim ?? ''], opts);
      if (!user)
        throw new SsoRefusal(
          `${email} is not a Gatehouse user; ask an admin to add you (gatehouse users create)`,
        );
      await recordSignIn(user.email, 'succeeded', 'single sign-on');
      await sessions.start(reply, user, 'oidc');
      return reply.redirect('/console/#/approvals', 303);
    } catch (err) {
      const problem =
        err instanceof SsoRefusal
          ? err.message
          : 'the answer of the single sign-on provider could not be verified; start again';
      if (!(err instanceof SsoRefusal)) reply.log.warn({ err }, 'OpenID Connect callback refused');
      await recordSignIn(
        email,
        'denied',
        `single sign-on: ${err instanceof Error ? err.message : 'refused'}`,
      );
      return back(reply, `Sign-in refused: ${problem}.`);
    }
  });
}

/** The registry's person for a verified email; one enrolled by a mapped group when the registry has none. */
async function personFor(
  email: string,
  groupsClaim: unknown,
  opts: { config: NonNullable<ConsoleConfig['oidc']>; store: Store; admin: AgentAdmin },
): Promise<UserRecord | undefined> {
  const known = await opts.store.findUserByEmail(email);
  if (known) return known;
  const groups = Array.isArray(groupsClaim)
    ? groupsClaim.filter((g): g is string => typeof g === 'string')
    : [];
  const roles = [...new Set(groups.flatMap((g) => opts.config.groupRoles[g] ?? []))] as UserRole[];
  if (roles.length === 0) return undefined;
  return (await opts.admin.createUser(email, roles)).user;
}
