import type { FastifyServerOptions } from 'fastify';

/** Log levels the server accepts (`GATEHOUSE_LOG_LEVEL`), pino's names. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How the server logs: one format, JSON lines, made readable for a person at a terminal. */
export interface LogSettings {
  readonly level?: LogLevel;
  /** Render the same records for a terminal (pino-pretty) instead of raw JSON lines. */
  readonly pretty?: boolean;
  /** Where the records go (default stdout); tests read them from a stream. */
  readonly stream?: NodeJS.WritableStream;
}

/**
 * The server's logger: every line is a pino JSON record (on a terminal, the same records
 * rendered by pino-pretty), with credentials in headers censored. Nothing else writes to the
 * log, so a collector never meets a plain-text line between JSON ones.
 */
export function loggerOptions(settings: LogSettings): FastifyServerOptions['logger'] {
  return {
    level: settings.level ?? 'info',
    ...(settings.stream && !settings.pretty && { stream: settings.stream }),
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '***' },
    ...(settings.pretty && {
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true },
      },
    }),
  };
}
