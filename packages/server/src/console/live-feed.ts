import { EventEmitter } from 'node:events';
import { openAuditEvent, type SealedAuditEvent } from '@gatehouse/core';

/** What a live listener is told: the kind of change, and the audit event as readers see it. */
export interface LiveChange {
  /** `approval` (an approval opened, moved or ended) or `audit` (any event). */
  readonly kind: 'approval' | 'audit';
  readonly seq: number;
  readonly event: ReturnType<typeof openAuditEvent>;
}

/**
 * Fans committed audit events out to live listeners (the console's event
 * stream). It sees this replica's commits; pages fall back to polling, which
 * sees every replica's.
 */
export class LiveFeed {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open console tab.
    this.#emitter.setMaxListeners(0);
  }

  publish(events: readonly SealedAuditEvent[]): void {
    if (this.#emitter.listenerCount('change') === 0) return;
    for (const sealed of events) {
      const event = openAuditEvent(sealed);
      this.#emitter.emit('change', { kind: 'audit', seq: sealed.seq, event } satisfies LiveChange);
      if (sealed.type === 'approval' || sealed.outcome === 'escalated')
        this.#emitter.emit('change', { kind: 'approval', seq: sealed.seq, event } satisfies LiveChange);
    }
  }

  subscribe(listener: (change: LiveChange) => void): () => void {
    this.#emitter.on('change', listener);
    return () => this.#emitter.off('change', listener);
  }
}
