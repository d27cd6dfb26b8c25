import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Where `npm run build` puts the console's assets: `packages/server/console`,
 * beside `dist`, so the server package ships them.
 */
export const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

/**
 * The console's Content-Security-Policy: its own scripts and styles only,
 * no inline code, no eval, no framing, requests to its own origin only.
 * Built by Vite, the app needs nothing looser; a script an attacker manages
 * to inject into the page has nowhere to load from and nowhere to send to.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(reply: { header(name: string, value: string): unknown }): void {
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}

/**
 * `/console/`: the single-page app, with strict security headers. The page
 * holds no data of its own: everything it shows comes from the public API.
 */
export async function consoleAssetRoutes(
  app: FastifyInstance,
  opts: { dir?: string; origin?: string } = {},
): Promise<void> {
  const dir = opts.dir ?? CONSOLE_ASSETS_DIR;
  const origin = opts.origin !== undefined ? new URL(opts.origin) : undefined;
  // Passkeys and the CSRF check are bound to one origin: someone who opened the console at the
  // loopback address is sent to `localhost`, where passkeys work. (Only then: behind a proxy the
  // Host header may differ from the console's origin for good reasons.)
  const loopbackAlias =
    origin?.hostname === 'localhost'
      ? new Set([`127.0.0.1:${origin.port}`, `[::1]:${origin.port}`])
      : new Set<string>();
  app.addHook('onRequest', async (request, reply) => {
    if (origin && loopbackAlias.has(request.headers.host ?? ''))
      return reply.redirect(`${origin.origin}${request.url}`, 308);
  });
  app.get('/console', async (_request, reply) => reply.redirect('/console/', 308));
  if (!existsSync(`${dir}/index.html`)) {
    app.get('/console/*', async (_request, reply: FastifyReply) => {
      secure(reply);
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console was not built: run `npm run build` in the Gatehouse repository.\n');
    });
    return;
  }
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/console/',
    index: ['index.html'],
    // Hashed file names under assets/ never change; the page itself is always fetched fresh.
    cacheControl: false,
    setHeaders: (res, path) => {
      secure(res);
      res.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
      );
    },
  });
}
