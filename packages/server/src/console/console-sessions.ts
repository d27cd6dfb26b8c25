import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AuditSink } from '../audit/audit-log.js';
import { actionDraft } from '../audit/drafts.js';
import type { UserRecord } from '../identity/identity-store.js';
import { credentialDigest } from '../identity/secret-hash.js';
import type { ConsoleAccounts, ConsoleSessionRecord } from './console-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The person signed in to the console by this request's session cookie, if any. */
    consoleUser?: UserRecord;
    consoleSession?: ConsoleSessionRecord;
  }
}

/** Timeouts and cookie attributes of console sessions. */
export interface ConsoleSessionOptions {
  /** A session unused this long ends. */
  readonly idleTimeoutMs: number;
  /** A session ends this long after sign-in, however busy. */
  readonly absoluteTimeoutMs: number;
  /** The console's origin (`https://gatehouse.example.com`): requests from any other are refused. */
  readonly origin: string;
}

/** Defaults: half an hour idle, a working day in all (OWASP session management guidance). */
export const DEFAULT_CONSOLE_IDLE_MS = 30 * 60_000;
export const DEFAULT_CONSOLE_ABSOLUTE_MS = 12 * 60 * 60_000;

/** Sign-in ceremonies one address may start per minute: people retry a few times, scripts thousands. */
export const SIGN_INS_PER_MINUTE = 30;

/** A session's last-seen time is written at most this often: an idle clock this coarse is enough. */
const TOUCH_EVERY_MS = 15_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookie sessions of people using the console. The cookie is 256 random
 * bits, HttpOnly, SameSite=Strict, Secure unless the console is served on a
 * loopback address, and stored server-side only as its SHA-256; every
 * state-changing request must also carry the session's CSRF token in
 * `x-csrf-token` (a synchronizer token: SameSite alone does not cover
 * same-site subdomains or older browsers).
 */
export class ConsoleSessions {
  /** `__Host-` binds the cookie to this origin's host and path `/`; browsers accept it only when Secure. */
  readonly cookieName: string;
  readonly secure: boolean;
  readonly #signIns = new RateLimiterMemory({ points: SIGN_INS_PER_MINUTE, duration: 60 });

  constructor(
    readonly accounts: ConsoleAccounts,
    readonly options: ConsoleSessionOptions,
  ) {
    this.secure = !isLoopbackOrigin(options.origin);
    this.cookieName = this.secure ? '__Host-gh_console' : 'gh_console';
  }

  /** Signs a person in: a new session, its cookie on the reply. Resolves to the CSRF token. */
  async start(reply: FastifyReply, user: UserRecord, method: 'passkey' | 'oidc'): Promise<string> {
    const { cookie: id, csrfToken } = await this.issue(user, method);
    reply.setCookie(this.cookieName, id, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secure,
      // A browser-session cookie: the server's clocks decide when the session ends.
    });
    return csrfToken;
  }

  /** Creates a session and returns its cookie value (never stored) and CSRF token. */
  async issue(user: UserRecord, method: 'passkey' | 'oidc'): Promise<{ cookie: string; csrfToken: string }> {
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.accounts.createSession({
      idDigest: credentialDigest(cookie),
      userId: user.id,
      csrfToken,
      method,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.options.absoluteTimeoutMs,
    });
    return { cookie, csrfToken };
  }

  /** Ends the request's session, and clears its cookie. */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.consoleSession) await this.accounts.deleteSession(request.consoleSession.idDigest);
    this.clear(reply);
  }

  clear(reply: FastifyReply): void {
    reply.clearCookie(this.cookieName, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secure,
    });
  }

  /** The live session a cookie value names, or why there is none. */
  async resolve(
    cookieValue: string,
    now = Date.now(),
  ): Promise<{ user: UserRecord; session: ConsoleSessionRecord } | { ended: string }> {
    const idDigest = credentialDigest(cookieValue);
    const session = await this.accounts.findSession(idDigest);
    if (!session) return { ended: 'unknown' };
    if (now >= session.expiresAt || now - session.lastSeenAt >= this.options.idleTimeoutMs) {
      await this.accounts.deleteSession(idDigest);
      return { ended: now >= session.expiresAt ? 'absolute-timeout' : 'idle-timeout' };
    }
    const user = await this.accounts.findUser(session.userId);
    if (!user) {
      await this.accounts.deleteSession(idDigest);
      return { ended: 'user-removed' };
    }
    // Coarse enough to spare the store, fine enough that a short idle timeout still sees activity.
    if (now - session.lastSeenAt >= Math.min(TOUCH_EVERY_MS, this.options.idleTimeoutMs / 4))
      await this.accounts.touchSession(idDigest, now);
    return { user, session };
  }

  /** True when a state-changing request proves it comes from the console page of this session. */
  csrfHolds(request: FastifyRequest, session: ConsoleSessionRecord): boolean {
    const header = request.headers['x-csrf-token'];
    if (typeof header !== 'string') return false;
    const given = Buffer.from(header);
    const expected = Buffer.from(session.csrfToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return this.sameOrigin(request);
  }

  /**
   * Whether an address may start another sign-in ceremony now: each one stores a challenge,
   * so unbounded starts would fill the store, and bounded ones slow down guessing.
   */
  async admitSignIn(request: FastifyRequest): Promise<boolean> {
    try {
      await this.#signIns.consume(request.ip);
      return true;
    } catch {
      return false;
    }
  }

  /** Fetch metadata and Origin, when the browser sends them, must name this console's origin. */
  sameOrigin(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== this.options.origin) return false;
    const site = request.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin';
  }
}

