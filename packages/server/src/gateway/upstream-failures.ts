import { basename } from 'node:path';
import type { UpstreamConfig } from '../config/load.js';

/**
 * Why an upstream did not start, in words an admin can act on: what
 * happened, the child's last stderr lines, and a hint for the usual causes.
 */

/** Why an upstream last failed to start or stopped, in a word: safe to show on `/readyz`. */
export type UpstreamFailure = 'missing-directory' | 'command-not-found' | 'exited' | 'timeout' | 'error';

/** Environment variables `npx`/`npm` need behind a private CA or a proxy, which an upstream does not inherit. */
const NETWORK_ENV = [
  'NODE_EXTRA_CA_CERTS',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
] as const;

/** A failed start, with what an admin needs to fix it. */
export class UpstreamStartFailure extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    message: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

/** A start failure in words an admin can act on: what happened, the child's last lines, a hint. */
export function explainStartFailure(
  err: unknown,
  config: UpstreamConfig,
  stderrTail: readonly string[],
  startTimeoutMs: number,
): UpstreamStartFailure {
  let failure: UpstreamStartFailure;
  if (err instanceof UpstreamStartFailure) failure = err;
  else if ((err as NodeJS.ErrnoException)?.code === 'ENOENT' && config.transport === 'stdio')
    failure = new UpstreamStartFailure(
      'command-not-found',
      `the command '${config.command}' was not found on PATH`,
    );
  else if (err instanceof Error && /timed? ?out|aborted/i.test(`${err.name} ${err.message}`))
    failure = new UpstreamStartFailure('timeout', `it did not answer within ${startTimeoutMs / 1000} s`);
  else failure = new UpstreamStartFailure('error', err instanceof Error ? err.message : String(err));
  const parts = [`upstream '${config.name}' did not start: ${failure.message}`];
  if (stderrTail.length > 0) parts.push(`its stderr ended with:\n  ${stderrTail.join('\n  ')}`);
  const hint = hintFor(config, failure.failure);
  if (hint) parts.push(`hint: ${hint}`);
  return new UpstreamStartFailure(failure.failure, parts.join('; '), failure.exitCode);
}

/** What to try, for the failures that have a usual cause. */
function hintFor(config: UpstreamConfig, failure: UpstreamFailure): string | undefined {
  if (config.transport !== 'stdio') return undefined;
  if (failure === 'command-not-found')
    return `install it, or give its full path as upstreams.${config.name}.command`;
  const launcher = ['npx', 'npm', 'pnpm', 'yarn', 'bunx'].includes(basename(config.command));
  const missing = NETWORK_ENV.filter((name) => process.env[name] && config.env[name] === undefined);
  if (launcher && (failure === 'timeout' || failure === 'exited') && missing.length > 0)
    return `${config.command} runs with a minimal environment, without this process's ${missing.join(', ')}; if it must download the server, pass them: env: { ${missing.map((n) => `${n}: "\${env:${n}}"`).join(', ')} }`;
  if (launcher && failure === 'timeout')
    return `${config.command} may still be downloading the server, or cannot reach the registry from its minimal environment: install the server once (npm i …) and give its path as the command`;
  return undefined;
}
