import { JsonInputError, type JsonLimits, parseJsonStrict } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';

/**
 * Replaces Fastify's JSON body parser in `app`'s scope with `parseJsonStrict`:
 * bodies over `limits` or with duplicate keys are refused with 400 (413 when
 * too large), whose message names the place, before any route sees them.
 * With `refusedBody`, a refused body becomes the body that function returns
 * instead, for routes that answer in their own protocol (JSON-RPC).
 */
export function useStrictJson(
  app: FastifyInstance,
  limits: JsonLimits,
  refusedBody?: (error: JsonInputError) => unknown,
): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: limits.maxLength },
    (_request, body, done) => {
      try {
        done(null, parseJsonStrict(body as string, limits));
      } catch (err) {
        if (refusedBody && err instanceof JsonInputError) return done(null, refusedBody(err));
        // Fastify answers with the error's statusCode; the route's error handler words it.
        const status = (err as { status?: number }).status ?? 400;
        done(Object.assign(err as Error, { statusCode: status }), undefined);
      }
    },
  );
}
