/**
 * Allowed decisions awaiting their outcome report, each for a fixed window,
 * at most `capacity` of them. Every entry lives exactly `windowMs`, so
 * insertion order is expiry order: expiry looks only at the oldest entries
 * and an insert costs O(1) amortised, however many calls go unreported (a
 * full scan per insert once full slowed allowed traffic eightfold).
 */
export class OutcomeWindow<T> {
  // INVARIANT: entries are inserted with non-decreasing `expiresAt`, so the
  // Map's insertion order is expiry order.
  readonly #entries = new Map<string, { value: T; expiresAt: number }>();
  #lastExpiry = 0;

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Entries held (some may have expired and not yet been dropped). */
  get size(): number {
    return this.#entries.size;
  }

  /** Remembers `value` under `id` for the window; the oldest entry makes room when full. */
  add(id: string, value: T): void {
    const now = this.clock();
    this.#dropExpired(now);
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    // A clock stepping back must not break the ordering invariant.
    this.#lastExpiry = Math.max(this.#lastExpiry, now + this.windowMs);
    this.#entries.delete(id);
    this.#entries.set(id, { value, expiresAt: this.#lastExpiry });
  }

  /** The live entry under `id`, if any (an expired one is dropped). */
  get(id: string): T | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  /** Removes the entry under `id`. */
  delete(id: string): void {
    this.#entries.delete(id);
  }

  #dropExpired(now: number): void {
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt > now) return;
      this.#entries.delete(id);
    }
  }
}
