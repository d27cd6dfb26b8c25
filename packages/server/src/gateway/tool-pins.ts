import { canonicalJson, scanText, sha256Hex, type ToolBlock } from '@gatehouse/core';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { AuditSink } from '../audit/audit-log.js';
import { actionDraft } from '../audit/drafts.js';
import type { Store, ToolPinRecord } from '../store/index.js';

/** A tool definition longer than this (canonical JSON) is never pinned. */
const MAX_DEFINITION_LENGTH = 256 * 1024;

/** Approved hashes are re-read from the store this often, so an approval from the CLI applies. */
const PIN_REFRESH_MS = 1000;

/** What of a tool definition is pinned: everything a model reads or the upstream validates with. */
export function pinnedDefinition(tool: Tool): { hash: string; definition: string } {
  const definition = canonicalJson({
    name: tool.name,
    ...(tool.title !== undefined && { title: tool.title }),
    ...(tool.description !== undefined && { description: tool.description }),
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined && { outputSchema: tool.outputSchema }),
    ...(tool.annotations !== undefined && { annotations: tool.annotations }),
  });
  return { hash: sha256Hex(definition), definition };
}

/** Says why a first-seen tool description reads like instructions to the model, or nothing. */
export type DescriptionScanner = (tool: Tool) => string | undefined;

/**
 * Tool poisoning: the injection detector over everything of a definition
 * that a model reads, the title and description and those of every parameter.
 */
export const scanToolDescription: DescriptionScanner = (tool) => {
  const texts: string[] = [];
  if (tool.title) texts.push(tool.title);
  if (tool.description) texts.push(tool.description);
  const walk = (node: unknown, depth: number) => {
    if (depth > 32 || node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'description' || key === 'title') && typeof value === 'string') texts.push(value);
      else walk(value, depth + 1);
    }
  };
  walk(tool.inputSchema, 0);
  const result = scanText(texts.join('\n'), { kind: 'tool-description' });
  if (!result.labels.includes('injection_suspected')) return undefined;
  const reasons = [...new Set(result.findings.map((f) => f.reason))].slice(0, 3).join('; ');
  return `the description of ${tool.name} reads like instructions to the model (score ${result.score.toFixed(2)}: ${reasons})`;
};

/**
 * Tool pinning, the rug-pull defence: the first definition of each upstream
 * tool is recorded by hash; a later, different definition blocks the tool
 * (and raises an alert) until an admin approves it. A tool whose first
 * description reads like an injection is held the same way.
 */
