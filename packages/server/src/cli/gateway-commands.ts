import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { categoriesFromAnnotations } from '@gatehouse/core';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage, Tool } from '@modelcontextprotocol/sdk/types.js';
import { stringify } from 'yaml';
import type { AuditLog } from '../audit/audit-log.js';
import { findConfigPath, type GatehouseConfig, loadConfig } from '../config/load.js';
import { approveToolPin } from '../gateway/tool-pins.js';
import { Upstream } from '../gateway/upstream.js';
import type { SecretSource } from '../gateway/upstream-secrets.js';
import type { Store } from '../store/index.js';
import { withStoreAndAudit } from './audit-commands.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

/** Opens what expands `${secret:…}` for an upstream the CLI starts itself (`tools import`). */
export type SecretsOpener = (
  config: GatehouseConfig,
  store: Store,
  log: AuditLog,
) => Promise<SecretSource | undefined>;

/** `upstream.tool` as the admin types it. */
function splitToolName(name: string): { upstream: string; tool: string } {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1)
    throw new UsageError(`'${name}' is not <upstream>.<tool> (for example files.read_text_file)`);
  return { upstream: name.slice(0, dot), tool: name.slice(dot + 1) };
}

/** `gatehouse tools approve <upstream>.<tool> --as EMAIL`: the held definition becomes the pinned one. */
export async function toolsApprove(
  io: CliIo,
  name: string,
  opts: { as: string; hash: string; config?: string; json?: boolean },
): Promise<number> {
  const { upstream, tool } = splitToolName(name);
  if (!/^[0-9a-f]{12,64}$/.test(opts.hash))
    throw new UsageError(
      '--hash takes the held hash (at least its first 12 hex digits) that `tools show` printed',
    );
  return withStoreAndAudit(io, opts.config, async (store, audit) => {
    const user = (await store.listUsers()).find((u) => u.email === opts.as.toLowerCase());
    if (!user?.roles.includes('admin')) {
      io.stderr(
        `error: ${opts.as} is not a user with the admin role; only admins approve tool definitions\n`,
      );
      return EXIT.failed;
    }
    const result = await approveToolPin(store, audit, upstream, tool, user.email, opts.hash);
    if (result === 'hash-mismatch') {
      io.stderr(
        `error: the definition held for ${name} is not the one with hash ${opts.hash}; it changed since you looked. Run 'gatehouse tools show ${name}' again\n`,
      );
      return EXIT.failed;
    }
    if (opts.json) printJson(io, { tool: name, result });
    else if (result === 'approved')
      io.stdout(`approved the new definition of ${name}; calls to it run again\n`);
    else if (result === 'nothing-pending') io.stdout(`${name} has no held definition; nothing changed\n`);
    else io.stderr(`error: no pinned tool ${name}: the gateway has not listed it yet\n`);
    return result === 'unknown-tool' ? EXIT.failed : EXIT.ok;
  });
}

/** `gatehouse tools show <upstream>.<tool>`: the pinned definition, and the held one to review. */
export async function toolsShow(
  io: CliIo,
  name: string,
  opts: { config?: string; json?: boolean },
): Promise<number> {
  const { upstream, tool } = splitToolName(name);
  return withStoreAndAudit(io, opts.config, async (store) => {
    const pin = (await store.listToolPins(upstream)).find((p) => p.tool === tool);
    if (!pin) {
      io.stderr(`error: no pinned tool ${name}: the gateway has not listed it yet\n`);
      return EXIT.failed;
    }
    const view = {
      tool: name,
      pinned: pin.hash === '' ? null : { hash: pin.hash, definition: JSON.parse(pin.definition) as unknown },
      ...(pin.pending && {
        held: {
          hash: pin.pending.hash,
          reason: pin.pending.reason,
          definition: JSON.parse(pin.pending.definition) as unknown,
        },
      }),
      ...(pin.approvedBy !== undefined && { approved_by: pin.approvedBy }),
    };
    if (opts.json) printJson(io, view);
    else {
      io.stdout(`${name}\n`);
      io.stdout(
        view.pinned
          ? `pinned ${view.pinned.hash}\n${JSON.stringify(view.pinned.definition, null, 2)}\n`
          : 'pinned: nothing yet\n',
      );
      if (view.held)
        io.stdout(
          `held (${view.held.reason}) ${view.held.hash}\n${JSON.stringify(view.held.definition, null, 2)}\n` +
            `approve with: gatehouse tools approve ${name} --hash ${view.held.hash.slice(0, 12)} --as <admin email>\n`,
        );
    }
    return EXIT.ok;
  });
}

