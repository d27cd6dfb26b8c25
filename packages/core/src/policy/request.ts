import { formatPath } from '../yaml/document.js';
import type { StateWindowRuntime, ToolActivation } from './compiled.js';
import { anyGlobMatches } from './glob.js';
import {
  AGENT_STATUSES,
  type AgentIdentity,
  type CompiledPolicy,
  type DecisionRequestInput,
  type OriginRequirement,
} from './types.js';

/** Longest tool name a request may carry; catalog names are shorter still. */
const MAX_TOOL_NAME_LENGTH = 256;
/** Provenance is derived for argument paths down to this depth ... */
const MAX_PROVENANCE_DEPTH = 8;
/** ... and for at most this many paths, so a huge argument cannot make a decision slow. */
const MAX_PROVENANCE_PATHS = 2000;

/** A request after its shape was checked, with the agent resolved. */
export interface CheckedRequest {
  readonly input: DecisionRequestInput;
  readonly agent: AgentIdentity;
  readonly tool: string;
}

/** Why a request was refused before any rule ran. */
export interface RequestRejection {
  readonly code: 'invalid-request' | 'unknown-agent';
  readonly reason: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const isStringList = (v: unknown): v is readonly string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Checks the request's shape and resolves its agent. Requests come from
 * PEPs written in any language, so nothing about their shape is assumed.
 */
export function checkRequest(policy: CompiledPolicy, input: unknown): CheckedRequest | RequestRejection {
  if (!isPlainObject(input)) return invalid('the request must be an object');
  const { tool, agent, args } = input;
  if (typeof tool !== 'string' || tool.length === 0) return invalid("'tool' must be a non-empty string");
  if (tool.length > MAX_TOOL_NAME_LENGTH)
    return invalid(`'tool' is longer than ${MAX_TOOL_NAME_LENGTH} characters`);
  if (args !== undefined && !isPlainObject(args)) return invalid("'args' must be an object");
  for (const key of [
    'resource',
    'user',
    'context',
    'risk',
    'provenance',
    'origin',
    'mentions',
    'session',
    'delegation',
  ] as const) {
    if (input[key] !== undefined && !isPlainObject(input[key])) return invalid(`'${key}' must be an object`);
  }
  const session = input.session as Record<string, unknown> | undefined;
  if (session?.labels !== undefined && !isStringList(session.labels))
    return invalid("'session.labels' must be a list of strings");
  for (const key of ['provenance', 'origin', 'mentions'] as const) {
    const map = input[key] as Record<string, unknown> | undefined;
    for (const [path, labels] of Object.entries(map ?? {})) {
      const ok =
        isStringList(labels) ||
        (key === 'mentions' && Array.isArray(labels) && labels.every((l) => isStringList(l)));
      if (!ok)
        return invalid(
          `'${key}[${JSON.stringify(path)}]' must be a list of strings${key === 'mentions' ? ' or of lists of strings' : ''}`,
        );
    }
  }
  if (input.usage !== undefined) {
    if (!isPlainObject(input.usage)) return invalid("'usage' must be an object");
    for (const [rule, count] of Object.entries(input.usage)) {
      if (!Number.isSafeInteger(count) || (count as number) < 0)
        return invalid(`'usage[${JSON.stringify(rule)}]' must be a whole number of calls, 0 or more`);
    }
  }
  if (input.now !== undefined && !(input.now instanceof Date && !Number.isNaN(input.now.getTime()))) {
    return invalid("'now' must be a valid Date");
  }

  let identity: AgentIdentity;
  if (typeof agent === 'string') {
    const declared = policy.agents.get(agent);
    if (!declared) return { code: 'unknown-agent', reason: `agent '${agent}' is not known to this policy` };
    identity = declared;
  } else if (isPlainObject(agent)) {
    const problem = agentProblem(agent);
    if (problem) return invalid(problem);
    identity = agent as unknown as AgentIdentity;
  } else {
    return invalid("'agent' must be an agent identity or the name of an agent declared in the policy");
  }
  return { input: input as unknown as DecisionRequestInput, agent: identity, tool };
}

function agentProblem(agent: Record<string, unknown>): string | undefined {
  for (const key of ['id', 'name', 'owner'] as const) {
    if (typeof agent[key] !== 'string' || agent[key] === '')
      return `'agent.${key}' must be a non-empty string`;
  }
  if (!(AGENT_STATUSES as readonly unknown[]).includes(agent.status)) {
    return `'agent.status' must be one of ${AGENT_STATUSES.join(', ')}`;
  }
  if (!isStringList(agent.grants)) return "'agent.grants' must be a list of strings";
  if (agent.labels !== undefined && !isStringList(agent.labels))
    return "'agent.labels' must be a list of strings";
  return undefined;
}

function invalid(reason: string): RequestRejection {
  return { code: 'invalid-request', reason: `invalid request: ${reason}` };
}

/** True when `checkRequest` refused the request. */
export function isRejection(value: CheckedRequest | RequestRejection): value is RequestRejection {
  return 'code' in value;
}

/**
 * The labels a `labels` selector looks at: those the session has seen, plus
 * those attached to this call's arguments through provenance.
 */
export function requestLabels(input: DecisionRequestInput): ReadonlySet<string> {
  const labels = new Set<string>(input.session?.labels ?? []);
  for (const list of Object.values(input.provenance ?? {})) for (const label of list) labels.add(label);
  return labels;
}

/**
 * The variables a CEL condition sees. Fixed-shape variables get every field,
 * with empty defaults, so that `agent.classification == "x"` is false rather
 * than an error for an agent without one.
 *
 * `provenance` walks every argument, so it is left out here and added by
 * `withProvenance` only for conditions that read it.
 */
export function buildActivation(
  request: CheckedRequest,
  tool: ToolActivation,
  windows: readonly StateWindowRuntime[] = [],
): Record<string, unknown> {
  const { input, agent } = request;
  const args = input.args ?? {};
  const session = input.session ?? {};
  // INVARIANT: only the catalog and the schedule speak at `resource.*`. What the caller says
  // about the resource is kept apart, at `resource.properties`: otherwise an agent could fill
  // in a fact the catalog leaves out (`env: staging` for a tool with no env) or a state.
  const now = input.now ?? new Date();
  const state = stateAt(windows, request.tool, now);
  const resource = {
    ...(input.resource && { properties: input.resource }),
    ...tool.resource,
    ...(state !== undefined && { state }),
  };
  return {
    agent: {
      id: agent.id,
      name: agent.name,
      owner: agent.owner,
      status: agent.status,
      classification: agent.classification ?? '',
      labels: agent.labels ?? [],
      grants: agent.grants,
    },
    tool: tool.tool,
    args,
    resource,
    session: {
      id: session.id ?? '',
      labels: session.labels ?? [],
      calls: session.calls ?? 0,
      intent: session.intent ?? '',
    },
    user: input.user ?? {},
    delegation: { depth: input.delegation?.depth ?? 0, chain: input.delegation?.chain ?? [] },
    context: input.context ?? {},
    risk: { score: 0, anomaly: 0, ...input.risk },
    now,
  };
}

/**
 * The scheduled state of a tool's system at `now`: the last declared window
 * that covers both. A schedule outranks the catalog and the caller, so a
 * change freeze cannot be talked around.
 */
function stateAt(windows: readonly StateWindowRuntime[], tool: string, now: Date): string | undefined {
  let state: string | undefined;
  const t = now.getTime();
  for (const { globs, window } of windows) {
    if (window.from && t < window.from.getTime()) continue;
    if (window.until && t >= window.until.getTime()) continue;
    if (anyGlobMatches(globs, tool)) state = window.state;
  }
  return state;
}

/** Adds `provenance` to an activation, once, for a condition that reads it. */
export function withProvenance(
  activation: Record<string, unknown>,
  request: CheckedRequest,
): Record<string, unknown> {
  if (activation.provenance === undefined) {
    activation.provenance = provenanceOf(request.input.args ?? {}, request.input.provenance);
  }
  return activation;
}

/**
 * Completes the caller's provenance map so that every argument path has an
 * entry. Labels flow both ways: down (a value inside an untrusted object is
 * untrusted) and up (a recipient list is untrusted if one recipient is).
 * Paths with no labels map to an empty list, so `"untrusted" in
 * provenance["to"]` is false rather than an error when `to` is present and clean.
 */
export function provenanceOf(
  args: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, readonly string[]>> | undefined,
): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = { ...given };
  let budget = MAX_PROVENANCE_PATHS;
  const visit = (
    value: unknown,
    path: (string | number)[],
    inherited: readonly string[],
    depth: number,
  ): ReadonlySet<string> => {
    const key = formatPath(path);
    const own = given?.[key];
    const down = own && own.length > 0 ? [...inherited, ...own] : inherited;
    const labels = new Set<string>(down);
    if (depth < MAX_PROVENANCE_DEPTH && value !== null && typeof value === 'object') {
      const entries: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value as Record<string, unknown>);
      for (const [k, v] of entries) {
        if (--budget <= 0) break;
        for (const l of visit(v, [...path, k], down, depth + 1)) labels.add(l);
      }
    }
    out[key] = [...labels];
    return labels;
  };
  for (const [k, v] of Object.entries(args)) {
    if (--budget <= 0) break;
    visit(v, [k], [], 1);
  }
  return out;
}

