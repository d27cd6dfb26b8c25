import { detectPii } from './pii.js';
import { detectSecretsInViews } from './secret-views.js';
import { detectSecrets } from './secrets.js';
import { DEFAULT_SCAN_OPTIONS, type DetectorFinding, PII_KINDS, type RedactionClass } from './types.js';
import { mapStrings, pairText } from './walk.js';

/**
 * Redaction and withholding: what the inspect step does to an output (and
 * the audit to arguments) when a policy's obligations say so. A redacted
 * value keeps its type and shape; each removed span becomes
 * `[REDACTED:<kind>]` (`[REDACTED:email]`, `[REDACTED:aws_access_key]`), so a
 * reader still knows what was there.
 */

/** What replaces text the detectors could not read (past the size cap, or too deep). */
export const UNSCANNED = '[REDACTED:unscanned]';

/** The marker that replaces one redacted span. */
export function redactionMarker(kind: string): string {
  return `[REDACTED:${kind}]`;
}

/** Whether a finding falls under the classes a policy asked to redact. */
function selected(finding: DetectorFinding, classes: ReadonlySet<string>): boolean {
  if (finding.detector === 'secret') return classes.has('secret');
  if (finding.detector === 'pii') return classes.has('pii') || classes.has(finding.kind);
  return false;
}

/**
 * `text` with the secrets and PII of the given classes replaced. Text past
 * `maxChars` cannot have been checked, so it is replaced too: redaction fails
 * closed.
 *
 * @example
 * ```ts
 * redactText('write to ana@example.org', ['pii']); // 'write to [REDACTED:email]'
 * ```
 */
export function redactText(
  text: string,
  classes: readonly RedactionClass[],
  maxChars: number = DEFAULT_SCAN_OPTIONS.maxChars,
): string {
  if (classes.length === 0) return text;
  const wanted = new Set<string>(classes);
  const head = text.length > maxChars ? text.slice(0, maxChars) : text;
  const findings: DetectorFinding[] = [];
  // Every match, not the few a scan reports: a redaction that stops at a count leaks the rest.
  if (wanted.has('secret')) findings.push(...detectSecretsInViews(head, Number.POSITIVE_INFINITY));
  if (wanted.has('pii') || PII_KINDS.some((k) => wanted.has(k)))
    findings.push(...detectPii(head, Number.POSITIVE_INFINITY));
  const spans = findings.filter((f) => selected(f, wanted)).sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const f of spans) {
    if (f.start < at) continue;
    out += head.slice(at, f.start) + redactionMarker(f.kind);
    at = f.end;
  }
  out += head.slice(at);
  return head.length < text.length ? `${out}${UNSCANNED}` : out;
}

/**
 * A copy of a structured value (an MCP result, JSON) with every string
 * redacted as `redactText` does. Parts beyond the walk's bounds are replaced.
 *
 * @example
 * ```ts
 * redactValue({ content: [{ type: 'text', text: 'key AKIAZ7QHNB4EXK2LMW3P' }] }, ['secret']);
 * // { content: [{ type: 'text', text: 'key [REDACTED:aws_access_key]' }] }
 * ```
 */
export function redactValue(
  value: unknown,
  classes: readonly RedactionClass[],
  maxChars: number = DEFAULT_SCAN_OPTIONS.maxChars,
): unknown {
  if (classes.length === 0) return value;
  let budget = maxChars;
  return mapStrings(
    value,
    (text) => {
      const room = Math.max(budget, 0);
      budget -= text.length;
      return room === 0 && text.length > 0 ? UNSCANNED : redactText(text, classes, room);
    },
    UNSCANNED,
    // A secret-named property whose assignment reads as a secret is replaced whole.
    classes.includes('secret')
      ? (key, text) => {
          const pair = pairText(key, text);
          return detectSecrets(pair, 1).length > 0 ? '[REDACTED:secret]' : undefined;
        }
      : undefined,
  );
}

/**
 * What reaches the agent instead of an output a policy withholds. An MCP
 * tool result stays one (an error result with a text block), so a client
 * does not break on the substitute.
 */
export function withheldOutput(output: unknown, labels: readonly string[]): unknown {
  const text = `[WITHHELD: the output was labelled ${labels.join(', ')} and the policy withholds it]`;
  const mcp =
    output !== null && typeof output === 'object' && Array.isArray((output as { content?: unknown }).content);
  return mcp ? { content: [{ type: 'text', text }], isError: true } : text;
}