/** `gatehouse tools pins`: every pinned upstream tool and whether a changed definition is held. */
export async function toolsPins(
  io: CliIo,
  opts: { upstream?: string; config?: string; json?: boolean },
): Promise<number> {
  return withStoreAndAudit(io, opts.config, async (store) => {
    const pins = await store.listToolPins(opts.upstream);
    const rows = pins.map((p) => ({
      tool: `${p.upstream}.${p.tool}`,
      status: p.pending ? (p.pending.reason === 'suspect' ? 'held-suspect' : 'held-changed') : 'pinned',
      hash: p.hash,
      ...(p.pending && { held_hash: p.pending.hash }),
      ...(p.approvedBy !== undefined && { approved_by: p.approvedBy }),
      updated_at: p.updatedAt.toISOString(),
    }));
    if (opts.json) printJson(io, rows);
    else if (rows.length === 0)
      io.stdout('no tools pinned yet: they are pinned when the gateway first lists them\n');
    else
      for (const r of rows)
        io.stdout(
          `${r.status.padEnd(13)} ${r.tool}  ${r.hash.slice(0, 12) || '(none)'}${r.held_hash ? ` → ${r.held_hash.slice(0, 12)}` : ''}\n`,
        );
    return EXIT.ok;
  });
}

/**
 * `gatehouse tools import <upstream>`: the upstream's tools as a catalog YAML
 * for review, with categories inferred from its MCP annotations. Annotations
 * are the server's own claims, so the file says to check them.
 */
export async function toolsImport(
  io: CliIo,
  upstreamName: string,
  opts: { out?: string; config?: string },
  openSecrets: SecretsOpener,
): Promise<number> {
  return withStoreAndAudit(io, opts.config, async (store, audit, config) => {
    const upstreamConfig = config.upstreams[upstreamName];
    if (!upstreamConfig) {
      const known = Object.keys(config.upstreams);
      throw new UsageError(
        `no upstream named '${upstreamName}' in ${config.file}${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`,
      );
    }
    const secrets = await openSecrets(config, store, audit);
    const upstream = new Upstream(upstreamConfig, secrets ? { secrets } : {});
    let tools: Tool[];
    try {
      tools = await upstream.listTools();
    } finally {
      await upstream.close();
    }
    const text = catalogYaml(upstreamName, tools);
    if (opts.out === undefined) io.stdout(text);
    else {
      const path = resolve(io.cwd, opts.out);
      await writeFile(path, text, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') throw new UsageError(`${path} exists; nothing was written`);
        throw err;
      });
      io.stdout(
        `wrote ${tools.length} tools of '${upstreamName}' to ${path}; review the categories before use\n`,
      );
    }
    return EXIT.ok;
  });
}

/** The catalog document for an upstream's tools. */
export function catalogYaml(upstream: string, tools: readonly Tool[]): string {
  const entries: Record<string, Record<string, unknown>> = {};
  for (const tool of tools) {
    const annotations = tool.annotations ?? {};
    const { $schema: _dialect, ...schema } = tool.inputSchema as Record<string, unknown>;
    entries[`${upstream}.${tool.name}`] = {
      ...(tool.description !== undefined && { description: tool.description.slice(0, 1000) }),
      server: upstream,
      categories: [
        ...categoriesFromAnnotations({
          ...(annotations.readOnlyHint !== undefined && { readOnlyHint: annotations.readOnlyHint }),
          ...(annotations.destructiveHint !== undefined && { destructiveHint: annotations.destructiveHint }),
          ...(annotations.openWorldHint !== undefined && { openWorldHint: annotations.openWorldHint }),
          ...(annotations.idempotentHint !== undefined && { idempotentHint: annotations.idempotentHint }),
        }),
      ],
      schema,
    };
  }
  return (
    `# The tools of upstream '${upstream}', imported by 'gatehouse tools import' on ${new Date().toISOString().slice(0, 10)}.\n` +
    "# Review before use: the categories come from the MCP annotations, which are the server's own\n" +
    '# claims (a hostile server can call a delete "read-only"). Add labels such as [untrusted] to tools\n' +
    '# whose output carries outside content.\n' +
    stringify({ version: 1, tools: entries }, { lineWidth: 0 })
  );
}

