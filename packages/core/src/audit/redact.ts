/**
 * What the audit log keeps of arguments and outputs. Values under keys that
 * name secrets are replaced before anything is written; content detectors
 * (secrets and PII found inside values) add their redactions on top.
 */

const SECRET_KEY =
  /(^|[_.-])(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|authorization|auth|cookie|credentials?|private[_-]?key|client[_-]?secret|session[_-]?key|otp|pin|cvv|ssn)($|[_.-])/i;

export const REDACTED = '[redacted]';

/** True when a property name says its value is a secret. */
export function isSecretKey(key: string): boolean {
  // Every call's arguments and output are walked several times (audit, detectors, redaction),
  // over the same few names: each name's answer is kept, within a bound.
  let secret = SECRET_KEYS_SEEN.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key.replace(/([a-z])([A-Z])/g, '$1_$2'));
    if (key.length <= MAX_REMEMBERED_KEY) {
      if (SECRET_KEYS_SEEN.size >= MAX_REMEMBERED_KEYS) SECRET_KEYS_SEEN.clear();
      SECRET_KEYS_SEEN.set(key, secret);
    }
  }
  return secret;
}

/** `isSecretKey`'s answers by name; a pure function of the name, so never stale. */
const SECRET_KEYS_SEEN = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 4096;
const MAX_REMEMBERED_KEY = 128;

/** A copy of `value` with values under secret-naming keys replaced, at any depth. */
export function redactSecretFields(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any honest argument: what lies below is not inspected, so it is not kept.
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactSecretFields(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = isSecretKey(key) ? REDACTED : redactSecretFields(v, depth + 1);
  }
  return out;
}

/**
 * A bounded preview of a tool's output for the session recording: redacted,
 * and cut to `maxChars` of JSON (then kept as a string with a marker).
 */
export function outputPreview(output: unknown, maxChars = 4096): unknown {
  const redacted = redactSecretFields(output);
  let text: string | undefined;
  try {
    text = JSON.stringify(redacted);
  } catch {
    return '[output without a JSON form]';
  }
  if (text === undefined) return null;
  if (text.length <= maxChars) return redacted;
  return `${text.slice(0, maxChars)}… [${text.length - maxChars} more characters]`;
}
