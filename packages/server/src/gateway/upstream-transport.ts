import { statSync } from 'node:fs';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { UpstreamConfig } from '../config/load.js';
import { UpstreamStartFailure } from './upstream-failures.js';

/**
 * The SDK transport of an upstream's own connection (its listings, and every frame of a stdio
 * upstream): a child process with its environment's secrets expanded, or Streamable HTTP with
 * the configured headers added to each request.
 */
export async function openTransport(
  config: UpstreamConfig,
  io: {
    /** Expands a value's `${secret:NAME}` references. */
    expand(value: string): Promise<string>;
    /** One line the child wrote to stderr, at most 500 characters, not yet scrubbed. */
    onStderr(line: string): void;
    /** The configured headers, their secrets expanded: asked per request. */
    httpHeaders(): Promise<Readonly<Record<string, string>>>;
  },
): Promise<Transport> {
  if (config.transport === 'stdio') {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(config.env)) env[key] = await io.expand(value);
    // A missing working directory would surface as a bare spawn error: say which one.
    let isDirectory = false;
    try {
      isDirectory = statSync(config.cwd).isDirectory();
    } catch {
      isDirectory = false;
    }
    if (!isDirectory)
      throw new UpstreamStartFailure(
        'missing-directory',
        `its working directory ${config.cwd} does not exist (upstreams.${config.name}.cwd, relative to the config file)`,
      );
    const transport = new StdioClientTransport({
      command: config.command,
      args: [...config.args],
      cwd: config.cwd,
      env,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      for (const raw of chunk.toString('utf8').split('\n'))
        if (raw.trim() !== '') io.onStderr(raw.slice(0, 500));
    });
    return transport;
  }
  // Headers are expanded per request, so a rotated secret applies at the next call.
  const fetchWithCredentials = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const merged = new Headers(init?.headers);
    for (const [key, value] of Object.entries(await io.httpHeaders())) merged.set(key, value);
    // A redirect could carry the credentials to another origin: refuse to follow one.
    return fetch(url, { ...init, headers: merged, redirect: 'error' });
  };
  return new StreamableHTTPClientTransport(new URL(config.url), { fetch: fetchWithCredentials });
}