export class ToolPins {
  /** `upstream\0tool` → the hash the upstream lists now. */
  readonly #current = new Map<string, string>();
  /** `upstream\0tool` → the pin as last read from the store. */
  #pins = new Map<string, ToolPinRecord>();
  readonly #readAt = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly options: {
      audit?: AuditSink;
      scan?: DescriptionScanner;
      onAlert?: (message: string, pin: { upstream: string; tool: string }) => void;
    } = {},
  ) {}

  /** Whether the upstream's tool has been listed since the gateway started. */
  seen(upstream: string, tool: string): boolean {
    return this.#current.has(key(upstream, tool));
  }

  /**
   * Records what the upstream lists now: first sights are pinned, changes are
   * held for approval. Returns the names of the tools that may not be used.
   */
  async observe(upstream: string, tools: readonly Tool[]): Promise<Set<string>> {
    await this.refresh(upstream, true);
    let wrote = false;
    const listed: { name: string; hash: string }[] = [];
    for (const tool of tools) {
      const { hash, definition } = pinnedDefinition(tool);
      const k = key(upstream, tool.name);
      this.#current.set(k, hash);
      listed.push({ name: tool.name, hash });
      // A definition this large is no one's honest tool: never pinned, so never callable.
      if (definition.length > MAX_DEFINITION_LENGTH) continue;
      const pin = this.#pins.get(k);
      if (!pin) {
        const suspicion = this.options.scan?.(tool);
        const first: ToolPinRecord = suspicion
          ? // Nothing approved yet: the hash of no definition never matches a listed one.
            {
              upstream,
              tool: tool.name,
              hash: '',
              definition: '{}',
              pending: { hash, definition, reason: 'suspect' },
              updatedAt: new Date(),
            }
          : { upstream, tool: tool.name, hash, definition, updatedAt: new Date() };
        if (await this.store.insertToolPin(first)) {
          if (suspicion) await this.alert(first, 'tool.description-suspect', suspicion);
          else await this.record(first, 'tool.pinned', 'succeeded');
        }
        wrote = true;
      } else if (pin.hash !== hash && pin.pending?.hash !== hash) {
        const held: ToolPinRecord = {
          ...pin,
          pending: { hash, definition, reason: 'changed' },
          updatedAt: new Date(),
        };
        if (await this.store.swapToolPin(held, { hash: pin.hash, pendingHash: pin.pending?.hash }))
          await this.alert(
            held,
            'tool.definition-changed',
            `the definition of ${upstream}.${tool.name} changed since it was approved`,
          );
        wrote = true;
      }
    }
    // Once per listing, not per tool: what this and every other replica wrote.
    if (wrote) await this.refresh(upstream, true);
    const blocked = new Set<string>();
    for (const { name, hash } of listed) {
      const pin = this.#pins.get(key(upstream, name));
      if (!pin || pin.hash !== hash) blocked.add(name);
    }
    return blocked;
  }

  /** Why the tool may not be called now, or nothing. Call `observe` first for a tool not yet seen. */
  async gate(upstream: string, tool: string): Promise<ToolBlock | undefined> {
    const current = this.#current.get(key(upstream, tool));
    // Never listed (hidden by the upstream, or its listing failed): nothing was pinned, so
    // nothing can be checked, and the call is refused.
    if (current === undefined)
      return {
        code: 'tool-not-listed',
        reason: `tool ${upstream}.${tool} is not in what the upstream lists, so its definition cannot be checked`,
      };
    await this.refresh(upstream, false);
    const pin = this.#pins.get(key(upstream, tool));
    if (pin && pin.hash === current) return undefined;
    if (pin?.pending?.reason === 'suspect')
      return {
        code: 'tool-description-suspect',
        reason: `tool ${upstream}.${tool} is held: its description reads like instructions to the model; an admin must approve it (gatehouse tools approve ${upstream}.${tool})`,
      };
    return {
      code: 'tool-definition-changed',
      reason: `tool-definition-changed: the definition of ${upstream}.${tool} changed since it was approved; an admin must approve the new one (gatehouse tools approve ${upstream}.${tool})`,
    };
  }

  private async refresh(upstream: string, force: boolean): Promise<void> {
    const readAt = this.#readAt.get(upstream) ?? 0;
    if (!force && Date.now() - readAt < PIN_REFRESH_MS) return;
    const pins = await this.store.listToolPins(upstream);
    const next = new Map([...this.#pins].filter(([, p]) => p.upstream !== upstream));
    for (const pin of pins) next.set(key(pin.upstream, pin.tool), pin);
    this.#pins = next;
    this.#readAt.set(upstream, Date.now());
  }

  private async alert(pin: ToolPinRecord, action: string, message: string): Promise<void> {
    this.options.onAlert?.(message, pin);
    await this.record(pin, action, 'denied', message);
  }

  private async record(
    pin: ToolPinRecord,
    action: string,
    outcome: 'succeeded' | 'denied',
    detail?: string,
  ): Promise<void> {
    await this.options.audit?.append(
      actionDraft({
        type: outcome === 'succeeded' ? 'admin' : 'alert',
        action,
        outcome,
        who: {},
        door: 'gateway',
        ...(detail !== undefined && { detail }),
        extra: {
          upstream: pin.upstream,
          tool: pin.tool,
          hash: pin.pending?.hash ?? pin.hash,
          ...(pin.pending && pin.hash !== '' && { approved_hash: pin.hash }),
        },
      }),
    );
  }
}

/**
 * An admin approves the held definition of a tool (`gatehouse tools approve`):
 * it becomes the pinned one. Returns what happened, for the CLI to say.
 */
export async function approveToolPin(
  store: Store,
  audit: AuditSink | undefined,
  upstream: string,
  tool: string,
  approvedBy: string,
  /** The held hash the admin reviewed (or a prefix of at least 12 digits): approved only if still held. */
  reviewedHash: string,
  /** Where the approval came through, for the audit (`cli`, `console`, `admin-api`). */
  door = 'cli',
): Promise<'approved' | 'nothing-pending' | 'unknown-tool' | 'hash-mismatch'> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const pin = (await store.listToolPins(upstream)).find((p) => p.tool === tool);
    if (!pin) return 'unknown-tool';
    if (!pin.pending) return 'nothing-pending';
    if (reviewedHash.length < 12 || !pin.pending.hash.startsWith(reviewedHash)) return 'hash-mismatch';
    const approved: ToolPinRecord = {
      upstream,
      tool,
      hash: pin.pending.hash,
      definition: pin.pending.definition,
      approvedBy,
      updatedAt: new Date(),
    };
    if (await store.swapToolPin(approved, { hash: pin.hash, pendingHash: pin.pending.hash })) {
      await audit?.append(
        actionDraft({
          type: 'admin',
          action: 'tool.definition-approved',
          outcome: 'succeeded',
          who: { user: { email: approvedBy } },
          door,
          extra: { upstream, tool, hash: approved.hash, ...(pin.hash !== '' && { previous_hash: pin.hash }) },
        }),
      );
      return 'approved';
    }
  }
  throw new Error('the pin kept changing while it was being approved; try again');
}

function key(upstream: string, tool: string): string {
  return `${upstream}\0${tool}`;
}
