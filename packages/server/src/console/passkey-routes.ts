import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditSink } from '../audit/audit-log.js';
import { newId } from '../identity/agent-admin.js';
import type { UserRecord } from '../identity/identity-store.js';
import { credentialDigest } from '../identity/secret-hash.js';
import { type ConsoleSessions, signInRecorder } from './console-sessions.js';

/** How long a person has to answer their authenticator. */
const CEREMONY_MS = 5 * 60_000;

/** The relying party: the console's host and origin. */
export interface RelyingParty {
  readonly id: string;
  readonly origin: string;
  readonly name: string;
}

const TOKEN_PARAM = {
  type: 'object',
  properties: { token: { type: 'string', pattern: '^ghi_[A-Za-z0-9_-]{43}$' } },
} as const;
/** A WebAuthn response as `@simplewebauthn/browser` sends it; the library checks the inside. */
const CREDENTIAL_RESPONSE = {
  type: 'object',
  required: ['id', 'rawId', 'response', 'type'],
  properties: {
    id: { type: 'string', maxLength: 1024 },
    rawId: { type: 'string', maxLength: 1024 },
    type: { const: 'public-key' },
    response: { type: 'object' },
  },
} as const;

/** The answer to a ceremony: which one, and the authenticator's response. */
const CEREMONY_ANSWER = {
  type: 'object',
  required: ['flow', 'response'],
  additionalProperties: false,
  properties: { flow: { type: 'string', maxLength: 64 }, response: CREDENTIAL_RESPONSE },
} as const;

/**
 * Sign-in with passkeys (WebAuthn, via `@simplewebauthn/server`) and
 * enrolment by one-time link:
 *
 * - `GET /v1/invites/:token` — whom a link enrols;
 * - `POST /v1/invites/:token/options`, `POST /v1/invites/:token` — register a passkey, then signed in;
 * - `POST /v1/session/passkey/options`, `POST /v1/session/passkey` — sign in with a discoverable passkey;
 * - `GET /v1/session` — who is signed in, the CSRF token; `DELETE /v1/session` — sign out.
 */
