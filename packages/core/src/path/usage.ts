import { MAX_QUOTA_WINDOW_MS } from '../policy/compile-rules.js';
import { quotaRulesFor } from '../policy/decide.js';
import { MAX_QUOTA } from '../policy/schema.js';
import type { AgentIdentity, CompiledPolicy, Decision } from '../policy/types.js';
import type { UsageHold, UsagePort } from './path-contract.js';

/*
 * Quotas on the enforcement path: the counts read before deciding, and the calls recorded once
 * they run. The PDP stays pure: it reads the counts from the request (`usage`).
 */

/** The counts a decision needs and the places held for the call, or why they could not be read. */
export type UsageReading =
  | {
      readonly usage?: Readonly<Record<string, number>>;
      readonly hold?: UsageHold;
      readonly problem?: undefined;
    }
  | { readonly usage?: undefined; readonly hold?: undefined; readonly problem: string };

/**
 * The agent's counts under each quota rule that selects the call (`selecting` names them: the
 * rules whose selectors and condition hold), with a place held under each. Nothing is read for
 * a policy without quotas, or a call none of them selects. A missing or failing store is a
 * `problem`: the path refuses the call if a quota rule selects it (fail closed), and ignores it
 * otherwise. The caller keeps or releases the hold once the call has run or been refused.
 */
export async function readUsage(
  port: UsagePort | undefined,
  policy: CompiledPolicy,
  agent: AgentIdentity,
  tool: string,
  selecting: () => readonly string[],
): Promise<UsageReading> {
  const covering = quotaRulesFor(policy, agent, tool);
  if (covering.length === 0) return {};
  const selected = new Set(selecting());
  const rules = covering.filter((r) => selected.has(r.id));
  if (rules.length === 0) return {};
  if (!port) {
    return {
      problem: `the policy sets quotas (rule '${rules[0]!.id}') but no usage store counts calls here, so calls under them are refused`,
    };
  }
  try {
    const hold = await port.hold(
      rules.map((r) => ({ id: r.id, windowMs: r.quota.windowMs })),
      agent.id,
    );
    return { usage: Object.fromEntries(rules.map((r, i) => [r.id, hold.counts[i]!])), hold };
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
  /** Places held by calls not yet run or refused, per rule and agent. */
  readonly #pending = new Map<string, number>();
  #buckets = 0;
  readonly #now: () => number;
  readonly #maxBuckets: number;

  constructor(options: { readonly now?: () => number; readonly maxBuckets?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  }

  /** The calls counted under the rule within the window, and those held now. */
  async count(ruleId: string, agentId: string, windowMs: number): Promise<number> {
    return this.#count(keyOf(ruleId, agentId), windowMs);
  }

  async hold(
    rules: readonly { readonly id: string; readonly windowMs: number }[],
    agentId: string,
  ): Promise<UsageHold> {
    // One synchronous step: no other call is counted or held between the count and the hold.
    const keys = rules.map((r) => keyOf(r.id, agentId));
    const counts = rules.map((r, i) => this.#count(keys[i]!, r.windowMs));
    for (const key of keys) this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    let held = true;
    const giveBack = () => {
      if (!held) return false;
      held = false;
      for (const key of keys) {
        const left = (this.#pending.get(key) ?? 1) - 1;
        if (left > 0) this.#pending.set(key, left);
        else this.#pending.delete(key);
      }
      return true;
    };
    return {
      counts,
      keep: async (ruleIds) => {
        if (giveBack()) this.record(ruleIds, agentId);
      },
      release: async () => {
        giveBack();
      },
    };
  }

  #count(key: string, windowMs: number): number {
    let total = this.#pending.get(key) ?? 0;
    const log = this.#logs.get(key);
    if (!log) return total;
    // A bucket any part of which lies in the window counts whole: late, never early.
    const since = this.#now() - windowMs - BUCKET_MS;
    for (let i = log.starts.length - 1; i >= 0 && log.starts[i]! > since; i--) total += log.counts[i]!;
    return total;
  }

  /** Counts one call of the agent toward each rule, now. */
  record(ruleIds: readonly string[], agentId: string): void {
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
