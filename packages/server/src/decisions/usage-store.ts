import { randomUUID } from 'node:crypto';
import type { UsagePort } from '@gatehouse/core';
import type { Redis } from 'ioredis';

/** The longest quota window (the policy compiler refuses longer): older calls are dropped. */
const MAX_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
/** Calls kept per rule and agent: the largest quota, so a count that reaches it has reached any. */
const MAX_CALLS_KEPT = 100_000;

/**
 * Quota counts in Redis, shared by every replica: one sorted set per rule and agent, a member
 * per call scored by its time, trimmed to the longest window and to the largest quota, and
 * expiring with the window. A command that fails rejects, and the path refuses the call.
 *
 * Counting and recording are two steps: calls racing (in one replica or several) may each read
 * a count below the quota and all run, so a burst of N concurrent calls can pass it by N - 1.
 */
export class RedisUsageStore implements UsagePort {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {}

  async count(ruleId: string, agentId: string, windowMs: number): Promise<number> {
    return this.redis.zcount(keyOf(ruleId, agentId), `(${this.now() - windowMs}`, '+inf');
  }

  async record(ruleIds: readonly string[], agentId: string): Promise<void> {
    const now = this.now();
    const batch = this.redis.multi();
    for (const ruleId of new Set(ruleIds)) {
      const key = keyOf(ruleId, agentId);
      batch
        .zadd(key, now, `${now}:${randomUUID()}`)
        .zremrangebyscore(key, '-inf', `(${now - MAX_WINDOW_MS}`)
        .zremrangebyrank(key, 0, -(MAX_CALLS_KEPT + 1))
        .pexpire(key, MAX_WINDOW_MS);
    }
    const results = await batch.exec();
    const failed = results?.find(([err]) => err !== null)?.[0];
    if (results === null || failed) throw failed ?? new Error('the Redis transaction was aborted');
  }
}

function keyOf(ruleId: string, agentId: string): string {
  // A rule id holds no ':', so the rule and the agent cannot run together into another pair's key.
  return `gh:quota:${ruleId}:${agentId}`;
}
