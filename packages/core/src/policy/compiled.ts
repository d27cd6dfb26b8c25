import type { CompiledCondition } from './cel.js';
import type { Glob } from './glob.js';
import type { CompiledPolicy, CompiledRule, ResourceStateWindow, ToolCategory } from './types.js';

/**
 * What the compiler prepares for the PDP beyond the public data of a
 * `CompiledPolicy`: compiled globs and conditions, and the rule index.
 * Kept behind a module-private symbol so that only this package reads it.
 */
export interface RuleRuntime {
  readonly rule: CompiledRule;
  readonly agentGlobs?: readonly Glob[];
  readonly toolGlobs?: readonly Glob[];
  readonly categories?: ReadonlySet<ToolCategory>;
  readonly labels?: readonly string[];
  readonly condition?: CompiledCondition;
}

/** A resource-state window with its tool globs compiled. */
export interface StateWindowRuntime {
  readonly globs: readonly Glob[];
  readonly window: ResourceStateWindow;
}

/** The CEL view of one catalog tool, built once at compile time. */
export interface ToolActivation {
  readonly tool: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
}

export interface PolicyInternals {
  readonly rules: readonly RuleRuntime[];
  /**
   * For each catalog tool, the rules whose `tools` and `categories` selectors
   * cover it, in policy order.
   * INVARIANT: a rule absent from a tool's list can never apply to that tool,
   * so the PDP evaluates only these (a property test checks this against a
   * full scan).
   */
  readonly candidatesByTool: ReadonlyMap<string, readonly RuleRuntime[]>;
  readonly toolActivations: ReadonlyMap<string, ToolActivation>;
  readonly rulesById: ReadonlyMap<string, RuleRuntime>;
  /** Declared intents and the globs of the tools each allows. */
  readonly intentGlobs: ReadonlyMap<string, readonly Glob[]>;
  readonly stateWindows: readonly StateWindowRuntime[];
  /** Whether any rule carries obligations; when none does, the PDP skips collecting them. */
  readonly hasObligations: boolean;
  /** Whether any rule carries a quota; when none does, the path reads no usage. */
  readonly hasQuotas: boolean;
  /** Compiled grant patterns, shared across requests (bounded). */
  readonly grantGlobs: Map<string, Glob>;
}

const INTERNALS: unique symbol = Symbol('gatehouse.policy.internals');

type WithInternals = CompiledPolicy & { readonly [INTERNALS]: PolicyInternals };

/** Attaches internals to a policy object (non-enumerable, so JSON output stays public data). */
export function attachInternals<T extends CompiledPolicy>(policy: T, internals: PolicyInternals): T {
  Object.defineProperty(policy, INTERNALS, { value: internals, enumerable: false, writable: false });
  return policy;
}

/** The internals of a policy made by `compilePolicy`, or undefined for any other object. */
export function internalsOf(policy: unknown): PolicyInternals | undefined {
  if (policy === null || typeof policy !== 'object') return undefined;
  return (policy as Partial<WithInternals>)[INTERNALS];
}

/** A map that cannot be changed after construction, unlike a frozen `Map`. */
export class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #inner: Map<K, V>;

  constructor(entries: Iterable<readonly [K, V]>) {
    this.#inner = new Map(entries);
    Object.freeze(this);
  }

  get size(): number {
    return this.#inner.size;
  }
  get(key: K): V | undefined {
    return this.#inner.get(key);
  }
  has(key: K): boolean {
    return this.#inner.has(key);
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [k, v] of this.#inner) callback(v, k, this);
  }
  entries(): MapIterator<[K, V]> {
    return this.#inner.entries();
  }
  keys(): MapIterator<K> {
    return this.#inner.keys();
  }
  values(): MapIterator<V> {
    return this.#inner.values();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#inner[Symbol.iterator]();
  }
  /** Plain-object form, so `JSON.stringify(policy)` shows the entries. */
  toJSON(): Record<string, V> {
    return Object.fromEntries(this.#inner as Map<unknown, V>) as Record<string, V>;
  }
}

/** Freezes a value and everything reachable from it (plain data only). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
