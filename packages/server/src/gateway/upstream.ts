import type { ChildProcess } from 'node:child_process';
import { GatehouseError } from '@gatehouse/core';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  type GetPromptResult,
  type ListPromptsRequest,
  type ListPromptsResult,
  type ListResourcesRequest,
  type ListResourcesResult,
  type ListResourceTemplatesRequest,
  type ListResourceTemplatesResult,
  McpError,
  type ReadResourceResult,
  ResultSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamConfig } from '../config/load.js';
import { secretRefs } from '../vault/secret-refs.js';
import { HttpRelay } from './http-relay.js';
import { readFrames, relayCalls, type StdioCalls } from './stdio-calls.js';
import { gatewayClient, type UpstreamEvents } from './upstream-client.js';
import { explainStartFailure, type UpstreamFailure, UpstreamStartFailure } from './upstream-failures.js';
import { expandSecrets, MIN_SCRUBBED_LENGTH, type SecretSource, scrubSecrets } from './upstream-secrets.js';
import { openTransport } from './upstream-transport.js';

/** Waits between restarts of an upstream that keeps dying: short first, then capped. */
const RESTART_BACKOFF_MS = [200, 500, 1000, 2000, 5000, 10_000, 30_000] as const;
/** An upstream that stayed up this long has its backoff forgiven. */
const STABLE_AFTER_MS = 60_000;
/** How long a call waits for an upstream to (re)start before it fails. */
const START_TIMEOUT_MS = 30_000;
/** A call waits this long at most for a scheduled restart; a longer backoff fails it at once. */
const MAX_WAIT_FOR_RESTART_MS = 2000;
/** Most tools taken from one upstream: each one is pinned, hashed and stored. */
export const MAX_TOOLS = 1000;

export type UpstreamState = 'idle' | 'starting' | 'up' | 'restarting' | 'closed';

export type { UpstreamFailure } from './upstream-failures.js';

/** An upstream's health, as `/readyz` shows it. */
export interface UpstreamStatus {
  readonly transport: 'stdio' | 'http';
  readonly state: UpstreamState;
  readonly restarts: number;
  /** What the last failure was; the details (stderr, paths, hints) are in `lastError` and the log. */
  readonly failure?: UpstreamFailure;
  /** The exit code of a stdio upstream that exited while starting. */
  readonly exitCode?: number;
  readonly lastError?: string;
}

/** Lines of a stdio upstream's stderr kept to explain a failure. */
const STDERR_TAIL_LINES = 10;

/**
 * One upstream MCP server, reached through the official SDK client: started
 * on first use, restarted with backoff when it dies, shared by every agent
 * session of the gateway. Credentials from the vault are expanded only here,
 * at start (stdio env) or per request (HTTP headers).
 */
export class Upstream {
  #client: Client | undefined;
  /** The relay's requests over the client's stdio connection (see `StdioCalls`); none over HTTP. */
  #calls: StdioCalls | undefined;
  #starting: Promise<Client> | undefined;
  #state: UpstreamState = 'idle';
  #restarts = 0;
  #failures = 0;
  #upSince = 0;
  #lastError: string | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #pid: number | undefined;
  #nextStartAt = 0;
  /** Secret values this upstream was given: scrubbed from whatever it returns. */
  readonly #revealed = new Set<string>();
  #inFlight = 0;
  /** Counts the connections made: a new one may serve new tool definitions. */
  #generation = 0;
  #stderrTail: string[] = [];
  #failure: { kind: UpstreamFailure; exitCode?: number } | undefined;
  #recycleWhenIdle = false;

  constructor(
    readonly config: UpstreamConfig,
    private readonly options: UpstreamEvents & { secrets?: SecretSource } = {},
  ) {
    if (config.transport === 'http') this.http = new HttpRelay(config.url, () => this.httpHeaders());
  }

  /** The keep-alive pool that relays agents' frames to a Streamable HTTP upstream. */
  readonly http: HttpRelay | undefined;
  #staticHeaders: Readonly<Record<string, string>> | undefined;

