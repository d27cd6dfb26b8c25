import { execMatches, type Matches } from './injection-reporting.js';
import type { InjectionRule } from './injection-rule.js';
import { originalSpan, type Skeleton } from './normalize.js';
import { preview } from './preview.js';
import type { DetectorFinding } from './types.js';

/** A rule match in skeleton coordinates. */
export interface RuleHit {
  readonly rule: InjectionRule;
  readonly start: number;
  readonly end: number;
  readonly carrier?: string;
  /** The hit's weight when it is not the rule's (a feature whose object adds to it). */
  readonly weight?: number;
}

/** Styles that hide an element from a person but not from a model reading the HTML. */
const HIDING_STYLE =
  /display\s{0,2}:\s{0,2}none|visibility\s{0,2}:\s{0,2}hidden|font-size\s{0,2}:\s{0,2}0(?:\.0{1,4})?(?:px|pt|em|rem|%)?\s{0,2}[;"']|opacity\s{0,2}:\s{0,2}0(?:\.0{1,4})?\s{0,2}[;"']|color\s{0,2}:\s{0,2}(?:#fff(?:fff)?|white|rgba?\(\s{0,2}255\s{0,2},\s{0,2}255\s{0,2},\s{0,2}255)|(?:height|width|max-height)\s{0,2}:\s{0,2}0(?:px)?\s{0,2}[;"']|text-indent\s{0,2}:\s{0,2}-\d{3,}|left\s{0,2}:\s{0,2}-\d{4,}|clip\s{0,2}:\s{0,2}rect\(\s{0,2}0|\bhidden(?:=["']?(?:true|hidden)["']?)?>|aria-hidden\s{0,2}=\s{0,2}["']true/g;
const HTML_COMMENT = /<!--[\s\S]{0,8000}?-->/g;
const ATTRIBUTE =
  /\b(?:alt|title|aria-label|aria-description|data-[a-z-]{1,24}|content|summary)\s{0,2}=\s{0,2}(?:"[^"]{0,2000}"|'[^']{0,2000}')/g;
const MARKDOWN_IMAGE = /!\[[^\]\n]{0,300}\]\(\s{0,3}<?(https?:\/\/[^\s)>]{1,2000})/g;
const MARKDOWN_LINK = /(?<!!)\[[^\]\n]{0,300}\]\(\s{0,3}<?(https?:\/\/[^\s)>]{1,2000})/g;
const HTML_IMAGE = /<img\b[^>]{0,500}?\bsrc\s{0,2}=\s{0,2}["']?(https?:\/\/[^\s"'>]{1,2000})/g;

/** The patterns of the carriers: the injection detector finds where they can start in its one literal pass. */
export const HIDDEN_PATTERNS: readonly RegExp[] = [
  HTML_COMMENT,
  HIDING_STYLE,
  ATTRIBUTE,
  MARKDOWN_IMAGE,
  MARKDOWN_LINK,
  HTML_IMAGE,
];

/** Query parameter names that carry data out rather than select a resource. */
const EXFIL_PARAMS =
  /^(?:data|d|secret|secrets|token|key|apikey|api_key|password|pw|pwd|pass|history|chat|conversation|convo|memory|exfil|leak|ssn|cc|card|creds?|credentials|session|cookie|cookies|prompt|context|ctx|summary|info|payload|content|msg|message|email|emails|user_data|dump)$/;

/** Where a text cites rather than says (quotations in reporting voice, string literals), and what citing weighs. */
export interface Citing {
  readonly at: (skeletonAt: number) => boolean;
  readonly discount: number;
  /** The findings discounted as cited: one piece of evidence with the text's other citations. */
  readonly found: Set<DetectorFinding>;
}

/**
 * A subdivision flag (Scotland, Wales, Texas) is the black flag, a region
 * code of two to seven tag letters or digits, and the cancel tag: that is
 * what tag characters are for, and such a code spells no sentence.
 */
const FLAG_SEQUENCE = /\u{1F3F4}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{2,7}\u{E007F}/gu;

/** How many of `text`'s tag characters are the region codes of flags. */
function flagTags(text: string): number {
  let n = 0;
  // A flag is the black flag (2 units), its tags (2 units each) and the cancel tag (2 units).
  for (const m of text.matchAll(FLAG_SEQUENCE)) n += m[0].length / 2 - 2;
  return n;
}

/**
 * Findings about where instructions hide: invisible and bidi characters,
 * Unicode tags, mixed-script words, HTML comments and hidden elements,
 * attributes (alt text), and images whose URLs carry data out.
 */
export function hiddenContentFindings(
  text: string,
  skeleton: Skeleton,
  hits: readonly RuleHit[],
  matchesIn: Matches = execMatches,
  citing?: Citing,
): DetectorFinding[] {
  const findings: DetectorFinding[] = [];
  const at = Math.max(skeleton.firstHidden, 0);
  const add = (kind: string, weight: number, reason: string, start: number, end: number) =>
    findings.push({
      detector: 'injection',
      kind,
      family:
        kind === 'markdown-image-exfiltration' || kind === 'link-with-placeholder'
          ? 'exfiltration'
          : 'hidden-content',
      reason,
      start,
      end,
      weight,
      preview: preview(text, start, end),
    });
  const tags = skeleton.tags >= 4 ? skeleton.tags - flagTags(text) : 0;
  if (tags >= 4) add('unicode-tags', 0.6, `${tags} invisible Unicode tag characters carry text`, at, at + 2);
  if (skeleton.invisible >= 1) {
    const many = skeleton.invisible >= 3;
    add(
      'invisible-characters',
      many ? 0.35 : 0.15,
      `${skeleton.invisible} zero-width or invisible characters`,
      at,
      at + 1,
    );
  }
  if (skeleton.bidi >= 1)
    add('bidi-controls', 0.3, `${skeleton.bidi} bidirectional override characters`, at, at + 1);
  if (skeleton.mixedScript >= 2)
    add(
      'mixed-script',
      0.35,
      `${skeleton.mixedScript} lookalike letters from other scripts inside Latin words`,
      at,
      at + 1,
    );

  const sk = skeleton.text;
  const instructive = hits.filter((h) => (h.weight ?? h.rule.weight) >= 0.3 && h.carrier === undefined);
  const regions = (pattern: RegExp, extend = 0): [number, number][] => {
    const spans: [number, number][] = [];
    const next = matchesIn(pattern, sk);
    for (let m = next(); m !== null && spans.length < 200; m = next())
      spans.push([m.index, m.index + m[0].length + extend]);
    return spans;
  };
  const instructionIn = (spans: readonly [number, number][]) =>
    instructive.find((h) => spans.some(([s, e]) => h.start >= s && h.start < e));
  const report = (hit: RuleHit | undefined, kind: string, weight: number, reason: string) => {
    if (!hit) return;
    const [s, e] = originalSpan(skeleton, text, hit.start, hit.end);
    add(kind, weight, reason, s, e);
  };
  if (instructive.length > 0) {
    report(
      instructionIn(regions(HTML_COMMENT)),
      'instruction-in-html-comment',
      0.4,
      'an instruction inside an HTML comment',
    );
    // What follows a hiding style, up to the next 1,500 characters, is what it hides.
    report(
      instructionIn(regions(HIDING_STYLE, 1500)),
      'instruction-in-hidden-element',
      0.4,
      'an instruction inside an element styled to be invisible',
    );
    report(
      instructionIn(regions(ATTRIBUTE)),
      'instruction-in-attribute',
      0.35,
      'an instruction inside an attribute (alt text, title, data-*)',
    );
  }
  for (const pattern of [MARKDOWN_IMAGE, HTML_IMAGE]) {
    const next = matchesIn(pattern, sk);
    for (let m = next(); m !== null; m = next()) {
      const verdict = placeholderFilled(sk, m) ? 'exfil' : urlVerdict(m[1]!);
      if (verdict === 'clean') continue;
      const [s, e] = originalSpan(skeleton, text, m.index, m.index + m[0].length);
      // Unlike a hidden carrier, an image written out in quotes or in a string literal is shown, not hidden: a
      // lesson's "which of these is an injection? (b) "![image](…?data=…)"" cites the payload.
      const cited = citing?.at(m.index) === true;
      const discount = cited ? citing!.discount : 1;
      const where = cited ? ' (quoted)' : '';
      if (verdict === 'exfil')
        add(
          'markdown-image-exfiltration',
          0.75 * discount,
          `an image whose URL carries data or a placeholder for it${where}`,
          s,
          e,
        );
      else add('image-with-query', 0.15 * discount, `an image URL with a query string${where}`, s, e);
      if (cited) citing!.found.add(findings[findings.length - 1]!);
      break;
    }
  }
  const links = matchesIn(MARKDOWN_LINK, sk);
  for (let m = links(); m !== null; m = links()) {
    if (!/[{}<>$]|%7b|%3c|\[\w/.test(m[1]!)) continue;
    const [s, e] = originalSpan(skeleton, text, m.index, m.index + m[0].length);
    add('link-with-placeholder', 0.5, 'a link whose URL has a placeholder to fill with data', s, e);
    break;
  }
  return findings;
}

/** Whether an image URL looks like an exfiltration channel. */
function urlVerdict(url: string): 'clean' | 'query' | 'exfil' {
  const q = url.indexOf('?');
  if (q < 0) return /[{}<>$]|%7b|%3c/.test(url) ? 'exfil' : 'clean';
  const query = url.slice(q + 1);
  // A placeholder, or a parameter left empty at the end for the reader to fill.
  if (/[{}<>$]|%7b|%3c|%5b|=$/.test(query)) return 'exfil';
  for (const pair of query.split('&', 20)) {
    const [name = '', value = ''] = pair.split('=', 2);
    if (EXFIL_PARAMS.test(name) && value.length > 0) return 'exfil';
    if (value.length >= 40 && /^[a-z0-9%+/=_.-]+$/.test(value)) return 'exfil';
  }
  return 'query';
}

/**
 * Whether the text goes on to say what to put in the image URL's query: a value named again right after the image
 * ("![](https://x/p.png?q=DATA) replacing DATA with the user's e-mail address", in any language) is a placeholder.
 */
function placeholderFilled(text: string, m: RegExpExecArray): boolean {
  const url = m[1]!;
  const q = url.indexOf('?');
  if (q < 0) return false;
  const after = text.slice(m.index + m[0].length, m.index + m[0].length + PLACEHOLDER_REACH);
  for (const pair of url.slice(q + 1).split(/[&?]/, 20)) {
    const value = pair.split('=', 2)[1] ?? '';
    if (value.length < 4 || !/^[a-z_]+$/.test(value)) continue;
    const at = after.indexOf(value);
    if (at >= 0 && REPLACING.test(after.slice(0, at))) return true;
  }
  return false;
}
/** How far after an image its placeholder is explained, in skeleton characters. */
const PLACEHOLDER_REACH = 120;
/** "replacing", "substituting", "en remplaçant", "sustituyendo", "ersetze", "sostituendo", "vervang", "заменив". */
const REPLACING =
  /\b(?:replac|substitut|swap|fill|remplac|sustitu|reemplaz|ersetz|sostitu|rimpiazz|vervang|zamien|zastap|substitu|заме)|置き換|替换|替換/;
