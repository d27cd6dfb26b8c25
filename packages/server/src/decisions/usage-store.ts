import { randomUUID } from 'node:crypto';
import type { UsageHold, UsagePort } from '@gatehouse/core';
import type { ChainableCommander, Redis } from 'ioredis';

/** The longest quota window (the policy compiler refuses longer): older calls are dropped. */
const MAX_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
/** Calls kept per rule and agent: the largest quota, so a count that reaches it has reached any. */
const MAX_CALLS_KEPT = 100_000;

/**
 * Quota counts in Redis, shared by every replica: one sorted set per rule and agent, a member
 * per call scored by its time, trimmed to the longest window and to the largest quota, and
 * expiring with the window. A command that fails rejects, and the path refuses the call.
 *
 * A call's member goes in when it is counted (one MULTI: each count and hold happen with no
 * other client's command between them), so calls racing, in one replica or several, each count
 * the others; it is re-scored when the call runs and removed if it does not. A replica that dies
 * in between leaves its member counted until the window passes: more refusals, never fewer.
 */
export class RedisUsageStore implements UsagePort {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {}

  async count(ruleId: string, agentId: string, windowMs: number): Promise<number> {
    return this.redis.zcount(keyOf(ruleId, agentId), `(${this.now() - windowMs}`, '+inf');
  }

  async hold(
    rules: readonly { readonly id: string; readonly windowMs: number }[],
    agentId: string,
  ): Promise<UsageHold> {
    const now = this.now();
    const member = `${now}:${randomUUID()}`;
    const keys = rules.map((r) => keyOf(r.id, agentId));
    const batch = this.redis.multi();
    rules.forEach((r, i) => {
      batch
        .zadd(keys[i]!, now, member)
        .zcount(keys[i]!, `(${now - r.windowMs}`, '+inf')
        .pexpire(keys[i]!, MAX_WINDOW_MS);
    });
    const giveBack = async () => {
      const undo = this.redis.multi();
      for (const key of keys) undo.zrem(key, member);
      await undo.exec();
    };
    let answered: [Error | null, unknown][];
    try {
      answered = await execAll(batch);
    } catch (err) {
      await giveBack().catch(() => undefined);
      throw err;
    }
    // Each count includes this call's own member.
    const counts = rules.map((_, i) => Math.max(0, Number(answered[i * 3 + 1]![1]) - 1));
    let held = true;
    return {
      counts,
      keep: async (ruleIds) => {
        if (!held) return;
        held = false;
        const kept = new Set(ruleIds.map((id) => keyOf(id, agentId)));
        const ranAt = this.now();
        const batch = this.redis.multi();
        for (const key of keys) {
          if (!kept.has(key)) batch.zrem(key, member);
          else
            batch
              .zadd(key, 'XX', ranAt, member)
              .zremrangebyscore(key, '-inf', `(${ranAt - MAX_WINDOW_MS}`)
              .zremrangebyrank(key, 0, -(MAX_CALLS_KEPT + 1))
              .pexpire(key, MAX_WINDOW_MS);
        }
        await execAll(batch);
      },
      release: async () => {
        if (!held) return;
        held = false;
        // Best effort: a member left behind over-counts, which refuses more, never less.
        await giveBack().catch(() => undefined);
      },
    };
  }
}

/** Runs a MULTI and gives its replies, or rejects when it was aborted or any command failed. */
async function execAll(batch: ChainableCommander): Promise<[Error | null, unknown][]> {
  const results = await batch.exec();
  const failed = results?.find(([err]) => err !== null)?.[0];
  if (results === null || failed) throw failed ?? new Error('the Redis transaction was aborted');
  return results;
}

function keyOf(ruleId: string, agentId: string): string {
  // A rule id holds no ':', so the rule and the agent cannot run together into another pair's key.
  return `gh:quota:${ruleId}:${agentId}`;
}
