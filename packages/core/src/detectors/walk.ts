import { isSecretKey } from '../audit/redact.js';

/**
 * The strings inside a structured value (an MCP tool result, a JSON API
 * response), with bounds on depth and node count so that a hostile value
 * costs bounded time and memory.
 */

/** Bounds of a walk. */
export const WALK_LIMITS = { maxDepth: 64, maxNodes: 200_000 } as const;

/** Object keys at least this long are scanned as text too (a key can carry an instruction). */
const MIN_SCANNED_KEY = 12;

/** A string found in a value: where it is, and whether it is a key. */
export interface FoundString {
  readonly path: string;
  readonly text: string;
}

/** The JSON-path-like name of a child: `a.b`, `a[0]`, `a["x y"]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Base64 bodies of binary MCP content (an image or audio block of a tool
 * result's `content`): not text, not scanned. The same shape anywhere else
 * (inside `structuredContent`, say) is text to a model, and is scanned.
 */
function isBinaryContent(node: Record<string, unknown>, key: string, path: string): boolean {
  return (
    key === 'data' &&
    /^content\[\d+\]$/.test(path) &&
    (node.type === 'image' || node.type === 'audio') &&
    typeof node.mimeType === 'string' &&
    /^(image|audio)\//.test(node.mimeType)
  );
}

/** Largest resource blob decoded for scanning. */
const MAX_DECODED_BLOB = 1024 * 1024;

/** A resource's base64 `blob` as text, when its type says it is text (or says nothing). */
function decodedBlob(node: Record<string, unknown>, blob: string): string | undefined {
  const type = typeof node.mimeType === 'string' ? node.mimeType : '';
  if (type !== '' && !/^text\/|json|xml|yaml|javascript|ecmascript|x-sh|toml|csv|markdown/i.test(type))
    return undefined;
  if (blob.length > (MAX_DECODED_BLOB * 4) / 3) return undefined;
  try {
    const bytes = Uint8Array.from(atob(blob), (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Every string in `value`, depth first, in property order. `complete` is
 * false when a bound stopped the walk: what lies beyond was not seen.
 */
export function stringsOf(value: unknown): { strings: FoundString[]; complete: boolean } {
  const strings: FoundString[] = [];
  let nodes = 0;
  let complete = true;
  const visit = (node: unknown, path: string, depth: number): void => {
    if (++nodes > WALK_LIMITS.maxNodes || depth > WALK_LIMITS.maxDepth) {
      complete = false;
      return;
    }
    if (typeof node === 'string') {
      strings.push({ path, text: node });
      return;
    }
    if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length && complete; i++) visit(node[i], childPath(path, i), depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      if (!complete) return;
      if (key.length >= MIN_SCANNED_KEY) strings.push({ path: `${childPath(path, key)}{key}`, text: key });
      if (isBinaryContent(node as Record<string, unknown>, key, path)) continue;
      // A resource's text sent as base64 is text all the same.
      if (key === 'blob' && typeof child === 'string') {
        const text = decodedBlob(node as Record<string, unknown>, child);
        if (text !== undefined) strings.push({ path: `${childPath(path, key)}{decoded}`, text });
      }
      // `{ api_key: "…" }`: the value alone says nothing; read with its name, the secret
      // detectors' assignment rules see it as `api_key=…`.
      if (typeof child === 'string' && isSecretKey(key))
        strings.push({ path: `${childPath(path, key)}{pair}`, text: pairText(key, child) });
      visit(child, childPath(path, key), depth + 1);
    }
  };
  visit(value, '', 0);
  return { strings, complete };
}

/** A secret-named property read as an assignment. */
export function pairText(key: string, value: string): string {
  return `${key}=${value}`;
}

/**
 * A copy of `value` with every string (and object key) passed through
 * `rewrite`; values beyond the walk's bounds are replaced by `beyond`. A
 * string under a secret-named key goes through `rewritePair` first, when
 * given, which may replace it whole.
 */
export function mapStrings(
  value: unknown,
  rewrite: (text: string) => string,
  beyond: string,
  rewritePair?: (key: string, text: string) => string | undefined,
): unknown {
  let nodes = 0;
  const visit = (node: unknown, depth: number, path = ''): unknown => {
    if (++nodes > WALK_LIMITS.maxNodes || depth > WALK_LIMITS.maxDepth) return beyond;
    if (typeof node === 'string') return rewrite(node);
    if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) return node;
    if (Array.isArray(node)) return node.map((child, i) => visit(child, depth + 1, childPath(path, i)));
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      let name = key.length >= MIN_SCANNED_KEY ? rewrite(key) : key;
      while (name !== key && Object.hasOwn(out, name)) name = `${name}'`;
      const paired = typeof child === 'string' && isSecretKey(key) ? rewritePair?.(key, child) : undefined;
      out[name] = isBinaryContent(node as Record<string, unknown>, key, path)
        ? child
        : paired !== undefined
          ? paired
          : visit(child, depth + 1, childPath(path, key));
    }
    return out;
  };
  return visit(value, 0);
}
