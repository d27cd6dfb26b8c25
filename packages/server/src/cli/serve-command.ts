import { formatDiagnosticWithSource } from '@gatehouse/core';
import { findConfigPath, loadConfig } from '../config/load.js';
import { LOG_LEVELS, type LogLevel } from '../http/logger.js';
import { PolicyStartError, startServer } from '../server.js';
import { type CliIo, EXIT, UsageError } from './io.js';

/** `gatehouse serve`: runs until SIGINT/SIGTERM. */
export async function serve(
  io: CliIo,
  opts: { config?: string; port?: string; host?: string },
): Promise<number> {
  const port = opts.port === undefined ? undefined : Number(opts.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new UsageError(`--port must be a port number, not '${opts.port}'`);
  const level = io.env.GATEHOUSE_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new UsageError(`GATEHOUSE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not '${level}'`);
  const config = await loadConfig(findConfigPath({ flag: opts.config, env: io.env, cwd: io.cwd }), io.env);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, {
      ...(port !== undefined && { port }),
      ...(opts.host !== undefined && { host: opts.host }),
      env: io.env,
      logger: {
        level: level as LogLevel,
        pretty: (io.stdoutStream as { isTTY?: boolean } | undefined)?.isTTY === true,
      },
    });
  } catch (err) {
    if (err instanceof PolicyStartError) {
      for (const d of err.diagnostics) io.stderr(`${formatDiagnosticWithSource(d)}\n`);
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const host = opts.host ?? config.server.host;
      const port = opts.port ?? String(config.server.port);
      io.stderr(`error: ${await portInUse(host, port)}\n`);
      return EXIT.failed;
    }
    throw err;
  }
  const policy = server.runtime.policy;
  // Through the logger, like every other line the server writes: one format.
  server.app.log.info(
    { url: server.listenUrl, policy: policy.hash.slice(0, 12), rules: policy.rules.length },
    `gatehouse listening on ${server.listenUrl} (policy ${policy.hash.slice(0, 12)}: ${policy.rules.length} rules)`,
  );
  await (io.stopSignal ?? new Promise<never>(() => undefined));
  await server.close();
  return EXIT.ok;
}

/** Says who holds the port, as far as can be told from outside, and how to get past it. */
async function portInUse(host: string, port: string): Promise<string> {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  let gatehouse = false;
  try {
    const response = await fetch(`http://${where}/healthz`, { signal: AbortSignal.timeout(1000) });
    gatehouse = response.ok && ((await response.json()) as { status?: unknown }).status === 'ok';
  } catch {
    // Not an HTTP server that answers /healthz: some other program.
  }
  const holder = gatehouse
    ? 'another Gatehouse server is already running there (`npm start` or another `gatehouse serve`): stop it'
    : 'another program holds it: stop it';
  return `${where} is already in use; ${holder}, or run on another port with --port (or server.port in gatehouse.yaml)`;
}
