import type { AgentStatusSource, RevocationSource } from './access-tokens.js';
import type { AgentRecord, CredentialRecord, IdentityStore } from './identity-store.js';

/**
 * The registry as the hot path sees it: agents, credentials and revoked
 * token ids held in memory, so that checking a token costs microseconds
 * rather than a database round trip.
 *
 * It follows the store by polling for revisions above the last one seen, so
 * a change made anywhere — this process, the CLI, another replica — is in
 * force here within one poll interval.
 */
export class RegistryCache implements AgentStatusSource, RevocationSource {
  readonly #agents = new Map<string, AgentRecord>();
  readonly #agentIdsByName = new Map<string, string>();
  readonly #credentials = new Map<string, CredentialRecord>();
  readonly #revoked = new Map<string, number>();
  #revision = -1;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #lastError: unknown;

  constructor(private readonly store: IdentityStore) {}

  /** Loads everything, then keeps following the store every `intervalMs`. */
  async start(intervalMs = 250): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) => {
        this.#lastError = err;
      });
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The last refresh error, if the store stopped answering (readiness reports it). */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Applies every change above the last revision seen. Concurrent calls share one query. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.applyChanges().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  private async applyChanges(): Promise<void> {
    const changes = await this.store.changesSince(this.#revision);
    for (const agent of changes.agents) {
      const previous = this.#agents.get(agent.id);
      if (previous && previous.name !== agent.name) this.#agentIdsByName.delete(previous.name);
      this.#agents.set(agent.id, agent);
      this.#agentIdsByName.set(agent.name, agent.id);
    }
    for (const credential of changes.credentials) this.#credentials.set(credential.id, credential);
    for (const { jti, expiresAt } of changes.revokedTokens) this.#revoked.set(jti, expiresAt.getTime());
    this.#revision = Math.max(this.#revision, changes.revision);
    this.#lastError = undefined;
    const now = Date.now();
    for (const [jti, expires] of this.#revoked) if (expires < now) this.#revoked.delete(jti);
  }

  /** The agent with this id or name. */
  agent(idOrName: string): AgentRecord | undefined {
    return this.#agents.get(idOrName) ?? this.#agents.get(this.#agentIdsByName.get(idOrName) ?? '');
  }

  /** The credentials of an agent that work at `now`. */
  liveCredentials(agentId: string, now = new Date()): CredentialRecord[] {
    const live: CredentialRecord[] = [];
    for (const c of this.#credentials.values()) {
      if (c.agentId === agentId && (c.expiresAt === undefined || c.expiresAt.getTime() > now.getTime()))
        live.push(c);
    }
    return live;
  }

  tokenStatus(agentId: string): { status: string; tokensValidAfter?: Date } | undefined {
    const agent = this.#agents.get(agentId);
    if (!agent) return undefined;
    return agent.tokensValidAfter
      ? { status: agent.status, tokensValidAfter: agent.tokensValidAfter }
      : { status: agent.status };
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }
}