  /** The configured headers with their secrets expanded; computed once when they name none. */
  private async httpHeaders(): Promise<Readonly<Record<string, string>>> {
    if (this.#staticHeaders) return this.#staticHeaders;
    if (this.config.transport !== 'http') return {};
    const out: Record<string, string> = {};
    let referencesSecrets = false;
    for (const [key, value] of Object.entries(this.config.headers)) {
      if (secretRefs(value).length > 0) referencesSecrets = true;
      const expanded = await expandSecrets(value, this.options.secrets, this.#revealed);
      // A secret holding a line break would smuggle a header (or a request) upstream.
      if (/[\r\n\0]/.test(expanded))
        throw new GatehouseError(
          'GH_UPSTREAM',
          `header ${key} of upstream '${this.name}' would hold a line break`,
        );
      out[key.toLowerCase()] = expanded;
    }
    if (!referencesSecrets) this.#staticHeaders = out;
    return out;
  }

  /**
   * A frame's text with every brokered secret scrubbed out (see `scrubSecrets`): the text
   * itself when it holds none, which is the rule, so the relay pays one substring search.
   */
  scrubText(text: string): string {
    let found = false;
    for (const secret of this.#revealed)
      if (secret.length >= MIN_SCRUBBED_LENGTH && text.includes(secret)) found = true;
    if (!found) return text;
    try {
      return JSON.stringify(scrubSecrets(JSON.parse(text), this.#revealed));
    } catch {
      return this.scrub(text);
    }
  }

  /**
   * Relays one request of an agent to a stdio upstream over the shared connection and
   * resolves with its result (rejects with the upstream's error). The SDK client numbers
   * it on the child's side and sends the child a cancellation when `signal` aborts; its
   * progress comes as notifications (`onNotification`), by the token in `params._meta`.
   */
  async relay(
    method: string,
    params: Record<string, unknown> | undefined,
    options: { signal?: AbortSignal } = {},
  ): Promise<Record<string, unknown>> {
    return this.request((client) => {
      // The connection the client came with: its calls were bound to it at its start.
      const calls = this.#client === client ? this.#calls : undefined;
      if (calls) return calls.request(method, params, options.signal);
      return client.request({ method, ...(params !== undefined && { params }) } as never, ResultSchema, {
        timeout: this.config.timeoutMs,
        ...(options.signal && { signal: options.signal }),
      });
    }) as Promise<Record<string, unknown>>;
  }

  /** Relays one notification of an agent to a stdio upstream. */
  async notify(method: string, params: Record<string, unknown> | undefined): Promise<void> {
    await this.request((client) =>
      client.notification({ method, ...(params !== undefined && { params }) } as never),
    );
  }

  /** What the stdio upstream said about itself at its start, for answering an agent's `initialize`. */
  async serverInfo(): Promise<Record<string, unknown>> {
    return this.request(async (client) => ({
      capabilities: client.getServerCapabilities() ?? {},
      serverInfo: client.getServerVersion() ?? { name: this.name, version: '0' },
      ...(client.getInstructions() !== undefined && { instructions: client.getInstructions() }),
    }));
  }

  get name(): string {
    return this.config.name;
  }

  get status(): UpstreamStatus {
    return {
      transport: this.config.transport,
      state: this.#state,
      restarts: this.#restarts,
      ...(this.#failure && { failure: this.#failure.kind }),
      ...(this.#failure?.exitCode !== undefined && { exitCode: this.#failure.exitCode }),
      ...(this.#lastError !== undefined && { lastError: this.#lastError }),
    };
  }

  /** How many connections have been made (each may list new definitions). */
  get generation(): number {
    return this.#generation;
  }

  /** The child's process id while a stdio upstream runs. */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** Every tool the upstream offers now (all pages, at most `MAX_TOOLS`). */
  async listTools(signal?: AbortSignal): Promise<Tool[]> {
    return this.request(async (client) => {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100 && tools.length < MAX_TOOLS; page++) {
        const result = await client.listTools(cursor === undefined ? {} : { cursor }, {
          timeout: this.config.timeoutMs,
          ...(signal && { signal }),
        });
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (cursor === undefined) break;
      }
      if (tools.length > MAX_TOOLS || cursor !== undefined)
        this.options.onError?.(
          new Error(`upstream '${this.name}' lists more than ${MAX_TOOLS} tools; the rest are ignored`),
        );
      return tools.slice(0, MAX_TOOLS);
    });
  }

  async callTool(name: string, args: Readonly<Record<string, unknown>>): Promise<CallToolResult> {
    return this.request((client) =>
      client.callTool({ name, arguments: { ...args } }, undefined, { timeout: this.config.timeoutMs }),
    ) as Promise<CallToolResult>;
  }

  async readResource(uri: string): Promise<ReadResourceResult> {
    return this.request((client) => client.readResource({ uri }, { timeout: this.config.timeoutMs }));
  }

  async getPrompt(name: string, args: Record<string, string>): Promise<GetPromptResult> {
    return this.request((client) =>
      client.getPrompt({ name, arguments: args }, { timeout: this.config.timeoutMs }),
    );
  }

  async listResources(
    params: ListResourcesRequest['params'],
    signal?: AbortSignal,
  ): Promise<ListResourcesResult> {
    return this.request((client) =>
      client.listResources(params, { timeout: this.config.timeoutMs, ...(signal && { signal }) }),
    );
  }

  async listResourceTemplates(
    params: ListResourceTemplatesRequest['params'],
    signal?: AbortSignal,
  ): Promise<ListResourceTemplatesResult> {
    return this.request((client) =>
      client.listResourceTemplates(params, { timeout: this.config.timeoutMs, ...(signal && { signal }) }),
    );
  }

  async listPrompts(params: ListPromptsRequest['params'], signal?: AbortSignal): Promise<ListPromptsResult> {
    return this.request((client) =>
      client.listPrompts(params, { timeout: this.config.timeoutMs, ...(signal && { signal }) }),
    );
  }

  /**
   * Restarts the upstream once no call is running on it: a rotated secret in
   * a stdio upstream's environment applies from its next start.
   */
  recycle(): void {
    this.#recycleWhenIdle = true;
    if (this.#inFlight === 0) void this.stopForRecycle();
  }

  /**
   * One request to the upstream. Whatever comes back, a result or an error's
   * message, has every secret the upstream was given scrubbed out: an
   * upstream's words reach the agent, the audit and the log.
   */
  private async request<T>(work: (client: Client) => Promise<T>): Promise<T> {
    let client: Client;
    try {
      client = await this.client();
    } catch (err) {
      throw this.scrubbedError(err);
    }
    this.#inFlight++;
    try {
      return scrubSecrets(await work(client), this.#revealed) as T;
    } catch (err) {
      // The upstream's own JSON-RPC error keeps its code: the relay answers the agent with it.
      if (err instanceof McpError)
        throw new McpError(
          err.code,
          this.scrub(err.message.replace(/^MCP error -?\d+: /, '')).slice(0, 1000),
          scrubSecrets(err.data, this.#revealed),
        );
      throw this.scrubbedError(err);
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0 && this.#recycleWhenIdle) void this.stopForRecycle();
    }
  }

  private scrubbedError(err: unknown): GatehouseError {
    return new GatehouseError('GH_UPSTREAM', this.scrub(messageOf(err)).slice(0, 1000));
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.#revealed) as string;
  }

  private async stopForRecycle(): Promise<void> {
    this.#recycleWhenIdle = false;
    const client = this.#client;
    if (!client) return;
    // Detached first, so its close is not taken for a crash; the next call starts a new one.
    this.#client = undefined;
    this.#calls?.close();
    this.#calls = undefined;
    this.#pid = undefined;
    this.#state = 'idle';
    // The old values stay known to the scrubber: the old secret may still be valid upstream.
    await client.close().catch(() => undefined);
  }

  private client(): Promise<Client> {
    if (this.#state === 'closed')
      return Promise.reject(new GatehouseError('GH_UPSTREAM', `upstream '${this.name}' is shut down`));
    if (this.#client) return Promise.resolve(this.#client);
    const wait = this.#nextStartAt - Date.now();
    if (wait > MAX_WAIT_FOR_RESTART_MS && !this.#starting)
      return Promise.reject(
        new GatehouseError(
          'GH_UPSTREAM',
          `upstream '${this.name}' is restarting; retry in ${Math.ceil(wait / 1000)} s`,
        ),
      );
    // During a short backoff a call waits for the scheduled restart rather than forcing an early one.
    this.#starting ??= delay(this.#nextStartAt - Date.now())
      .then(() => this.start())
      .finally(() => {
        this.#starting = undefined;
      });
    return this.#starting;
  }

  private async start(): Promise<Client> {
    clearTimeout(this.#restartTimer);
    this.#state = this.#restarts > 0 ? 'restarting' : 'starting';
    let transport: Transport;
    try {
      transport = await openTransport(this.config, {
        expand: (value) => expandSecrets(value, this.options.secrets, this.#revealed),
        onStderr: (raw) => {
          const line = scrubSecrets(raw, this.#revealed) as string;
          this.#stderrTail.push(line);
          if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
          this.options.onStderr?.(line);
        },
        httpHeaders: () => this.httpHeaders(),
      });
    } catch (err) {
      if (err instanceof UpstreamStartFailure) {
        const failure = explainStartFailure(err, this.config, this.#stderrTail, START_TIMEOUT_MS);
        this.failed(failure, failure.failure);
        throw new GatehouseError('GH_UPSTREAM', `upstream '${this.name}' did not start (${failure.failure})`);
      }
      this.failed(err);
      throw err;
    }
    const client = gatewayClient(this.options, {
      transport: this.config.transport,
      onClose: (closed) => this.lost(closed),
      scrub: (text) => this.scrub(text),
    });
    const reader = readFrames(transport);
    const timeout = AbortSignal.timeout(START_TIMEOUT_MS);
    this.#stderrTail = [];
    try {
      const connecting = client.connect(transport, { signal: timeout, timeout: START_TIMEOUT_MS });
      await Promise.race([connecting, this.exitDuringStart(transport)]);
    } catch (err) {
      await client.close().catch(() => undefined);
      const failure = explainStartFailure(err, this.config, this.#stderrTail, START_TIMEOUT_MS);
      // The details (stderr, paths, hints) go to the log and `gatehouse doctor`, never to the
      // agent: they may name paths and hosts.
      this.failed(failure, failure.failure);
      throw new GatehouseError(
        'GH_UPSTREAM',
        `upstream '${this.name}' did not start (${failure.failure}${failure.exitCode !== undefined ? ` ${failure.exitCode}` : ''})`,
      );
    }
    if ((this.#state as UpstreamState) === 'closed') {
      await client.close().catch(() => undefined);
      throw new GatehouseError('GH_UPSTREAM', `upstream '${this.name}' is shut down`);
    }
    this.#pid = transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
    this.#client = client;
    this.#calls = relayCalls(client, transport, this.config.timeoutMs);
    if (reader) reader.calls = this.#calls;
    this.#state = 'up';
    this.#generation++;
    this.#upSince = Date.now();
    this.#lastError = undefined;
    this.#failure = undefined;
    return client;
  }

  /**
   * Rejects as soon as a stdio upstream's process exits before it answered: a server that dies
   * at once (a missing package, a bad argument) fails the first call now, not after 30 s.
   */
  private exitDuringStart(transport: Transport): Promise<never> {
    // The SDK keeps the child private; it is read here only to learn its exit code.
    const child = (transport as unknown as { _process?: ChildProcess })._process;
    return new Promise<never>((_resolve, reject) => {
      child?.once('exit', (code, signal) =>
        reject(
          new UpstreamStartFailure(
            'exited',
            `its process exited ${signal ? `on ${signal}` : `with code ${code}`} before it answered`,
            code ?? undefined,
          ),
        ),
      );
    });
  }

  /** The connection closed: unless the gateway is shutting down, restart after a backoff. */
  private lost(client: Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#calls = undefined;
    this.#pid = undefined;
    if (this.#state === 'closed') return;
    this.failed(new Error('the connection closed'));
  }

  private failed(err: unknown, kind: UpstreamFailure = 'error'): void {
    if (this.#state === 'closed') return;
    this.#lastError = this.scrub(messageOf(err));
    this.#failure = {
      kind,
      ...(err instanceof UpstreamStartFailure && err.exitCode !== undefined && { exitCode: err.exitCode }),
    };
    this.options.onError?.(new Error(this.#lastError));
    if (this.#upSince > 0 && Date.now() - this.#upSince > STABLE_AFTER_MS) this.#failures = 0;
    this.#upSince = 0;
    const wait = RESTART_BACKOFF_MS[Math.min(this.#failures, RESTART_BACKOFF_MS.length - 1)]!;
    this.#failures++;
    this.#restarts++;
    this.#state = 'restarting';
    this.#nextStartAt = Date.now() + wait;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#client || this.#starting || this.#state === 'closed') return;
      void this.client().catch(() => undefined);
    }, wait);
    this.#restartTimer.unref();
  }

  async close(): Promise<void> {
    this.http?.close();
    this.#state = 'closed';
    clearTimeout(this.#restartTimer);
    const client = this.#client ?? (await this.#starting?.catch(() => undefined));
    this.#client = undefined;
    this.#calls?.close();
    this.#calls = undefined;
    await client?.close().catch(() => undefined);
  }
}

function delay(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