export async function passkeyRoutes(
  app: FastifyInstance,
  opts: { sessions: ConsoleSessions; rp: RelyingParty; sso?: boolean; audit?: AuditSink },
): Promise<void> {
  const { sessions, rp } = opts;
  const accounts = sessions.accounts;
  const refuse = (reply: FastifyReply, status: number, error: string, message: string) =>
    reply.code(status).send({ error, message });
  const recordSignIn = signInRecorder(opts.audit);
  const tooMany = (reply: FastifyReply) =>
    reply.code(429).header('retry-after', '60').send({
      error: 'too_many_sign_ins',
      message: 'too many sign-in attempts from this address; wait a minute',
    });
  /** Sign-in and enrolment are answered only to the console's own pages (login CSRF). */
  const crossOrigin = (request: FastifyRequest) => !sessions.sameOrigin(request);

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return refuse(reply, status, 'invalid_request', error.message);
    reply.log.error({ err: error }, 'console sign-in failed');
    return refuse(reply, 503, 'server_error', 'sign-in is unavailable right now; try again');
  });

  app.get('/v1/session', async (request, reply) => {
    const user = request.consoleUser;
    const session = request.consoleSession;
    if (!user || !session) return refuse(reply, 401, 'unauthorized', 'not signed in');
    return {
      email: user.email,
      roles: user.roles,
      method: session.method,
      csrf_token: session.csrfToken,
      idle_timeout_s: Math.floor(sessions.options.idleTimeoutMs / 1000),
      expires_at: new Date(session.expiresAt).toISOString(),
    };
  });

  app.get('/v1/session/methods', async () => ({ passkey: true, sso: opts.sso === true }));

  app.delete('/v1/session', async (request, reply) => {
    await sessions.end(request, reply);
    return reply.code(204).send();
  });

  app.get('/v1/invites/:token', { schema: { params: TOKEN_PARAM } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const invite = await accounts.openInvite(credentialDigest(token), Date.now());
    const user = invite && (await accounts.findUser(invite.userId));
    if (!user) return refuse(reply, 404, 'invite_invalid', 'this link has expired or was already used');
    return { email: user.email, roles: user.roles };
  });

  app.post('/v1/invites/:token/options', { schema: { params: TOKEN_PARAM } }, async (request, reply) => {
    if (crossOrigin(request)) return refuse(reply, 403, 'cross_origin', 'enrol from the console page');
    if (!(await sessions.admitSignIn(request))) return tooMany(reply);
    const { token } = request.params as { token: string };
    const invite = await accounts.openInvite(credentialDigest(token), Date.now());
    const user = invite && (await accounts.findUser(invite.userId));
    if (!user) return refuse(reply, 404, 'invite_invalid', 'this link has expired or was already used');
    const existing = await accounts.passkeysOf(user.id);
    const options = await generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.id,
      userName: user.email,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id })),
      // Discoverable, so that sign-in needs no email typed; verified, so the key alone is not enough.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const flow = newId('flw');
    await accounts.putFlow({
      id: flow,
      kind: 'passkey-enrol',
      data: { challenge: options.challenge, userId: user.id, invite: credentialDigest(token) },
      expiresAt: Date.now() + CEREMONY_MS,
    });
    return { flow, options };
  });

  app.post(
    '/v1/invites/:token',
    {
      bodyLimit: 64 * 1024,
      schema: {
        params: TOKEN_PARAM,
        body: CEREMONY_ANSWER,
      },
    },
    async (request, reply) => {
      if (crossOrigin(request)) return refuse(reply, 403, 'cross_origin', 'enrol from the console page');
      const { token } = request.params as { token: string };
      const body = request.body as { flow: string; response: RegistrationResponseJSON };
      const now = Date.now();
      const flow = await accounts.takeFlow(body.flow, 'passkey-enrol', now);
      if (!flow || flow.data.invite !== credentialDigest(token))
        return refuse(
          reply,
          400,
          'ceremony_expired',
          'the enrolment took too long or was already answered; start again',
        );
      const user = await accounts.findUser(flow.data.userId as string);
      if (!user) return refuse(reply, 404, 'invite_invalid', 'this link has expired or was already used');
      let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        verified = await verifyRegistrationResponse({
          response: body.response,
          expectedChallenge: flow.data.challenge as string,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: true,
        });
      } catch (err) {
        await recordSignIn(user.email, 'denied', `passkey enrolment refused: ${(err as Error).message}`);
        return refuse(
          reply,
          400,
          'passkey_invalid',
          `the passkey could not be verified: ${(err as Error).message}`,
        );
      }
      if (!verified.verified)
        return refuse(reply, 400, 'passkey_invalid', 'the passkey could not be verified');
      // INVARIANT: the invite is consumed before the passkey is stored, so two racing enrolments store one.
      if (!(await accounts.consumeInvite(credentialDigest(token), now)))
        return refuse(reply, 404, 'invite_invalid', 'this link has expired or was already used');
      const { credential } = verified.registrationInfo;
      await accounts.addPasskey({
        id: credential.id,
        userId: user.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: credential.transports ?? [],
        createdAt: now,
      });
      await recordSignIn(user.email, 'succeeded', 'passkey enrolled');
      await sessions.start(reply, user, 'passkey');
      return { email: user.email, roles: user.roles };
    },
  );

  app.post('/v1/session/passkey/options', async (request, reply) => {
    if (crossOrigin(request)) return refuse(reply, 403, 'cross_origin', 'sign in from the console page');
    if (!(await sessions.admitSignIn(request))) return tooMany(reply);
    const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required' });
    const flow = newId('flw');
    await accounts.putFlow({
      id: flow,
      kind: 'passkey-sign-in',
      data: { challenge: options.challenge },
      expiresAt: Date.now() + CEREMONY_MS,
    });
    return { flow, options };
  });

  app.post(
    '/v1/session/passkey',
    {
      bodyLimit: 64 * 1024,
      schema: {
        body: CEREMONY_ANSWER,
      },
    },
    async (request, reply) => {
      if (crossOrigin(request)) return refuse(reply, 403, 'cross_origin', 'sign in from the console page');
      const body = request.body as { flow: string; response: AuthenticationResponseJSON };
      const now = Date.now();
      const flow = await accounts.takeFlow(body.flow, 'passkey-sign-in', now);
      if (!flow)
        return refuse(
          reply,
          400,
          'ceremony_expired',
          'the sign-in took too long or was already answered; try again',
        );
      const passkey = await accounts.findPasskey(body.response.id);
      const user = passkey && (await accounts.findUser(passkey.userId));
      if (!passkey || !user) {
        await recordSignIn(undefined, 'denied', 'unknown passkey');
        return refuse(
          reply,
          401,
          'passkey_unknown',
          'this passkey is not registered here; ask an admin for a new link',
        );
      }
      let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        verified = await verifyAuthenticationResponse({
          response: body.response,
          expectedChallenge: flow.data.challenge as string,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: true,
          credential: {
            id: passkey.id,
            publicKey: Buffer.from(passkey.publicKey, 'base64url'),
            counter: passkey.counter,
          },
        });
      } catch (err) {
        await recordSignIn(user.email, 'denied', `passkey refused: ${(err as Error).message}`);
        return refuse(reply, 401, 'passkey_invalid', 'the passkey could not be verified');
      }
      if (
        !verified.verified ||
        !(await accounts.usePasskey(passkey.id, passkey.counter, verified.authenticationInfo.newCounter, now))
      ) {
        await recordSignIn(user.email, 'denied', 'passkey assertion refused');
        return refuse(reply, 401, 'passkey_invalid', 'the passkey could not be verified');
      }
      await recordSignIn(user.email, 'succeeded', 'passkey');
      await sessions.start(reply, user, 'passkey');
      return { email: user.email, roles: user.roles };
    },
  );
}
