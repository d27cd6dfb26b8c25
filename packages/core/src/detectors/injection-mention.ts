/**
 * Mentioned, not used: the spans of a text that cite an instruction rather
 * than give one. Code holds attack strings and chat-template tokens as data
 * (a prompt template, a sanitiser's token list, a test fixture, a guardrail
 * log's excerpt), and prose reports them ("a ticket that said “…”", "phrases
 * like «…»"). Both are recognised by how the text is built around the quote —
 * code syntax outside the string, a reporting frame before it — never by what
 * the quote says, so the same payload given bare still counts in full.
 *
 * Linear: one pass per line, every pattern bounded.
 */

/** A string literal on one line, in double or single quotes (an escaped quote ends it: no backtracking over escapes). */
const LITERAL = /"[^"\n]{0,600}"|'[^'\n]{0,600}'/g;

/**
 * Code syntax outside a line's string literals: an assignment spaced as code spaces it (`x = `; a log's
 * `message="…"` is data, as JSON is), a call (`f(`), a method call, a statement shaped as code (`def f(`,
 * `for x in`; the bare words are English too), a trailing comment, a statement end.
 */
const CODE_SYNTAX =
  /[\w\])]\s{1,3}[+:]?=\s|\w\(|\.\w+\(|\bdef\s+\w+\s*\(|\b(?:const|let|var)\s+\w+\s*=|\bimport\s+[\w{*]|\bfor\s+\w+\s+in\b|\bclass\s+\w+\s*[:({]|\s(?:\/\/|#)\s|;\s*$/;

/** How many lines of text between two template tags are still the template's. */
const TEMPLATE_GAP = 3;
/** Template markup: a Jinja/Liquid tag. (A bare `{{name}}` is also how a payload marks the data it wants.) */
const TEMPLATE_MARKUP = /\{%-?\s{0,3}\w/;

/** A multi-line string assigned, passed or returned in code: `X = """…"""`, `f('''…''')`, `` = `…` ``. */
const BLOCK_LITERAL = /(?:=|\(|\breturn)\s{0,3}[frbu]{0,2}("""|'''|`)[\s\S]{0,4000}?\1/g;

/**
 * Where a quotation opens, and the mark that closes it: double quotes of every script, a JSON-escaped quote, a
 * single quote not glued to a word on its left (an apostrophe is), inline code. Found opener by opener, not
 * pair by pair: a quote nested in another (a JSON value, a log field that holds a sentence with quotes) has its
 * own frame.
 */
const OPENER = /\\"|["“„«「『‘`]|(?<![\p{L}\p{N}])'/gu;
const CLOSER: Readonly<Record<string, RegExp>> = {
  '\\"': /\\"/g,
  '"': /"/g,
  '“': /”/g,
  '„': /[“”]/g,
  '«': /»/g,
  '「': /」/g,
  '『': /』/g,
  '‘': /’/g,
  '`': /`/g,
  // A closing single quote is not followed by a letter (the apostrophe of "user's" is).
  "'": /'(?![\p{L}\p{N}])/gu,
};
/** How far a quotation may run, and how far before it its frame may start. */
const QUOTE_MAX = 600;
const FRAME_REACH = 60;

/**
 * A reporting frame just before a quotation: a verb of saying, writing, containing or handling, a noun for a
 * piece of text, or "like"/"such as", in the languages of the cue tables. Closed grammatical classes, not
 * attack phrases, spelt as the skeleton spells them (normalize.ts: Cyrillic letters that look Latin are
 * folded to Latin, accents dropped). Nouns that name data fields ("message", "text", "comment") are left out, and so is a frame
 * joined to its quote by `=`: `message="…"` in a log is a field's value, as in JSON.
 */
const FRAME_WORDS = String.raw`(?:(?<![\p{L}\p{N}_])(?:said|says|saying|read|reads|reading|wrote|writes|written|stated|states|included|includes|including|contained|contains|containing|embedded|hid|hidden|planted|inserted|injected|quoted|quotes|dropped|stripped|like|such as|e\.g\.|for example|for instance|examples?|phrases?|strings?|sentences?|(?:the|a|el|un|le|il|lo|o|der|die|das|de|het)\s(?:text|texto|texte|testo|tekst|zin|satz)|refuses?|refused|rejects?|rejected|blocks?|blocked|flags?|flagged|detects?|detected|catches|caught|matches|matched|simply|wie|etwa|zum beispiel|beispiel|z\. ?b\.|satze|satz|como|tal como|frases?|ejemplo|exemplo|comme|tel que|telle que|par exemple|exemple|come|ad esempio|esempio|zoals|bijvoorbeeld|jak|np\.|przykład|вpoдe|кaк|нaпpимep|типa|фpaзy|фpaзы|пpимep)(?![\p{L}\p{N}_])|例如|比如|如|诸如)`;
export const FRAME_BEFORE = new RegExp(`${FRAME_WORDS}[^"“„«「『‘'\x60\n=]{0,40}$`, 'u');
/** A line that introduces a displayed example: a frame word, and a colon at its end. */
const INTRODUCES = new RegExp(
  String.raw`${FRAME_WORDS}[^
]{0,160}:\s*$`,
  'u',
);
/**
 * A block displayed under the line before it: a fenced block, or lines indented by four spaces, a tab or `>`.
 * Cited when that line introduces it as an example ("a crafted email containing text such as:").
 */
const DISPLAYED =
  /(?:^|\n)([^\n]{0,240})\n(?:[ \t]*\n)?(```[\s\S]{0,4000}?```|(?:(?: {4}|\t|>)[^\n]{0,600}(?:\n|$)){1,12})/g;

/** Quotations with a reporting frame before or after them. */
function reportedQuotes(text: string, spans: [number, number][], limit = Number.POSITIVE_INFINITY): void {
  // Openers come in order, so the line they lie on and the next closing mark of each kind are found by moving
  // forward only: each stretch of text is read once per kind, however many quotes never close.
  let lineStart = 0;
  let lineEnd = text.indexOf('\n');
  const found = new Map<RegExp, { from: number; at: number; length: number }>();
  OPENER.lastIndex = 0;
  let seen = 0;
  for (let m = OPENER.exec(text); m !== null && seen++ < limit; m = OPENER.exec(text)) {
    const open = m.index;
    if (structural(text, open)) continue;
    while (lineEnd !== -1 && lineEnd < open) {
      lineStart = lineEnd + 1;
      lineEnd = text.indexOf('\n', lineStart);
    }
    const closer = CLOSER[m[0]]!;
    const from = open + m[0].length;
    let c = found.get(closer);
    if (c === undefined || c.from > from || (c.at !== -1 && c.at < from)) {
      closer.lastIndex = from;
      const hit = closer.exec(text);
      c = { from, at: hit === null ? -1 : hit.index, length: hit === null ? 0 : hit[0].length };
      found.set(closer, c);
    }
    if (c.at === -1 || c.at - open > QUOTE_MAX || (lineEnd !== -1 && c.at > lineEnd)) continue;
    const close = c.at + c.length;
    const before = text.slice(Math.max(lineStart, open - FRAME_REACH), open);
    // Cheap first: a frame needs words before the quote (a JSON key's `": ` has none).
    if (
      (wordsBeforeEnd(before) &&
        (FRAME_BEFORE.test(frameTail(before)) || FIELD_FRAME.test(before) || ASKED_ABOUT.test(before))) ||
      FRAME_AFTER.test(text.slice(close, close + 16))
    )
      spans.push([open, close]);
  }
}

/** What FRAME_BEFORE's tail may not hold but the line break, by code unit: no frame word holds one (a space of one may be a line break). */
const NOT_IN_FRAME = new Set([...'"“„«「『‘\'`='].map((c) => c.charCodeAt(0)));

/**
 * The part of `before` after the last unit FRAME_BEFORE cannot read past, which it tests the same way: a match
 * lies after that unit (neither the frame word nor the tail after it holds one), and the lookbehind at the
 * part's start, which sees no character, refuses none where it saw that unit, no letter, digit or underscore.
 * Quotes near quotes are frequent in data, and the pattern tries every start of what it is given.
 */
export function frameTail(before: string): string {
  let k = before.length - 1;
  while (k >= 0 && !NOT_IN_FRAME.has(before.charCodeAt(k))) k--;
  return k < 0 ? before : before.slice(k + 1);
}

/** The units WORDS_BEFORE_END's tail may not hold: quotation marks of every script. */
const QUOTE_MARKS = new Set([...'"“”„«»「」『』‘’`'].map((c) => c.charCodeAt(0)));
/** How far from the end a letter pair may lie: two letters and a tail of at most 40 units. */
const WORDS_REACH = 42;
/** Whether a BMP unit is a letter (\p{L}), by a table filled on first sight: 0 unknown, 1 no, 2 yes. */
const LETTER_UNITS = new Uint8Array(65536);
const LETTER = /\p{L}/u;
function isLetterUnit(c: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  let known = LETTER_UNITS[c]!;
  if (known === 0) {
    known = LETTER.test(String.fromCharCode(c)) ? 2 : 1;
    LETTER_UNITS[c] = known;
  }
  return known === 2;
}
/** The pattern wordsBeforeEnd stands for; it still decides when a surrogate pair (a letter outside the BMP) is near the end. */
const WORDS_BEFORE_END = /\p{L}{2}[^"“”„«»「」『』‘’`]{0,40}$/u;

/**
 * WORDS_BEFORE_END.test(s), by a walk back from the end: two letters followed by at most 40 units that are not
 * quotation marks. The pattern tries every start of the string and reads up to 40 units from each (a few hundred
 * steps per quotation, the most of a scan's cost in prose full of quotes); the walk reads each of the last 42
 * units once. INVARIANT: the same answer on every string (injection-mention.test.ts compares them).
 */
export function wordsBeforeEnd(s: string): boolean {
  const n = s.length;
  const from = Math.max(0, n - WORDS_REACH - 2);
  for (let i = from; i < n; i++) {
    const c = s.charCodeAt(i);
    // A surrogate: a code point of two units, which the pattern reads as one.
    if (c >= 0xd800 && c <= 0xdfff) return WORDS_BEFORE_END.test(s);
  }
  // The pair starts at i; the tail after it, [i + 2, n), grows by one unit per step back.
  for (let i = n - 2; i >= 0 && i >= n - WORDS_REACH; i--) {
    if (i + 2 < n && QUOTE_MARKS.has(s.charCodeAt(i + 2))) return false;
    if (isLetterUnit(s.charCodeAt(i)) && isLetterUnit(s.charCodeAt(i + 1))) return true;
  }
  return false;
}

/**
 * A field that holds a copy of some text, in a log or a report: `excerpt="…"`, `matched pattern "…"`. Other
 * fields (`message="…"`, `"body": "…"`) carry what they say.
 */
const FIELD_FRAME =
  /(?<![\p{L}\p{N}])(?:excerpt|preview|snippet|matched|match|pattern|sample|quoted?|text_preview|evidence)[\w-]{0,12}\s{0,2}[=:]?\s{0,2}$/u;

/**
 * A question about the quotation that follows it: 'Is this a prompt injection? "…"', 'Would you trust this? «…»'.
 * The quote is held up to be judged, as a specimen is; an order is not introduced by asking what it is.
 */
const ASKED_ABOUT =
  /(?<![\p{L}\p{N}_])(?:is|was|are|were|would|could|should|does|do|can)\s(?:this|that|it|these|those|the following)(?![\p{L}\p{N}_])[^"“„«「『‘'\x60\n=?]{0,60}\?\s{0,3}$/iu;

/**
 * Whether the quote at `open` is syntax, not prose: it follows a bracket, another quote, or a comma or colon
 * that follows one (a list's or a JSON object's). Checked first, as it is cheap and true of most quotes in data.
 */
function structural(text: string, open: number): boolean {
  let k = open - 1;
  while (k >= 0 && k > open - 3 && text.charCodeAt(k) === 32) k--;
  const ch = text[k];
  if (ch === undefined) return false;
  if ('[{("\''.includes(ch)) return true;
  // `"a", "b"` and `"key": "value"` are data; `included, in white text, "…"` and `read: "…"` are prose.
  return (ch === ',' || ch === ':') && /["'\]})0-9]/.test(text[k - 1] ?? '');
}

/**
 * A reporting frame just after a quotation, in languages that put it there (Japanese, Korean, Turkish, Chinese),
 * and in English a noun the quotation modifies, which makes it a specimen of a kind: "the 'ignore previous
 * instructions' trick", "a “you are now DAN” jailbreak". An order is not followed by the name of its genre.
 */
const FRAME_AFTER =
  /^\s{0,2}(?:のような|のように|などの|という|といった|と書かれた|같은|라는|이라는|등의|gibi|diye|gibisinden|之类的?|等)|^\s{1,2}(?:tricks?|attacks?|jailbreaks?|payloads?|exploits?|techniques?|memes?)(?![\p{L}\p{N}])/u;

/** The spans of `text` that mention an instruction rather than give it, sorted and disjoint. */
export function mentionSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  BLOCK_LITERAL.lastIndex = 0;
  for (let m = BLOCK_LITERAL.exec(text); m !== null; m = BLOCK_LITERAL.exec(text))
    spans.push([m.index + m[0].indexOf(m[1]!), m.index + m[0].length]);
  let lineStart = 0;
  let inCode = false;
  // Where the last template tag ended: the lines between two tags a few lines apart are the template's text.
  let lastTag = -1;
  let linesSinceTag = 0;
  // The next `{%` and quotation marks, found ahead of the lines: a line without them is not copied to be read.
  const next = { tag: text.indexOf('{%'), double: text.indexOf('"'), single: text.indexOf("'") };
  const before = (key: keyof typeof next, unit: string, from: number, end: number) => {
    if (next[key] !== -1 && next[key] < from) next[key] = text.indexOf(unit, from);
    return next[key] !== -1 && next[key] < end;
  };
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (lineEnd > lineStart) {
      // INVARIANT: the markup starts with `{%`, which holds no line break: a line without one holds no tag.
      if (before('tag', '{%', lineStart, lineEnd) && TEMPLATE_MARKUP.test(text.slice(lineStart, lineEnd))) {
        if (lastTag >= 0 && linesSinceTag <= TEMPLATE_GAP) spans.push([lastTag, lineStart]);
        spans.push([lineStart, lineEnd]);
        lastTag = lineEnd;
        linesSinceTag = 0;
        inCode = false;
      } else {
        linesSinceTag++;
        const quoted = before('double', '"', lineStart, lineEnd) || before('single', "'", lineStart, lineEnd);
        inCode = codeLine(text, lineStart, lineEnd, inCode, quoted, spans);
      }
    }
    lineStart = lineEnd + 1;
  }
  reportedSpansInto(text, spans);
  return disjoint(spans);
}

/**
 * The spans of `text` that prose reports, sorted and disjoint: quotations with a reporting frame and displayed
 * blocks a line introduces as an example. mentionSpans without code's string literals: a string assigned in
 * code is a test fixture in one file and the carrier of an order in another (`README_NOTE = "Assistant: …"`),
 * while "a page that said “…”" is a report wherever it stands.
 */
export function reportedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  reportedSpansInto(text, spans, REPORTED_QUOTES_MAX);
  return disjoint(spans);
}

/**
 * Quotation marks reportedSpans reads per text: an article quotes a few specimens, and a megabyte of JSON's
 * quotes, which mentionSpans reads when a rule fired, would otherwise be read for the model of every text.
 */
const REPORTED_QUOTES_MAX = 2048;

function reportedSpansInto(text: string, spans: [number, number][], quotes = Number.POSITIVE_INFINITY): void {
  reportedQuotes(text, spans, quotes);
  for (const m of displayedBlocks(text)) {
    const end = m.index + m[0].length;
    if (INTRODUCES.test(m[1]!)) spans.push([end - m[2]!.length, end]);
  }
  introducedParagraphs(text, spans);
}

/** How far an introduced paragraph may run, and how long the line that introduces it may be. */
const PARAGRAPH_MAX = 1200;
const INTRO_LINE_MAX = 240;
/** Introduced paragraphs read per text: an article shows a few examples; a text of thousands is no article. */
const INTRODUCED_MAX = 64;

/**
 * A paragraph set apart under a line that introduces it as an example ("They insert text like:", a blank line,
 * then the example), without the indent or fence a displayed block has: up to the next blank line. Found from
 * each colon that ends a line; the paragraph is cited only when its line names it with a frame word.
 */
function introducedParagraphs(text: string, spans: [number, number][]): void {
  let found = 0;
  for (
    let colon = text.indexOf(':\n');
    colon !== -1 && found < INTRODUCED_MAX;
    colon = text.indexOf(':\n', colon + 2)
  ) {
    const lineStart = text.lastIndexOf('\n', colon - 1) + 1;
    if (colon - lineStart > INTRO_LINE_MAX || text.charCodeAt(colon + 2) !== 10) continue;
    if (!INTRODUCES.test(text.slice(lineStart, colon + 1))) continue;
    let from = colon + 2;
    while (from < text.length && text.charCodeAt(from) === 10) from++;
    // Read up to the blank line that ends it, and no further than PARAGRAPH_MAX: each paragraph is read once.
    const limit = Math.min(text.length, from + PARAGRAPH_MAX);
    let end = from;
    while (end < limit && !(text.charCodeAt(end) === 10 && text.charCodeAt(end + 1) === 10)) end++;
    if (end > from) spans.push([from, end]);
    found++;
  }
}

/** Where a displayed block can start: after a line break, a fence, four spaces, a tab or `>`. */
const BLOCK_START = /\n(?:```| {4}|\t|>)/g;
const DISPLAYED_AT = new RegExp(DISPLAYED.source, 'y');

/**
 * The matches of DISPLAYED, as repeated `exec` gives them, tried only where one can start: a block starts after
 * a line break, and its match at the line break before the line above it, or the one before that when the line
 * above is blank (or at the text's start). INVARIANT: every match starts at one of these, so trying them in
 * ascending order from the end of the last match finds the next match (injection-mention.test.ts compares them).
 */
export function displayedBlocks(text: string): RegExpExecArray[] {
  const candidates: number[] = [];
  BLOCK_START.lastIndex = 0;
  for (let m = BLOCK_START.exec(text); m !== null; m = BLOCK_START.exec(text)) {
    const block = m.index + 1;
    // The line above the block starts at `above`, the one above that at `twoAbove`.
    const above = block >= 2 ? text.lastIndexOf('\n', block - 2) + 1 : 0;
    if (above > 0) {
      const twoAbove = above >= 2 ? text.lastIndexOf('\n', above - 2) + 1 : 0;
      candidates.push(twoAbove === 0 ? 0 : twoAbove - 1, above - 1);
    } else candidates.push(0);
  }
  candidates.sort((a, b) => a - b);
  const matches: RegExpExecArray[] = [];
  let from = 0;
  for (const at of candidates) {
    if (at < from) continue;
    DISPLAYED_AT.lastIndex = at;
    const m = DISPLAYED_AT.exec(text);
    if (m === null) continue;
    matches.push(m);
    // A match holds its block: never empty.
    from = at + m[0].length;
  }
  return matches;
}

/**
 * What is left of a line of a list, a dict or a call once its literals are gone: `"…",` inside `ATTACKS = [` …
 * `]`, `"attack": "…",` inside `fixtures = {` … `}`.
 */
const CONTINUATION = /^[\s,()[\]{}+:]*$/;

/** A line that leaves a bracket open or an item list unfinished: /[[({,]\s*$/, read back from its end. */
export function opensAt(text: string, start: number, end: number): boolean {
  let k = end - 1;
  while (k >= start && isSpaceUnit(text.charCodeAt(k))) k--;
  if (k < start) return false;
  const c = text.charCodeAt(k);
  return c === 91 || c === 40 || c === 123 || c === 44;
}

/** `\s`, by code unit: white space and line terminators. */
function isSpaceUnit(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * The string literals of one line of code. `inCode`: the line before was code and left a bracket open.
 * Returns whether this line is code and leaves one open.
 */
function codeLine(
  text: string,
  start: number,
  end: number,
  inCode: boolean,
  quoted: boolean,
  spans: [number, number][],
): boolean {
  // A comment is not cited: it is where a payload hides in code, and says what it says to whoever reads it.
  // A line opens a literal list, dict or call that the next lines continue: `ATTACKS = [`.
  if (!quoted) return opensAt(text, start, end) && (inCode || CODE_SYNTAX.test(text.slice(start, end)));
  const line = text.slice(start, end);
  const literals: [number, number][] = [];
  let rest = '';
  let last = 0;
  LITERAL.lastIndex = 0;
  for (let m = LITERAL.exec(line); m !== null; m = LITERAL.exec(line)) {
    // An apostrophe inside a word opens no literal ("don't … it's").
    if (m[0][0] === "'" && /[\p{L}\p{N}]/u.test(line[m.index - 1] ?? '')) {
      LITERAL.lastIndex = m.index + 1;
      continue;
    }
    literals.push([start + m.index, start + m.index + m[0].length]);
    rest += `${line.slice(last, m.index)} _ `;
    last = m.index + m[0].length;
  }
  rest += line.slice(last);
  const code =
    CODE_SYNTAX.test(rest) || (inCode && literals.length > 0 && CONTINUATION.test(rest.replace(/ _ /g, '')));
  if (code) spans.push(...literals);
  return code && opensAt(text, start, end);
}

/** Spans sorted, the overlapping ones merged. */
export function disjoint(spans: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev !== undefined && s[0] <= prev[1]) prev[1] = Math.max(prev[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}
