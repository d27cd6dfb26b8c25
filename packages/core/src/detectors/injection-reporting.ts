/**
 * Reporting voice: whether a text discusses attacks (a security article, an
 * advisory, a paper) rather than makes one, and where it quotes. The
 * injection detector discounts what such a text quotes; what it hides in
 * carriers (encodings, hidden HTML) it never discounts.
 */

/** Words that say a text is about attacks rather than an attack: security writing quotes payloads. */
const META_STRONG =
  /prompt[ -]?injections?|injections?\b|firewall|vulnerab\w{0,8}|the phrase|jailbreak|red[ -]team|attackers?\b|attacks?\b|adversar(?:y|ial)|malicious|researchers?\b|phishing|payloads?\b|proof of concept|cve-\d|threat model|advisory|exploit(?:s|ed)?\b|benchmark|promptinjektion|prompt-injektion|angreifer|injection de prompt|injections de prompt|attaquants?|inyeccion de prompt|inyecciones de prompt|atacantes?|提示注入|提示词注入|提示詞注入|プロンプトインジェクション|プロンプト・インジェクション/g;
const META_WEAK =
  /\b(?:researchers?|owasp|payloads?|malicious|vulnerab\w{0,8}|exploits?|phishing|security|example|for instance|such as|defen[cs]es?|mitigat\w{0,6}|naive|privilege separation|threat|sicherheit|beispiel|securite|exemple|seguridad|ejemplo)\b|攻击|攻擊|安全|例如|攻撃|セキュリティ|例えば/g;

/**
 * Reporting voice: the text discusses attacks (a security article, an
 * advisory, a paper) rather than makes one — at least one strong word and
 * two distinct ones in all.
 */
export function reportingVoice(text: string): boolean {
  return isReporting(metaWords(text));
}

/** How many distinct words about attacks a text uses in prose, strong (injection, attacker) and weak (example, security). */
export interface MetaWords {
  readonly strong: number;
  readonly weak: number;
}

/** The patterns of the meta words: the injection detector finds where they can start in its one literal pass. */
export const META_PATTERNS: readonly RegExp[] = [META_STRONG, META_WEAK];

/**
 * The successive matches of a global pattern on a text, as repeated `exec` gives them (`matchesIn` may find them
 * some quicker way, with the same result).
 */
export type Matches = (pattern: RegExp, text: string) => () => RegExpExecArray | null;

/** Matches by repeated `exec` of the global pattern itself. */
export const execMatches: Matches = (pattern, text) => {
  pattern.lastIndex = 0;
  return () => pattern.exec(text);
};

/** The distinct meta words of `text`; the weak ones are counted only beside a strong one. */
export function metaWords(text: string, matchesIn: Matches = execMatches): MetaWords {
  const strong = proseWords(text, META_STRONG, matchesIn).size;
  return { strong, weak: strong === 0 ? 0 : proseWords(text, META_WEAK, matchesIn).size };
}

/** Reporting voice from its meta words: at least one strong word and two distinct ones in all. */
export function isReporting(meta: MetaWords): boolean {
  return meta.strong > 0 && meta.strong + meta.weak >= 2;
}

/** Words of `pattern` that `text` uses in prose: not inside an address, host or path ("payouts@attacker.test"). */
function proseWords(text: string, pattern: RegExp, matchesIn: Matches): Set<string> {
  const found = new Set<string>();
  const next = matchesIn(pattern, text);
  for (let m = next(); m !== null && found.size < 50; m = next()) {
    const before = text.charCodeAt(m.index - 1);
    const after = text.charCodeAt(m.index + m[0].length);
    // INVARIANT: an attacker names their own host; a word glued to @ . / - is theirs, not the article's.
    if (before === 64 || before === 46 || before === 47 || before === 45) continue;
    if (after === 64 || after === 45 || (after === 46 && /[a-z]/.test(text[m.index + m[0].length + 1] ?? '')))
      continue;
    found.add(m[0]);
  }
  return found;
}

/** Spans inside quotation marks, code spans and block quotes, sorted by start. */
export function quotedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  const quoted =
    /"[^"\n]{1,600}"|“[^”\n]{1,600}”|„[^“”\n]{1,600}[“”]|«[^»\n]{1,600}»|「[^」\n]{1,600}」|『[^』\n]{1,600}』|```[^`]{0,6000}```|`[^`\n]{1,600}`|(?:^|\n)\s{0,3}>[^\n]{0,600}/g;
  for (let m = quoted.exec(text); m !== null; m = quoted.exec(text))
    spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/** Whether `at` lies in one of the sorted, disjoint `spans`. */
export function within(spans: readonly (readonly [number, number])[], at: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [s, e] = spans[mid]!;
    if (at < s) hi = mid - 1;
    else if (at >= e) lo = mid + 1;
    else return true;
  }
  return false;
}
