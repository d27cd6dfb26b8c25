import {
  categoriesFromAnnotations,
  type Diagnostic,
  type PolicySource,
  type ToolAnnotations,
  type ToolCategory,
} from '@gatehouse/core';
import type { PolicyRuntime } from '../policy/runtime.js';
import type { Store } from '../store/index.js';

/** The source name registered tools compile under; diagnostics point here. */
export const REGISTERED_TOOLS_SOURCE = '<registered tools>';

/** A tool as the API registers it. */
export interface ToolRegistration {
  readonly description?: string;
  readonly server?: string;
  /** Wins over `annotations` when given. */
  readonly categories?: readonly ToolCategory[];
  readonly annotations?: ToolAnnotations;
  readonly labels?: readonly string[];
  readonly resource?: Readonly<Record<string, unknown>>;
  readonly schema?: Readonly<Record<string, unknown>>;
  readonly risk?: 'low' | 'medium' | 'high' | 'critical';
}

/**
 * Tools registered through the API, compiled with the policy files as one
 * more source: a registration that would make the policy fail to compile
 * (a name the files already declare, an invalid schema) is refused with the
 * diagnostics and never stored.
 */
export class ToolCatalog {
  #registered = new Map<string, Record<string, unknown>>();
  #stamp = '';

  constructor(
    private readonly store: Store,
    private readonly runtime: PolicyRuntime,
  ) {}

  /** The registered tools as a policy source (JSON is YAML). */
  static sourceOf(tools: ReadonlyMap<string, Record<string, unknown>>): PolicySource[] {
    if (tools.size === 0) return [];
    return [
      {
        name: REGISTERED_TOOLS_SOURCE,
        text: JSON.stringify({ version: 1, tools: Object.fromEntries(tools) }, null, 2),
      },
    ];
  }

  /** Reads the registered tools from the store, as sources for the first policy load. */
  static async load(
    store: Store,
  ): Promise<{ sources: PolicySource[]; tools: Map<string, Record<string, unknown>>; stamp: string }> {
    const rows = await store.listRegisteredTools();
    const tools = new Map(rows.map((r) => [r.name, JSON.parse(r.definition) as Record<string, unknown>]));
    return { sources: ToolCatalog.sourceOf(tools), tools, stamp: await store.registeredToolsStamp() };
  }

  /** Adopts what `load` read, so the first `sync` only reacts to later changes. */
  adopt(loaded: { tools: Map<string, Record<string, unknown>>; stamp: string }): void {
    this.#registered = loaded.tools;
    this.#stamp = loaded.stamp;
  }

  /** Registers or replaces a tool. */
  async register(
    name: string,
    registration: ToolRegistration,
    now = new Date(),
  ): Promise<
    { ok: true; definition: Record<string, unknown> } | { ok: false; diagnostics: readonly Diagnostic[] }
  > {
    const definition = definitionOf(registration);
    const next = new Map(this.#registered).set(name, definition);
    const swapped = await this.runtime.setExtraSources(ToolCatalog.sourceOf(next));
    if (!swapped.ok) return swapped;
    try {
      await this.store.putRegisteredTool(name, JSON.stringify(definition), now);
    } catch (err) {
      await this.runtime.setExtraSources(ToolCatalog.sourceOf(this.#registered));
      throw err;
    }
    this.#registered = next;
    this.#stamp = await this.store.registeredToolsStamp();
    return { ok: true, definition };
  }

  /** Removes a registered tool; false when there was none. */
  async unregister(name: string): Promise<boolean> {
    if (!this.#registered.has(name)) return false;
    const next = new Map(this.#registered);
    next.delete(name);
    const swapped = await this.runtime.setExtraSources(ToolCatalog.sourceOf(next));
    if (!swapped.ok) return false;
    await this.store.deleteRegisteredTool(name);
    this.#registered = next;
    this.#stamp = await this.store.registeredToolsStamp();
    return true;
  }

  /** Whether a catalog tool came from the API rather than a policy file. */
  isRegistered(name: string): boolean {
    return this.#registered.has(name);
  }

  /** Picks up registrations made by other replicas. */
  async sync(): Promise<void> {
    const stamp = await this.store.registeredToolsStamp();
    if (stamp === this.#stamp) return;
    const loaded = await ToolCatalog.load(this.store);
    const swapped = await this.runtime.setExtraSources(loaded.sources);
    if (swapped.ok) this.adopt(loaded);
  }
}

function definitionOf(r: ToolRegistration): Record<string, unknown> {
  return {
    categories:
      r.categories && r.categories.length > 0 ? [...r.categories] : categoriesFromAnnotations(r.annotations),
    ...(r.description !== undefined && { description: r.description }),
    ...(r.server !== undefined && { server: r.server }),
    ...(r.labels && { labels: [...r.labels] }),
    ...(r.resource && { resource: r.resource }),
    ...(r.schema && { schema: r.schema }),
    ...(r.risk !== undefined && { risk: r.risk }),
  };
}
