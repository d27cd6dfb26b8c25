import { GatehouseError } from '../errors.js';

/**
 * Bounds on one JSON request body, enforced while scanning its text, before
 * `JSON.parse` builds anything: the cost of a request is bounded before any
 * work on it starts (a 50,000-key object blocked the event loop for half a
 * second once parsed and walked).
 */
export interface JsonLimits {
  /** Largest body, in UTF-16 code units of its text. */
  readonly maxLength: number;
  /** Deepest nesting of objects and arrays. */
  readonly maxDepth: number;
  /** Most object members and array items, counted over the whole body. */
  readonly maxEntries: number;
  /** Longest string (a key or a value), in code units of its JSON text. */
  readonly maxStringLength: number;
}

/** Default request limits: room for a long document in one argument, far below what stalls a server. */
export const DEFAULT_JSON_LIMITS: JsonLimits = {
  maxLength: 512 * 1024,
  maxDepth: 32,
  // Room for a batch of 100 evaluations; one call's arguments are held to fewer (DEFAULT_ARGUMENT_LIMITS).
  maxEntries: 5_000,
  maxStringLength: 256 * 1024,
};

/** Why a JSON body was refused. */
export type JsonInputProblem = 'malformed' | 'duplicate-key' | 'too-large' | 'too-deep' | 'too-many-entries';

/** A JSON body refused before use: a client error (400, or 413 when too large). */
export class JsonInputError extends GatehouseError {
  constructor(
    readonly problem: JsonInputProblem,
    message: string,
    /** Where in the document, as `a.b[2]`; empty at the top. */
    readonly at = '',
  ) {
    super('GH_REQUEST_INVALID', at === '' ? message : `${at}: ${message}`, {
      status: problem === 'too-large' ? 413 : 400,
    });
    this.name = 'JsonInputError';
  }
}

interface Frame {
  readonly kind: 'object' | 'array';
  /** Object keys seen so far. */
  readonly keys?: Set<string>;
  /** The member or item being read: for the error's location. */
  at: string | number;
  /** In an object: the next string is a key. In an array: no item read yet. */
  expecting: boolean;
}

const STRING_END = /["\\]/g;

/**
 * `JSON.parse` that refuses duplicate object keys and bodies over `limits`.
 *
 * Duplicate keys are a parser differential: JSON.parse keeps the last, other
 * parsers (and the tool behind a gateway) may keep the first, so the value
 * judged would not be the value run (RFC 8259 §4 leaves it open). Keys are
 * compared after unescaping, so `"a"` and `"\u0061"` are one key.
 */
export function parseJsonStrict(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  if (text.length > limits.maxLength)
    throw new JsonInputError('too-large', `the body is larger than ${limits.maxLength} characters`);
  scan(text, limits);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new JsonInputError('malformed', `invalid JSON (${(err as Error).message})`);
  }
}

// A linear pass over the text that tracks only the nesting, the keys of open
// objects and the counts. It trusts JSON.parse for the grammar: on malformed
// text it may stop early or miss, and JSON.parse then refuses the text.
function scan(text: string, limits: JsonLimits): void {
  const stack: Frame[] = [];
  let entries = 0;
  const where = () => locate(stack);
  const countEntry = () => {
    if (++entries > limits.maxEntries)
      throw new JsonInputError('too-many-entries', `more than ${limits.maxEntries} entries in all`, where());
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Whitespace, and the separators that need no action.
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a) continue;
    const top = stack[stack.length - 1];
    if (top?.kind === 'array' && top.expecting && c !== 0x5d) {
      top.expecting = false;
      countEntry();
    }
    if (c === 0x22) {
      const end = stringEnd(text, i);
      if (end - i - 1 > limits.maxStringLength)
        throw new JsonInputError(
          'too-large',
          `a string is longer than ${limits.maxStringLength} characters`,
          where(),
        );
      if (top?.kind === 'object' && top.expecting) {
        const raw = text.slice(i, end + 1);
        let key: string;
        try {
          key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        } catch {
          throw new JsonInputError('malformed', 'invalid JSON (a key is not a valid string)', where());
        }
        if (top.keys!.has(key)) {
          top.at = key;
          throw new JsonInputError('duplicate-key', `duplicate key '${printable(key)}'`, where());
        }
        top.keys!.add(key);
        top.at = key;
        top.expecting = false;
        countEntry();
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (stack.length >= limits.maxDepth)
        throw new JsonInputError('too-deep', `nesting deeper than ${limits.maxDepth}`, where());
      stack.push(
        c === 0x7b
          ? { kind: 'object', keys: new Set(), at: '', expecting: true }
          : { kind: 'array', at: 0, expecting: true },
      );
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c && top) {
      top.expecting = true;
      if (top.kind === 'array') top.at = (top.at as number) + 1;
    }
  }
}

function stringEnd(text: string, start: number): number {
  STRING_END.lastIndex = start + 1;
  for (;;) {
    const match = STRING_END.exec(text);
    if (!match) return text.length;
    if (match[0] === '"') return match.index;
    STRING_END.lastIndex = match.index + 2;
  }
}

function locate(stack: readonly Frame[]): string {
  let path = '';
  for (const frame of stack) {
    if (frame.kind === 'array') path += `[${frame.at}]`;
    else if (frame.at !== '') path += path === '' ? String(frame.at) : `.${String(frame.at)}`;
  }
  return path;
}

function printable(key: string): string {
  const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
  return shown.slice(1, -1);
}