/**
 * Installs console sessions on the app's root, so every route sees
 * `request.consoleUser`: a request with a session cookie and no bearer token
 * is the cookie's person. A state-changing request without the session's
 * CSRF token is refused before any route runs; every state-changing console
 * request is audited (door `console`) before it runs — if that write fails,
 * the request is refused — and its result after.
 */
export async function installConsoleSessions(
  app: FastifyInstance,
  sessions: ConsoleSessions,
  audit: AuditSink | undefined,
): Promise<void> {
  const { default: cookie } = await import('@fastify/cookie');
  await app.register(cookie);
  app.decorateRequest('consoleUser', undefined);
  app.decorateRequest('consoleSession', undefined);

  app.addHook('onRequest', async (request, reply) => {
    // A bearer token speaks for itself; a cookie is never combined with one.
    if (request.headers.authorization !== undefined) return;
    const value = request.cookies[sessions.cookieName];
    if (value === undefined || value === '') return;
    const found = await sessions.resolve(value);
    if ('ended' in found) {
      sessions.clear(reply);
      return;
    }
    if (!SAFE_METHODS.has(request.method) && !sessions.csrfHolds(request, found.session)) {
      await record(audit, found.user, request, 'denied', { reason: 'csrf' }).catch(() => undefined);
      return reply.code(403).send({
        error: 'csrf',
        message: 'this change did not come from the console page (missing or wrong CSRF token); reload it',
      });
    }
    request.consoleUser = found.user;
    request.consoleSession = found.session;
  });

  app.addHook('preHandler', async (request, reply) => {
    if (!request.consoleUser || SAFE_METHODS.has(request.method)) return;
    try {
      await record(audit, request.consoleUser, request, 'allowed');
    } catch {
      return reply.code(503).send({
        error: 'audit_unavailable',
        message: 'the audit log cannot record this change; nothing was done',
      });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!request.consoleUser || SAFE_METHODS.has(request.method)) return;
    const status = reply.statusCode;
    const outcome = status < 400 ? 'succeeded' : status === 401 || status === 403 ? 'denied' : 'failed';
    await record(audit, request.consoleUser, request, outcome, { status }).catch((err: unknown) =>
      request.log.error({ err }, 'recording a console action failed'),
    );
  });
}

async function record(
  audit: AuditSink | undefined,
  user: UserRecord,
  request: FastifyRequest,
  outcome: 'allowed' | 'denied' | 'succeeded' | 'failed',
  extra: Record<string, unknown> = {},
): Promise<void> {
  await audit?.append(
    actionDraft({
      type: 'admin',
      action: `console ${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
      outcome,
      who: { person: user.email },
      door: 'console',
      extra: { path: request.url.split('?')[0], ...extra },
    }),
  );
}

/** True for `http://127.0.0.1:…`, `http://[::1]:…` and `http://localhost:…`: no TLS there, and no network either. */
export function isLoopbackOrigin(origin: string): boolean {
  const { hostname, protocol } = new URL(origin);
  if (protocol === 'https:') return false;
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Records sign-in attempts, refused ones too, in the audit log (door `console`). */
export function signInRecorder(audit: AuditSink | undefined) {
  return (email: string | undefined, outcome: 'succeeded' | 'denied', detail: string) =>
    audit?.append(
      actionDraft({
        type: 'admin',
        action: 'console.sign-in',
        outcome,
        who: email ? { person: email } : {},
        door: 'console',
        detail,
      }),
    );
}
