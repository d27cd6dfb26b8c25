import { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RateLimit, RateLimitConfig } from '../config/load.js';

/** The verdict the enforcement path's rate-limit port expects. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Per-agent and per-agent×tool limits (DESIGN §2 step 3) over
 * rate-limiter-flexible: in memory for one process, in Redis when several
 * replicas must share the counts. A store that fails makes `consume`
 * reject, and the path denies: an unavailable limiter never means unlimited.
 */
export class AgentRateLimiter {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #redis: Redis | undefined;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly agentName: (agentId: string) => string | undefined,
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
    }
  }

  /** Consumes one request for the agent and for the agent×tool pair. */
  async consume(agentId: string, tool: string): Promise<RateVerdict> {
    const name = this.agentName(agentId);
    const override = name === undefined ? undefined : this.config.agents[name];
    const perAgent = override?.perAgent ?? this.config.perAgent;
    const perTool = override?.perAgentTool ?? this.config.perAgentTool;
    for (const [limit, key] of [
      [perAgent, `agent:${agentId}`],
      [perTool, `tool:${agentId}:${tool}`],
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

  /** Resolves once Redis (if configured) answers; for readiness. */
  async ping(): Promise<void> {
    if (this.#redis) await this.#redis.ping();
  }

  close(): void {
    this.#redis?.disconnect();
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
      limiter = this.#redis
        ? new RateLimiterRedis({ ...options, storeClient: this.#redis, rejectIfRedisNotReady: true })
        : new RateLimiterMemory(options);
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }
}
