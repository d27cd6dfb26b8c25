import { MAX_QUOTA_WINDOW_MS } from '../policy/compile-rules.js';
import { quotaRulesFor } from '../policy/decide.js';
import { MAX_QUOTA } from '../policy/schema.js';
import type { AgentIdentity, CompiledPolicy, Decision } from '../policy/types.js';
import type { UsagePort } from './path-contract.js';

/*
 * Quotas on the enforcement path: the counts read before deciding, and the calls recorded once
 * they run. The PDP stays pure: it reads the counts from the request (`usage`).
 */

/** The counts a decision needs, or why they could not be read. */
export type UsageReading =
  | { readonly usage?: Readonly<Record<string, number>>; readonly problem?: undefined }
  | { readonly usage?: undefined; readonly problem: string };

/**
 * The agent's counts under each quota rule whose selectors cover the call, read in parallel.
 * Nothing is read for a policy without quotas. A missing or failing store is a `problem`: the
 * path refuses the call if a quota rule selects it (fail closed), and ignores it otherwise.
 */
export async function readUsage(
  port: UsagePort | undefined,
  policy: CompiledPolicy,
  agent: AgentIdentity,
  tool: string,
): Promise<UsageReading> {
  const rules = quotaRulesFor(policy, agent, tool);
  if (rules.length === 0) return {};
  if (!port) {
    return {
      problem: `the policy sets quotas (rule '${rules[0]!.id}') but no usage store counts calls here, so calls under them are refused`,
    };
  }
  try {
    const counts = await Promise.all(rules.map((r) => port.count(r.id, agent.id, r.quota.windowMs)));
    return { usage: Object.fromEntries(rules.map((r, i) => [r.id, counts[i]!])) };
  } catch (err) {
    return {
      problem: `the usage store is unavailable (${err instanceof Error ? err.message : String(err)}); calls under a quota are refused until it answers`,
    };
  }
}

/** Whether a decision needed the counts a failed reading could not give. */
export function needsUsage(reading: UsageReading, decision: Decision): string | undefined {
  return reading.problem !== undefined && (decision.quotas?.length ?? 0) > 0 ? reading.problem : undefined;
}

/** Records a call that ran (or that the PEP was told to run) toward the quota rules that selected it. */
export async function recordUsage(
  port: UsagePort | undefined,
  decision: Decision,
  agentId: string,
): Promise<void> {
  const rules = decision.quotas ?? [];
  if (rules.length === 0 || !port) return;
  await port.record(rules, agentId);
}

/** Calls counted to the second: a count's window ends up to a second late, never early. */
const BUCKET_MS = 1000;
/** Buckets kept across every rule and agent, before the least recently used pair is dropped. */
const DEFAULT_MAX_BUCKETS = 1_000_000;

/** One rule and agent's counts: bucket start times, ascending, and the calls in each. */
interface UsageLog {
  readonly starts: number[];
  readonly counts: number[];
}

/**
 * Counts in memory, for one process (the SDK in-process, a server without Redis): per rule and
 * agent, the calls per second over the last 30 days (the longest quota window).
 *
 * Bounded: a pair keeps at most `MAX_QUOTA` seconds (each holds a call, so a count that reaches
 * the bound has reached any quota), and all pairs together `maxBuckets`, past which the pair
 * recorded least recently is forgotten.
 */
export class MemoryUsageStore implements UsagePort {
  readonly #logs = new Map<string, UsageLog>();
  #buckets = 0;
  readonly #now: () => number;
  readonly #maxBuckets: number;

  constructor(options: { readonly now?: () => number; readonly maxBuckets?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  }

  async count(ruleId: string, agentId: string, windowMs: number): Promise<number> {
    const log = this.#logs.get(keyOf(ruleId, agentId));
    if (!log) return 0;
    // A bucket any part of which lies in the window counts whole: late, never early.
    const since = this.#now() - windowMs - BUCKET_MS;
    let total = 0;
    for (let i = log.starts.length - 1; i >= 0 && log.starts[i]! > since; i--) total += log.counts[i]!;
    return total;
  }

  async record(ruleIds: readonly string[], agentId: string): Promise<void> {
    const now = this.#now();
    const bucket = now - (now % BUCKET_MS);
    for (const ruleId of new Set(ruleIds)) {
      const key = keyOf(ruleId, agentId);
      const log = this.#logs.get(key) ?? { starts: [], counts: [] };
      // Re-inserted last, so that the first key is the one recorded least recently.
      this.#logs.delete(key);
      this.#logs.set(key, log);
      const last = log.starts.length - 1;
      if (last >= 0 && log.starts[last] === bucket) log.counts[last]! += 1;
      else {
        log.starts.push(bucket);
        log.counts.push(1);
        this.#buckets += 1;
      }
      this.#drop(log, expiredBefore(log, now - MAX_QUOTA_WINDOW_MS));
      if (log.starts.length > MAX_QUOTA) this.#drop(log, log.starts.length - MAX_QUOTA);
    }
    while (this.#buckets > this.#maxBuckets) {
      const [oldest, log] = this.#logs.entries().next().value as [string, UsageLog];
      this.#buckets -= log.starts.length;
      this.#logs.delete(oldest);
    }
  }

  #drop(log: UsageLog, n: number): void {
    if (n <= 0) return;
    log.starts.splice(0, n);
    log.counts.splice(0, n);
    this.#buckets -= n;
  }
}

function expiredBefore(log: UsageLog, cutoff: number): number {
  let n = 0;
  while (n < log.starts.length && log.starts[n]! < cutoff) n++;
  return n;
}

function keyOf(ruleId: string, agentId: string): string {
  return `${ruleId}\u0000${agentId}`;
}