/** Adds `origin` to an activation, once, for a condition that reads it. */
export function withOrigin(
  activation: Record<string, unknown>,
  request: CheckedRequest,
): Record<string, unknown> {
  if (activation.origin === undefined)
    activation.origin = originOf(request.input.args ?? {}, request.input.origin);
  return activation;
}

/**
 * Completes the caller's origin map for every argument path. A leaf with no entry has no
 * known origin (`unknown`); a list or object is vouched for by an origin only when every
 * value inside it is (intersection upward), so `"user_input" in origin["to"]` means every
 * recipient came from the user.
 */
export function originOf(
  args: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, readonly string[]>> | undefined,
): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  let budget = MAX_PROVENANCE_PATHS;
  const visit = (value: unknown, path: (string | number)[], depth: number): readonly string[] | undefined => {
    const key = formatPath(path);
    if (value !== null && typeof value === 'object' && depth < MAX_PROVENANCE_DEPTH) {
      const entries: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value as Record<string, unknown>);
      // An empty list or object holds no value that needs vouching for.
      let common: readonly string[] | undefined;
      for (const [k, v] of entries) {
        if (--budget <= 0) {
          common = [UNKNOWN];
          break;
        }
        const child = visit(v, [...path, k], depth + 1);
        if (child === undefined) continue;
        common = common === undefined ? child : common.filter((o) => child.includes(o));
      }
      out[key] = common === undefined || common.length === 0 ? [UNKNOWN] : common;
      return common === undefined ? undefined : out[key];
    }
    const own = given?.[key];
    out[key] = own && own.length > 0 ? own : [UNKNOWN];
    return out[key];
  };
  for (const [k, v] of Object.entries(args)) {
    if (--budget <= 0) break;
    visit(v, [k], 1);
  }
  return out;
}

