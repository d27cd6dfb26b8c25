import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The real MCP servers from npm that the gateway is tested against. */
export const FILESYSTEM_SERVER = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-filesystem/dist/index.js'),
);
export const EVERYTHING_SERVER = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);
const LOOPBACK_PRELOAD = fileURLToPath(new URL('./loopback-listen.mjs', import.meta.url));

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** `server-everything` over Streamable HTTP on a loopback port; resolves once it listens. */
export async function startEverythingHttp(): Promise<{
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', LOOPBACK_PRELOAD, EVERYTHING_SERVER, 'streamableHttp'], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${seen}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (/listening on port/i.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything exited with ${code}: ${seen}`));
    });
  });
  child.stderr?.resume();
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Config lines (under `upstreams:`) for the everything server over stdio, with these tools catalogued. */
export function everythingStdioUpstream(tools: Record<string, string>): string[] {
  return [
    '  everything:',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(EVERYTHING_SERVER)}, stdio]`,
    '    tools:',
    ...Object.entries(tools).map(([tool, definition]) => `      ${tool}: ${definition}`),
  ];
}

/** A relay on loopback in front of an HTTP MCP server that records what reaches it (headers, POST bodies). */
export async function startRecorder(target: string): Promise<{
  url: string;
  headers: Record<string, unknown>[];
  bodies: string[];
  stop(): Promise<void>;
}> {
  const headers: Record<string, unknown>[] = [];
  const bodies: string[] = [];
  const upstream = new URL(target);
  const server = createHttpServer((req, res) => {
    headers.push({ ...req.headers });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST') bodies.push(body.toString('utf8'));
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: upstream.pathname,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    headers,
    bodies,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