/** Renew a token this long before it expires. */
const TOKEN_RENEW_MARGIN_S = 30;

/**
 * Where the relay's bearer token comes from: a fixed token (`GATEHOUSE_TOKEN`,
 * fine for a short session: tokens live minutes), or the agent's own client
 * credentials (`GATEHOUSE_CLIENT_ID` and `GATEHOUSE_CLIENT_SECRET`), with
 * which it fetches tokens bound to the upstream's resource and renews them.
 */
function bearerSource(
  io: CliIo,
  flag: string | undefined,
  base: string,
  resource: string,
): () => Promise<string> {
  const fixed = flag ?? io.env.GATEHOUSE_TOKEN;
  if (fixed) return async () => fixed;
  const clientId = io.env.GATEHOUSE_CLIENT_ID;
  const clientSecret = io.env.GATEHOUSE_CLIENT_SECRET;
  if (!clientId || !clientSecret)
    throw new UsageError(
      'a Gatehouse credential is needed: set GATEHOUSE_CLIENT_ID and GATEHOUSE_CLIENT_SECRET (tokens are fetched and renewed), or GATEHOUSE_TOKEN',
    );
  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const response = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || !body.access_token)
      throw new Error(
        `the token endpoint refused: ${body.error ?? response.status} ${body.error_description ?? ''}`.trim(),
      );
    current = {
      token: body.access_token,
      renewAt: Date.now() + Math.max(1, (body.expires_in ?? 60) - TOKEN_RENEW_MARGIN_S) * 1000,
    };
    return body.access_token;
  };
  return async () => {
    if (current && Date.now() < current.renewAt) return current.token;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/**
 * `gatehouse mcp stdio --upstream NAME`: for MCP clients that only launch
 * stdio servers. Relays JSON-RPC between this process's stdin/stdout and the
 * gateway's `/mcp/<upstream>`, with the agent's Gatehouse token; nothing is
 * decided here, the server runs the path.
 */
export async function mcpStdio(
  io: CliIo,
  opts: { upstream: string; url?: string; token?: string; config?: string },
): Promise<number> {
  let base = opts.url ?? io.env.GATEHOUSE_URL;
  if (base === undefined) {
    const config = await loadConfig(findConfigPath({ flag: opts.config, env: io.env, cwd: io.cwd }), io.env);
    base = config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`;
  }
  base = base.replace(/\/$/, '');
  const resource = `${base}/mcp/${opts.upstream}`;
  const bearer = bearerSource(io, opts.token, base, resource);
  if (!io.stdinStream || !io.stdoutStream)
    throw new UsageError('mcp stdio needs the process standard input and output');
  const upstream = new StreamableHTTPClientTransport(new URL(resource), {
    fetch: async (url, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${await bearer()}`);
      return fetch(url, { ...init, headers });
    },
  });
  const local = new StdioServerTransport(io.stdinStream, io.stdoutStream);
  const closed = new Promise<void>((done) => {
    local.onclose = () => done();
    upstream.onclose = () => done();
  });
  local.onmessage = (message: JSONRPCMessage) => {
    upstream.send(message).catch((err: unknown) => {
      // A request that cannot reach the gateway gets an error answer instead of hanging.
      if ('id' in message && 'method' in message)
        void local.send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32000, message: `gatehouse: ${err instanceof Error ? err.message : String(err)}` },
        });
      else io.stderr(`gatehouse: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  };
  upstream.onmessage = (message: JSONRPCMessage) => {
    void local.send(message);
  };
  upstream.onerror = (err) => io.stderr(`gatehouse: ${err.message}\n`);
  await upstream.start();
  await local.start();
  io.stdinStream.once('end', () => void local.close());
  await Promise.race([closed, io.stopSignal ?? new Promise<void>(() => undefined)]);
  await upstream.close().catch(() => undefined);
  return EXIT.ok;
}
