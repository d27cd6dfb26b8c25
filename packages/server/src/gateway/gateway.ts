import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { EnforcementPath, type PathRequest, withinGrants } from '@gatehouse/core';
import {
  type CallToolResult,
  McpError,
  type Notification,
  type Request,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { ApprovalService } from '../approvals/approval-service.js';
import type { UpstreamConfig } from '../config/load.js';
import {
  type Caller,
  GATEWAY_SESSION_PREFIX,
  type PathComponents,
  sharedPathPorts,
} from '../decisions/decision-service.js';
import type { PolicyRuntime } from '../policy/runtime.js';
import { secretRefs } from '../vault/secret-refs.js';
import type { ToolPins } from './tool-pins.js';
import { APPROVAL_META_KEY, refusal, textOfResult, toolResultOf } from './tool-results.js';
import { Upstream, type UpstreamStatus } from './upstream.js';
import type { SecretSource } from './upstream-secrets.js';

/** What an MCP client may add to a call in `_meta`, under Gatehouse's prefix. */
export interface GatewayCallMeta {
  readonly reasoning?: string;
  readonly intent?: string;
  readonly traceId?: string;
}

/** A call naming a tool not yet seen lists the upstream again at most this often. */
const UNSEEN_RELIST_MS = 1000;

/** The pseudo-tools under which resource reads and prompt fetches run the enforcement path. */
export const RESOURCE_READ_TOOL = 'resources/read';
export const PROMPT_GET_TOOL = 'prompts/get';
/**
 * The pseudo-tools under which an upstream's requests to the agent's client run the path
 * (decision and audit; the client answers them): `<upstream>.sampling/createMessage` asks the
 * client's model to write, `<upstream>.elicitation/create` asks its user for input. Their
 * `args` are the request's params. An agent needs them in its grants like any tool.
 */
export const SAMPLING_TOOL = 'sampling/createMessage';
export const ELICITATION_TOOL = 'elicitation/create';

/** Names that are no upstream tool: no definition to pin, never re-listed. */
const PSEUDO_TOOLS: ReadonlySet<string> = new Set([
  RESOURCE_READ_TOOL,
  PROMPT_GET_TOOL,
  SAMPLING_TOOL,
  ELICITATION_TOOL,
]);

/**
 * How a call reaches its upstream when the front door relays it: with the judged arguments,
 * over the agent's own upstream session, its progress and other frames streamed to the agent.
 */
export type CallRelay = (args: Readonly<Record<string, unknown>>) => Promise<unknown>;

/** Where the frames a stdio upstream sends unasked go: the front door's session router. */
export interface StdioEvents {
  notification(upstream: string, notification: Notification): void;
  /** Resolves with a client's result; rejects with an `McpError` to answer the upstream an error. */
  request(upstream: string, request: Request, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/**
 * Door 3 of DESIGN §2: MCP `tools/call` requests from agents run the one
 * enforcement path with the upstream as the executor. The gateway holds the
 * upstream connections and the tool pins; it has no step of its own.
 */
export class McpGateway {
  readonly path: EnforcementPath;
  readonly #upstreams = new Map<string, Upstream>();
  /** The restart count of each upstream when its tools were last listed and pinned. */
  readonly #listedAt = new Map<string, number>();
  /** When each upstream was last listed. */
  readonly #listedWhen = new Map<string, number>();
  /** Upstreams whose last listing failed. */
  readonly #listFailed = new Set<string>();
  readonly #listing = new Map<string, Promise<{ tools: Tool[]; blocked: Set<string> }>>();
  /** The relay of the call running along the path (per async context, so calls never mix). */
  readonly #relay = new AsyncLocalStorage<CallRelay>();
  /** The path in decision-only mode, for what an upstream asks of the agent's client. */
  readonly #askPath: EnforcementPath;
  /** Where frames a stdio upstream sends unasked go: the front door's router, once it is up. */
  events: StdioEvents | undefined;

  constructor(
    private readonly deps: {
      upstreams: Readonly<Record<string, UpstreamConfig>>;
      runtime: PolicyRuntime;
      pins: ToolPins;
      components: PathComponents;
      approvals?: ApprovalService;
      /** How long a call that needs a person is held before the agent is told to retry. */
      gatewayWaitMs: number;
      secrets?: SecretSource;
      log?: {
        warn(obj: object, msg: string): void;
        info(obj: object, msg: string): void;
      };
    },
  ) {
    for (const config of Object.values(deps.upstreams)) {
      const upstream: Upstream = new Upstream(config, {
        ...(deps.secrets && { secrets: deps.secrets }),
        onNotification: (n) => this.events?.notification(config.name, n),
        onRequest: (r, signal) =>
          this.events
            ? this.events.request(config.name, r, signal)
            : Promise.reject(new McpError(-32601, `no agent session can answer ${r.method}`)),
        onToolsChanged: () => {
          // Re-pin at once: a changed definition must be blocked before the next call.
          void this.listAndPin(upstream).catch(() => undefined);
        },
        onStderr: (line) => deps.log?.info({ upstream: config.name, line }, 'upstream stderr'),
        onError: (err) =>
          deps.log?.warn(
            { upstream: config.name, error: err instanceof Error ? err.message : String(err) },
            'upstream error',
          ),
      });
      this.#upstreams.set(config.name, upstream);
    }
    this.path = new EnforcementPath(
      {
        ...sharedPathPorts(deps.components, (event) => ({
          door: 'gateway',
          upstream: upstreamOf(event.tool).upstream,
        })),
        toolGate: async (tool) => {
          const { upstream, name } = upstreamOf(tool);
          // Resource reads, prompt fetches and client requests have no tool definition to pin.
          if (PSEUDO_TOOLS.has(name)) return undefined;
          const block = await deps.pins.gate(upstream, name);
          if (block?.code === 'tool-not-listed' && this.#listFailed.has(upstream))
            return {
              code: 'tool-not-listed',
              reason: `upstream '${upstream}' is unavailable, so ${upstream}.${name} could not be checked; nothing was run`,
            };
          return block;
        },
        execute: async (tool, args) => {
          const relay = this.#relay.getStore();
          if (relay) return relay(args);
          const { upstream, name } = upstreamOf(tool);
          const target = this.#upstreams.get(upstream);
          if (!target) throw new Error(`no upstream named '${upstream}'`);
          if (name === RESOURCE_READ_TOOL) return target.readResource(String(args.uri));
          if (name === PROMPT_GET_TOOL)
            return target.getPrompt(String(args.name), (args.arguments ?? {}) as Record<string, string>);
          return target.callTool(name, args);
        },
      },
      undefined,
      deps.components.inspection,
    );
    this.#askPath = new EnforcementPath(
      sharedPathPorts(deps.components, (event) => ({
        door: 'gateway',
        upstream: upstreamOf(event.tool).upstream,
      })),
      undefined,
      deps.components.inspection,
    );
  }

  /**
   * Whether an upstream may send the agent's client this request (sampling, elicitation):
   * the path in decision-only mode, audited; undefined when it may, else the refusal's words.
   * A request that needs a person is refused: the upstream waits on it, and it cannot wait
   * for an approval.
   */
  async admitServerRequest(
    caller: Caller,
    upstreamName: string,
    method: typeof SAMPLING_TOOL | typeof ELICITATION_TOOL,
    params: Readonly<Record<string, unknown>>,
  ): Promise<string | undefined> {
    const outcome = await this.#askPath.enforce(
      this.deps.runtime.policy,
      requestFor(caller, {
        tool: `${upstreamName}.${method}`,
        args: params as Record<string, unknown>,
        sessionId: gatehouseSessionOf(caller),
      }),
    );
    if (outcome.status === 'allowed' || outcome.status === 'executed') return undefined;
    return textOfResult(toolResultOf(outcome));
  }

  #secretVersions: ReadonlyMap<string, number> | undefined;

  /**
   * Restarts the stdio upstreams whose environment names a secret that was
   * rotated since the last look (HTTP headers are expanded per request and
   * need nothing). Called on a timer by the server.
   */
  async recycleRotated(): Promise<string[]> {
    const versions = await this.deps.secrets?.versions?.();
    if (!versions) return [];
    const before = this.#secretVersions;
    this.#secretVersions = versions;
    if (!before) return [];
    const changed = new Set(
      [...versions].filter(([name, v]) => before.get(name) !== v).map(([name]) => name),
    );
    for (const name of before.keys()) if (!versions.has(name)) changed.add(name);
    const recycled: string[] = [];
    for (const upstream of this.#upstreams.values()) {
      const config = upstream.config;
      if (config.transport !== 'stdio') continue;
      const names = Object.values(config.env).flatMap((value) => secretRefs(value));
      if (names.some((name) => changed.has(name))) {
        upstream.recycle();
        recycled.push(upstream.name);
      }
    }
    return recycled;
  }

  /** The upstream behind `/mcp/<name>`. */
  upstream(name: string): Upstream | undefined {
    return this.#upstreams.get(name);
  }

  get upstreamNames(): string[] {
    return [...this.#upstreams.keys()];
  }

  /** What `/readyz` shows: states and restart counts; the errors themselves are in the log. */
  statuses(): Record<string, Omit<UpstreamStatus, 'lastError'>> {
    return Object.fromEntries(
      [...this.#upstreams].map(([name, u]) => {
        const { lastError: _kept, ...shown } = u.status;
        return [name, shown];
      }),
    );
  }

  /**
   * Listing calls cost the upstream a full listing: they count against the
   * agent's rate limits like calls do (as `<upstream>.<method>`).
   */
  async admitListing(caller: Caller, upstreamName: string, method: string): Promise<string | undefined> {
    let verdict: Awaited<ReturnType<PathComponents['limiter']['consume']>>;
    try {
      verdict = await this.deps.components.limiter.consume(caller.agent.id, `${upstreamName}.${method}`);
    } catch {
      return 'the rate limiter is unavailable; listings are refused until it answers';
    }
    return verdict.allowed
      ? undefined
      : `rate limit reached; retry after ${Math.ceil(verdict.retryAfterMs / 1000)} s`;
  }

  /**
   * The upstream's tools this agent may call: within its grants and its
   * token's scopes, and not held by a pin.
   */
  async listTools(caller: Caller, upstreamName: string, signal?: AbortSignal): Promise<Tool[]> {
    const upstream = this.required(upstreamName);
    const { tools, blocked } = await this.listAndPin(upstream, signal);
    return tools.filter((tool) => {
      if (blocked.has(tool.name)) return false;
      const name = `${upstreamName}.${tool.name}`;
      return mayCall(caller, name);
    });
  }

  /** One `tools/call` along the enforcement path; never throws, every refusal is a tool error. */
  async callTool(
    caller: Caller,
    upstreamName: string,
    tool: string,
    args: Record<string, unknown>,
    sessionId: string,
    meta: GatewayCallMeta = {},
    signal?: AbortSignal,
    /** Authenticates the caller again: a call held for a person runs only if it still may. */
    recheck?: () => Promise<Caller | undefined>,
    /** How the call reaches the upstream; without it, over the gateway's own connection. */
    relay?: CallRelay,
  ): Promise<CallToolResult> {
    if (relay)
      return this.#relay.run(relay, () =>
        this.callTool(caller, upstreamName, tool, args, sessionId, meta, signal, recheck),
      );
    const upstream = this.required(upstreamName);
    // A tool must be pinned before it runs: list it first if this process has not yet
    // (or not since the upstream reconnected, when its definitions may have changed). A
    // listing that fails leaves the tool unlisted, and the pin gate refuses it.
    const pseudo = PSEUDO_TOOLS.has(tool);
    const fullName = `${upstreamName}.${tool}`;
    // Only for a tool the agent may call at all (the path refuses the rest without a listing),
    // and an unseen name re-lists at most once a second: made-up names must not buy listings.
    const reconnected = this.#listedAt.get(upstreamName) !== upstream.generation;
    const unseen =
      !this.deps.pins.seen(upstreamName, tool) &&
      Date.now() - (this.#listedWhen.get(upstreamName) ?? 0) >= UNSEEN_RELIST_MS;
    if (!pseudo && (reconnected || unseen) && mayCall(caller, fullName)) {
      await this.listAndPin(upstream).catch(() => undefined);
    }
    const call = {
      tool: fullName,
      args,
      sessionId,
      ...(meta.intent !== undefined && { intent: meta.intent }),
      ...(meta.reasoning !== undefined && { reasoning: meta.reasoning }),
      ...(meta.traceId !== undefined && { traceId: meta.traceId }),
    };
    const request = requestFor(caller, call);
    let outcome = await this.path.enforce(this.deps.runtime.policy, request);
    if (
      outcome.status === 'approval-required' &&
      outcome.approval &&
      this.deps.approvals &&
      this.deps.gatewayWaitMs > 0
    ) {
      // Held for a person, below common MCP client timeouts; once approved, the same call runs
      // along the path again and spends the approval.
      const record = await this.deps.approvals
        .wait(outcome.approval.id, this.deps.gatewayWaitMs, signal)
        .catch(() => undefined);
      if (record?.status === 'approved' && !signal?.aborted) {
        // The agent may have been suspended, or its token revoked, while it waited.
        const fresh = recheck ? await recheck().catch(() => undefined) : caller;
        if (!fresh)
          return refusal(
            `the approval ${record.id} was given, but the agent's token or status changed during the hold; nothing was run`,
            outcome.decisionId,
            'caller-changed',
          );
        outcome = await this.path.enforce(this.deps.runtime.policy, requestFor(fresh, call));
      } else if (record && record.status !== 'pending')
        return refusal(
          `the approval ${record.id} ended ${record.status}; the call was not run`,
          outcome.decisionId,
          `approval-${record.status}`,
          { [APPROVAL_META_KEY]: { id: record.id, status: record.status } },
        );
    }
    return toolResultOf(outcome);
  }

  private required(name: string): Upstream {
    const upstream = this.#upstreams.get(name);
    if (!upstream) throw new Error(`no upstream named '${name}'`);
    return upstream;
  }

  /** Lists and pins; concurrent callers for one upstream share one listing. */
  private listAndPin(
    upstream: Upstream,
    signal?: AbortSignal,
  ): Promise<{ tools: Tool[]; blocked: Set<string> }> {
    let listing = this.#listing.get(upstream.name);
    if (!listing) {
      listing = (async () => {
        let tools: Tool[];
        try {
          tools = await upstream.listTools(signal);
        } catch (err) {
          this.#listFailed.add(upstream.name);
          throw err;
        }
        this.#listFailed.delete(upstream.name);
        // The connection the list came from (listing may have started the upstream).
        const generation = upstream.generation;
        const blocked = await this.deps.pins.observe(upstream.name, tools);
        this.#listedAt.set(upstream.name, generation);
        this.#listedWhen.set(upstream.name, Date.now());
        return { tools, blocked };
      })().finally(() => this.#listing.delete(upstream.name));
      this.#listing.set(upstream.name, listing);
    }
    return listing;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#upstreams.values()].map((u) => u.close()));
  }
}

/** Whether the caller may call the tool at all: within its agent's grants and its token's scopes. */
export function mayCall(caller: Caller, tool: string): boolean {
  return withinGrants(tool, caller.agent.grants) && withinGrants(tool, caller.token.scopes);
}

/** `files.read_text_file` → upstream `files`, tool `read_text_file` (upstream names have no dot). */
export function upstreamOf(tool: string): { upstream: string; name: string } {
  const dot = tool.indexOf('.');
  return dot < 0 ? { upstream: '', name: tool } : { upstream: tool.slice(0, dot), name: tool.slice(dot + 1) };
}

/** A path request for this caller: agent, token scopes, user and delegation come from its token. */
function requestFor(
  caller: Caller,
  call: Pick<PathRequest, 'tool' | 'args' | 'sessionId' | 'intent' | 'reasoning' | 'traceId'>,
): PathRequest {
  const token = caller.token;
  return {
    ...call,
    agent: caller.agent,
    tokenScopes: token.scopes,
    ...(token.userSubject !== undefined && {
      user: { id: token.userSubject, ...(token.userEmail !== undefined && { email: token.userEmail }) },
    }),
    delegation: { depth: token.claims.gh_depth ?? 0, chain: [...token.delegationChain] },
  };
}

/**
 * The Gatehouse session a call belongs to. An agent's calls through every
 * upstream share one session per user, so that what it read from one server
 * is provenance for what it sends to another. The agent cannot pick another
 * (a fresh session would have no labels and no provenance), and other doors
 * cannot name this one: `ses_gw_` ids are refused there.
 */
export function gatehouseSessionOf(caller: Caller): string {
  const key = `${caller.agent.id}\0${caller.token.userSubject ?? ''}`;
  let id = SESSION_IDS.get(key);
  if (id === undefined) {
    id = `${GATEWAY_SESSION_PREFIX}${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
    // A digest per call is a cost every call paid for the same few answers: they are kept,
    // within a bound (the oldest goes first).
    if (SESSION_IDS.size >= MAX_SESSION_IDS) SESSION_IDS.delete(SESSION_IDS.keys().next().value as string);
    SESSION_IDS.set(key, id);
  }
  return id;
}

/** Gateway session ids by agent and user (see `gatehouseSessionOf`). */
const SESSION_IDS = new Map<string, string>();
const MAX_SESSION_IDS = 10_000;
