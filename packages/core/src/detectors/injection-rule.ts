import type { ScanKind } from './types.js';

/**
 * The attack families of prompt injection the rules are grouped by (after
 * Greshake et al. 2023, "Not what you've signed up for", and the OWASP LLM01
 * taxonomy).
 */
export type InjectionFamily =
  | 'context-ignoring'
  | 'direct-instruction'
  | 'role-play'
  | 'addressing-ai'
  | 'concealment'
  | 'prompt-leak'
  | 'exfiltration'
  | 'harmful-action'
  | 'fake-completion'
  | 'role-marker'
  | 'tool-call-mimicry'
  | 'tool-poisoning'
  | 'obfuscation'
  | 'hidden-content';

/**
 * One injection rule. Patterns run on the skeleton (lower case, accents
 * dropped, lookalikes folded; see normalize.ts), so they are written that way.
 * INVARIANT: every pattern is linear-time: bounded quantifiers only, no
 * quantified group whose body can match the same text in two ways.
 */
export interface InjectionRule {
  readonly id: string;
  readonly family: InjectionFamily;
  /** The language the rule reads, `*` for structural rules. */
  readonly lang: string;
  /** Contribution to the score when the rule matches (0..1). */
  readonly weight: number;
  readonly reason: string;
  /** Substrings (skeleton form) one of which must occur for the pattern to run: a cheap prefilter. */
  readonly triggers: readonly string[];
  readonly pattern: RegExp;
  /** Kinds of text the rule applies to; all when absent. */
  readonly kinds?: readonly ScanKind[];
  /**
   * Rules of one group are one piece of evidence: the score counts the
   * strongest of them once (the same phrasing in two languages, or two ways
   * of marking a chat role, are not independent).
   */
  readonly group: string;
  /** A cue (injection-cues.ts): evidence the features combine, never a finding by itself. */
  readonly cue?: boolean;
  /** A cue that counts only near a context cue, and is looked for only there. */
  readonly local?: boolean;
  /** Matches kept per pass; the scanner's default when absent. */
  readonly maxHits?: number;
}

/** Up to `n` words between two anchors (each bounded, so the match cost is bounded). */
export const words = (n: number) => `(?:[^\\s.!?;:。！？\\n]{1,24}\\s{1,3}){0,${n}}?`;
/** A separator between two words: spaces and light punctuation. */
export const SEP = `[\\s,'"\`*_-]{1,4}`;

/**
 * After a tool's name and its "parameters" key (or the colon after it): the parameters are a JSON Schema, an
 * object of types (`{"type": "object"`, `{"properties": {`), so the JSON documents a tool rather than calls it.
 * Escaped quotes too, for a schema nested in another JSON string.
 */
export const NOT_A_SCHEMA =
  '(?!\\\\{0,3}\\s{0,3}:?\\s{0,3}\\{\\s{0,3}\\\\{0,3}"(?:type\\\\{0,3}"\\s{0,3}:\\s{0,3}\\\\{0,3}"object|properties\\\\{0,3}"\\s{0,3}:\\s{0,3}\\{))';

/** Rules that are facets of one signal. */
const GROUPS: Readonly<Record<string, string>> = {
  'role-line': 'role-marker',
  'fake-turn': 'role-marker',
  'role-line-directive': 'role-marker-directive',
  'ignore-everything': 'ignore-previous',
  'ignore-the-above': 'ignore-previous',
  'message-for-assistant': 'message-for-ai',
  'dear-ai': 'message-for-ai',
  'if-you-are-ai': 'message-for-ai',
  'ai-reading-this': 'message-for-ai',
  'send-to-address': 'send-secrets',
  'call-tool-with-args': 'call-tool',
  'tool-call-sensitive-json': 'tool-call-json',
  'tool-call-sensitive-react': 'tool-call-json',
  'new-task-action': 'new-task-header',
  'and-do-not-mention': 'hide-from-user',
};

/** Builds a rule; `source` is compiled with the global flag. */
export function rule(
  lang: string,
  family: InjectionFamily,
  id: string,
  weight: number,
  reason: string,
  triggers: readonly string[],
  source: string,
  kinds?: readonly ScanKind[],
): InjectionRule {
  return {
    id,
    family,
    lang,
    weight,
    reason,
    triggers,
    pattern: new RegExp(source, 'g'),
    group: GROUPS[id] ?? id.replace(/-(?:de|fr|es|zh|ja)$/, ''),
    ...(kinds && { kinds }),
  };
}

/** Cues are looked for all through a text: an order late in a long document must still meet its addressee. */
const CUE_HITS = 1024;

/**
 * Cues that matter only near a context cue (injection.ts looks for them only there): an order's verb and object,
 * and what says a passage documents or records instructions. Those last must not be context themselves: every log
 * line would send the scanner looking for orders and addresses in a log, and the model would read them there.
 */
const LOCAL = new Set([
  'cue-order',
  'cue-polite',
  'cue-destination',
  'cue-sensitive',
  'cue-documents-instructions',
  'cue-log-line',
]);

/** One cue rule per alternative, so that each is tried only where its own literals occur. */
export const cue = (
  id: string,
  triggers: readonly string[],
  sources: string | readonly string[],
): InjectionRule[] =>
  (typeof sources === 'string' ? [sources] : sources).map((source) => ({
    ...rule('*', 'direct-instruction', id, 0, 'cue', triggers, source),
    cue: true,
    local: LOCAL.has(id),
    maxHits: CUE_HITS,
  }));
