import { createHash } from 'node:crypto';
import { MemoryUsageStore, type UsagePort } from '@gatehouse/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RateLimit, RateLimitConfig } from '../config/load.js';
import { RedisUsageStore } from './usage-store.js';

/** The verdict the enforcement path's rate-limit port expects. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Per-agent and per-agent×tool limits (DESIGN §2 step 3) over
 * rate-limiter-flexible: in Redis when configured, else in PostgreSQL when
 * that is the store (several replicas share the counts either way), else in
 * memory for a single process. A store that fails makes `consume` reject,
 * and the path denies: an unavailable limiter never means unlimited.
 */
export class AgentRateLimiter {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #redis: Redis | undefined;
  readonly #postgres: { pool: pg.Pool; schema?: string } | undefined;
  /**
   * The counts of the policy's quota rules, next to the rate limits: in the same Redis when
   * configured (shared by replicas), else in this process's memory.
   */
  readonly usage: UsagePort;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly agentName: (agentId: string) => string | undefined,
    postgres?: { url: string; schema?: string },
  ) {
    if (config.redis) {
      // No offline queue: while Redis is unreachable, commands fail at once
      // instead of waiting, and the call is denied promptly.
      this.#redis = new Redis(config.redis, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      });
      this.#redis.on('error', () => undefined);
    } else if (postgres) {
      const pool = new pg.Pool({ connectionString: postgres.url, max: 5, connectionTimeoutMillis: 2000 });
      pool.on('error', () => undefined);
      this.#postgres = { pool, ...(postgres.schema !== undefined && { schema: postgres.schema }) };
    }
    this.usage = this.#redis ? new RedisUsageStore(this.#redis) : new MemoryUsageStore();
  }

  /**
   * Resolves once the shared store answers, or after `timeoutMs` (calls are
   * then denied until it does): a server should not open its doors with a
   * limiter that refuses every call.
   */
  async ready(timeoutMs: number): Promise<boolean> {
    const redis = this.#redis;
    if (!redis || redis.status === 'ready') return true;
    // Not events.once: it rejects on the first connection error, and Redis keeps retrying.
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      redis.once('ready', onReady);
    });
  }

  /** Why the limiter cannot count right now, if it cannot. */
  get problem(): string | undefined {
    return this.#redis && this.#redis.status !== 'ready' ? 'the rate limiter cannot reach Redis' : undefined;
  }

  /** Where the counts live: for readiness and logs. */
  get backend(): 'redis' | 'postgres' | 'memory' {
    return this.#redis ? 'redis' : this.#postgres ? 'postgres' : 'memory';
  }

  /** Consumes one request for the agent and for the agent×tool pair. */
  async consume(agentId: string, tool: string): Promise<RateVerdict> {
    const name = this.agentName(agentId);
    const override = name === undefined ? undefined : this.config.agents[name];
    const perAgent = override?.perAgent ?? this.config.perAgent;
    const perTool = override?.perAgentTool ?? this.config.perAgentTool;
    // Keys stay short: the PostgreSQL table keys are varchar(255).
    const toolKey = tool.length > 120 ? createHash('sha256').update(tool).digest('base64url') : tool;
    for (const [limit, key] of [
      [perAgent, `agent:${agentId}`],
      [perTool, `tool:${agentId}:${toolKey}`],
    ] as const) {
      try {
        await this.limiter(limit).consume(key, 1);
      } catch (err) {
        if (err instanceof RateLimiterRes)
          return { allowed: false, retryAfterMs: Math.max(1, err.msBeforeNext) };
        throw err;
      }
    }
    return { allowed: true };
  }

  close(): void {
    this.#redis?.disconnect();
    void this.#postgres?.pool.end().catch(() => undefined);
  }

  private limiter(limit: RateLimit): RateLimiterAbstract {
    const key = `${limit.requests}/${limit.perMs}`;
    let limiter = this.#limiters.get(key);
    if (!limiter) {
      const options = {
        points: limit.requests,
        duration: Math.max(1, Math.round(limit.perMs / 1000)),
        keyPrefix: `gh:rl:${key}`,
      };
      if (this.#redis) {
        limiter = new RateLimiterRedis({ ...options, storeClient: this.#redis, rejectIfRedisNotReady: true });
      } else if (this.#postgres) {
        limiter = new RateLimiterPostgres({
          ...options,
          storeClient: this.#postgres.pool,
          storeType: 'pool',
          tableName: 'rate_limits',
          ...(this.#postgres.schema !== undefined && { schemaName: this.#postgres.schema }),
          // The store's migrations created the table.
          tableCreated: true,
        });
      } else {
        limiter = new RateLimiterMemory(options);
      }
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }
}
