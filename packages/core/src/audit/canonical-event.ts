import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON of an audit event, specialised to the event's fixed
 * shape: the members Gatehouse writes itself (ids, times, codes, rules) are
 * emitted in a precomputed key order with `JSON.stringify` for each leaf, and
 * only what an agent or a tool supplied (arguments, resource, output, user)
 * takes the general path. The output is byte for byte what
 * `canonicalize(wellFormed(event))` gives (a property test pins it), at a
 * fraction of the cost: sealing an event is on every call's path.
 *
 * An object with a member the shape does not know, or a value of another
 * type than the shape expects, is handed to the general path whole, so the
 * shape is a fast path, never a filter.
 */

/**
 * Writes the canonical form of a value at one place in the event; `undefined`
 * when the value has no JSON form (the member is then left out).
 */
type Writer = (value: unknown) => string | undefined;

/** Any JSON value: primitives inline, containers by the general path. */
const value: Writer = (v) => (typeof v === 'object' && v !== null ? general(v) : primitive(v));

function array(item: Writer): Writer {
  return (v) => {
    if (!Array.isArray(v)) return value(v);
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      out += item(v[i]) ?? 'null';
    }
    return `${out}]`;
  };
}

function object(fields: Record<string, Writer>): Writer {
  // Sorted by UTF-16 code units, the order RFC 8785 §3.2.3 requires.
  const keys = Object.keys(fields).sort();
  // INVARIANT: shape keys are ASCII identifiers, so they need no escaping.
  const names = keys.map((k) => `"${k}":`);
  const writers = keys.map((k) => fields[k] as Writer);
  const known = new Set(keys);
  return (v) => {
    if (typeof v !== 'object' || v === null) return primitive(v);
    const proto = Object.getPrototypeOf(v);
    if ((proto !== Object.prototype && proto !== null) || Array.isArray(v)) return general(v);
    const members = v as Record<string, unknown>;
    for (const key in members) if (!known.has(key)) return general(v);
    let out = '';
    for (let i = 0; i < keys.length; i++) {
      const member = members[keys[i] as string];
      if (member === undefined) continue;
      const text = (writers[i] as Writer)(member);
      if (text === undefined) continue;
      out += out.length === 0 ? names[i] + text : `,${names[i]}${text}`;
    }
    return `{${out}}`;
  };
}

/** The event as `sealAuditEvent` builds it: an `AuditDraft` with `id`, `seq` and `prev_hash`. */
const writeEvent = object({
  type: value,
  time: value,
  id: value,
  seq: value,
  prev_hash: value,
  who: object({
    agent: object({ id: value, name: value, owner: value }),
    user: value,
    person: value,
    delegation: array(value),
  }),
  what: object({ tool: value, args: value, args_hash: value, resource: value, action: value, output: value }),
  where: object({ node: value, door: value, upstream: value, endpoint: value }),
  why: object({
    reasoning: value,
    intent: value,
    rules: array(object({ id: value, effect: value, message: value })),
    reasons: array(value),
  }),
  outcome: object({ status: value, code: value, detail: value, duration_ms: value }),
  session_id: value,
  trace_id: value,
  decision_id: value,
  approval_id: value,
});

/** Canonical JSON of an audit event body (the event without `hash`); lone surrogates become U+FFFD. */
export function canonicalAuditText(body: unknown): string {
  let text: string | undefined;
  try {
    // V8's JSON.stringify writes members in insertion order with RFC 8785's escaping and number
    // form, so a copy with every object's keys sorted prints canonically, several times faster
    // than assembling the text piece by piece.
    text = JSON.stringify(sortedCopy(body));
  } catch (err) {
    if (err !== NOT_SORTABLE) throw err;
    text = writeEvent(body);
  }
  if (text === undefined) throw new TypeError('the audit event has no JSON form');
  return text;
}

/** Thrown by `sortedCopy` for a value whose members JSON.stringify would not write in sorted order. */
const NOT_SORTABLE = new Error('not sortable');

/**
 * A copy of `value` that `JSON.stringify` prints as RFC 8785 does: keys in UTF-16 order, strings
 * well-formed, `toJSON` and boxed primitives unwrapped. Refuses what RFC 8785 refuses (a number
 * that is not finite, a BigInt, a cycle) with a TypeError. An object with a key that starts with
 * a digit throws NOT_SORTABLE: V8 enumerates array-index keys first in numeric order, which is
 * not the order RFC 8785 sorts them in.
 */
function sortedCopy(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? value : value.toWellFormed();
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('a number in the audit event is not finite');
      return value;
    case 'bigint':
      throw new TypeError('a BigInt has no JSON form');
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  // Deeper than any event is written, and a cycle never ends: both go to the general path.
  if (depth > 64) throw NOT_SORTABLE;
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = sortedCopy(value[i], depth + 1);
    return copy;
  }
  const object = value as Record<string, unknown>;
  if (
    typeof object.toJSON === 'function' ||
    object instanceof Number ||
    object instanceof String ||
    object instanceof Boolean
  )
    throw NOT_SORTABLE;
  const keys = Object.keys(object);
  if (keys.length > 1) sortKeys(keys);
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const first = key.charCodeAt(0);
    // A key with a lone surrogate sorts and collides differently once made well-formed, and
    // assigning `__proto__` would set the copy's prototype instead of a member.
    if ((first >= 48 && first <= 57) || !key.isWellFormed() || key === '__proto__') throw NOT_SORTABLE;
    const member = sortedCopy(object[key], depth + 1);
    if (member !== undefined) copy[key] = member;
  }
  return copy;
}

/** Up to this many keys, `sortKeys` sorts by insertion. */
const INSERTION_SORT_MAX = 24;

/**
 * Sorts keys in place by UTF-16 code units, the order `Array.prototype.sort` gives strings.
 * An event's objects have a few keys each, some thirty objects per call: for so few, the
 * built-in sort's set-up and work arrays (most of what sealing allocated) cost more than the
 * sorting, so they are sorted by insertion; a larger object (an agent's arguments) by the
 * built-in sort. Keys are distinct, so stability does not arise.
 */
function sortKeys(keys: string[]): void {
  if (keys.length > INSERTION_SORT_MAX) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
}

/** Printable ASCII without a quote or a backslash: such a string is its own JSON form between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function primitive(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      if (PLAIN.test(v)) return `"${v}"`;
      return JSON.stringify(v.isWellFormed() ? v : v.toWellFormed());
    case 'number':
      // RFC 8785 has no form for these; the general path refuses them the same way.
      if (!Number.isFinite(v)) throw new TypeError('a number in the audit event is not finite');
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      return 'null';
    case 'bigint':
      return general(v);
    default:
      // undefined, functions and symbols have no JSON form.
      return undefined;
  }
}

/** The general RFC 8785 path, for what agents and tools supply. */
function general(value: unknown): string | undefined {
  try {
    return canonicalize(value);
  } catch {
    // RFC 8785 refuses lone surrogates, which JSON text from an agent can carry: the value is
    // kept with U+FFFD instead. Anything else it refuses (NaN, a cycle) it refuses again here.
    return canonicalize(wellFormed(value));
  }
}

/** A copy with every string made well-formed (lone surrogates become U+FFFD), keys included. */
export function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(wellFormed);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]));
}
