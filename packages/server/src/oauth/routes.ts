import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { AuthorizationServer } from './authorization-server.js';
import { parseForm } from './form.js';
import { OAuthError } from './oauth-error.js';

/** Largest form body accepted by the OAuth endpoints: tokens and assertions are small. */
export const OAUTH_BODY_LIMIT = 16 * 1024;

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The OAuth endpoints as a Fastify plugin: RFC 8414 metadata, JWKS, token,
 * introspection and revocation. Every failure, including a malformed body,
 * a wrong content type or an oversize request, is answered as RFC 6749 §5.2
 * says — never as a 500 carrying a stack.
 */
export async function oauthRoutes(
  app: FastifyInstance,
  opts: { server: AuthorizationServer },
): Promise<void> {
  const { server } = opts;

  // Only form bodies reach these routes; anything else is a client error we
  // answer ourselves rather than with Fastify's 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    FORM_TYPE,
    { parseAs: 'string', bodyLimit: OAUTH_BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: OAUTH_BODY_LIMIT }, (_req, _body, done) =>
    done(null, undefined),
  );

  app.setErrorHandler((error: FastifyError | OAuthError, request, reply) => {
    // RFC 6749 §5.2: the Basic challenge answers a client that used the Authorization header.
    const usedBasic = /^Basic\s/i.test(String(request.headers.authorization ?? ''));
    if (error instanceof OAuthError) return sendError(reply, error, usedBasic);
    const status = error.statusCode ?? 500;
    if (status === 413)
      return sendError(reply, new OAuthError('invalid_request', 'request body too large', { status: 413 }));
    if (status >= 400 && status < 500)
      return sendError(reply, new OAuthError('invalid_request', 'malformed request'));
    reply.log.error({ err: error }, 'oauth endpoint failed');
    return sendError(reply, new OAuthError('server_error', 'the authorization server failed; try again'));
  });

  app.get('/.well-known/oauth-authorization-server', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return server.metadata();
  });

  app.get('/oauth/jwks', async (_request, reply) => {
    // Short cache: a pre-published key must reach verifiers before it signs.
    reply.header('cache-control', 'public, max-age=60');
    return server.jwks();
  });

  const formOf = (request: { headers: Record<string, unknown>; body: unknown }): Record<string, string> => {
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (type !== FORM_TYPE || typeof request.body !== 'string') {
      throw new OAuthError('invalid_request', `the body must be ${FORM_TYPE}`);
    }
    return parseForm(request.body);
  };
  const authorizationOf = (request: { headers: Record<string, unknown> }) => {
    const header = request.headers.authorization;
    return typeof header === 'string' ? header : undefined;
  };

  app.post('/oauth/token', async (request, reply) => {
    const result = await server.token(formOf(request), authorizationOf(request), new Date(), request.ip);
    noStore(reply);
    return result;
  });

  app.post('/oauth/introspect', async (request, reply) => {
    const result = await server.introspect(formOf(request), authorizationOf(request), new Date(), request.ip);
    noStore(reply);
    return result;
  });

  app.post('/oauth/revoke', async (request, reply) => {
    await server.revoke(formOf(request), authorizationOf(request), new Date(), request.ip);
    noStore(reply);
    return reply.code(200).send();
  });
}

function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
}

function sendError(reply: FastifyReply, error: OAuthError, usedBasic = false): FastifyReply {
  noStore(reply);
  if (error.retryAfterS !== undefined) reply.header('retry-after', String(error.retryAfterS));
  if (error.status === 401 && usedBasic)
    reply.header('www-authenticate', 'Basic realm="gatehouse", charset="UTF-8"');
  return reply.code(error.status).type('application/json').send(error.toJSON());
}