const UNKNOWN = 'unknown';

/**
 * The first value a rule's `require` finds unvouched for, described for the decision's
 * reasons, or undefined when every value under every named path has a required origin.
 * A named argument the call does not have needs nothing; a list or object is checked
 * value by value.
 */
export function unmetRequirement(require: OriginRequirement, request: CheckedRequest): string | undefined {
  const args = request.input.args ?? {};
  const leaves = leafPaths(args);
  if (leaves === undefined) return `the arguments hold more than ${MAX_PROVENANCE_PATHS} values to check`;
  for (const [kind, map] of [
    ['origin', require.origin],
    ['mentions', require.mentions],
  ] as const) {
    for (const [path, wanted] of Object.entries(map ?? {})) {
      for (const leaf of leaves) {
        if (leaf !== path && !leaf.startsWith(`${path}.`) && !leaf.startsWith(`${path}[`)) continue;
        if (kind === 'origin') {
          const given = request.input.origin?.[leaf];
          const origins = given && given.length > 0 ? given : [UNKNOWN];
          if (!origins.some((o) => wanted.includes(o)))
            return `${leaf} came from ${origins.join(', ')}, not from ${wanted.join(' or ')}`;
          continue;
        }
        // A leaf with no `mentions` entry names no address, host or account: nothing to vouch for.
        for (const origins of mentionSets(request.input.mentions?.[leaf])) {
          if (!origins.some((o) => wanted.includes(o)))
            return `${leaf} mentions what came from ${origins.join(', ')}, not from ${wanted.join(' or ')}`;
        }
      }
    }
  }
  return undefined;
}

/** One origin list per identifier a value mentions; a flat list of strings stands for one identifier. */
function mentionSets(given: readonly (string | readonly string[])[] | undefined): (readonly string[])[] {
  if (given === undefined) return [];
  if (given.every((g) => typeof g === 'string')) return [given.length > 0 ? (given as string[]) : [UNKNOWN]];
  return given.map((g) => (typeof g === 'string' ? [g] : g.length > 0 ? g : [UNKNOWN]));
}

/** The paths of every leaf value of an argument object; undefined past the provenance bounds. */
function leafPaths(args: Readonly<Record<string, unknown>>): string[] | undefined {
  const paths: string[] = [];
  let budget = MAX_PROVENANCE_PATHS;
  const visit = (value: unknown, path: (string | number)[], depth: number): void => {
    if (--budget <= 0) return;
    if (value !== null && typeof value === 'object' && depth < MAX_PROVENANCE_DEPTH) {
      const entries: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value as Record<string, unknown>);
      for (const [k, v] of entries) visit(v, [...path, k], depth + 1);
      return;
    }
    paths.push(formatPath(path));
  };
  for (const [k, v] of Object.entries(args)) visit(v, [k], 1);
  return budget <= 0 ? undefined : paths;
}
