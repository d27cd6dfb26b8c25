import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { UserRecord, UserRole } from '../identity/identity-store.js';

/**
 * Authenticates a human user by their personal API token (`Bearer ghu_…`),
 * or by their console session (a cookie, checked with its CSRF token before
 * any route runs, see console-sessions.ts), and checks their roles. Sends 401 or 403 and resolves to undefined when
 * the caller may not proceed.
 */
export async function requireUser(
  request: FastifyRequest,
  reply: FastifyReply,
  admin: AgentAdmin,
  roles: readonly UserRole[],
): Promise<UserRecord | undefined> {
  const match = request.headers.authorization?.match(/^Bearer\s+(ghu_[A-Za-z0-9_-]+)\s*$/);
  const user = match
    ? await admin.authenticateUser(match[1]!)
    : request.headers.authorization === undefined
      ? request.consoleUser
      : undefined;
  if (!user) {
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="gatehouse"')
      .send({ error: 'unauthorized', message: 'a user API token is required' });
    return undefined;
  }
  if (roles.length > 0 && !roles.some((r) => user.roles.includes(r))) {
    await reply
      .code(403)
      .send({ error: 'forbidden', message: `this needs one of the roles: ${roles.join(', ')}` });
    return undefined;
  }
  return user;
}
