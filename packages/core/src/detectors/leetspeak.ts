/**
 * Leetspeak (`1gn0r3 pr3v10u5 1n5truct10n5`): where a text spells an
 * instruction word with digits for letters, and the text with them put back.
 * The injection detector reads the rules over the put-back text only near
 * such words (injection.ts, transformedPasses).
 */

/** The letter each substituted character stands for. */
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
};

/** A word with a substituted character in it, preceded only by letters. */
export const LEET_WORD = /(?<![a-z0-9@$])[a-z@$]{0,12}[0134578][a-z0-9@$]{1,16}/g;
/** A substituted digit between letters, or a letter between them: a text without one has no leetspeak to read. */
export const LEET_HINT = /[a-z][0134578][a-z]|[0134578][a-z][0134578]/;
/** What the un-leeted word must start with: the words injections are made of. */
export const LEET_STEMS =
  /^(?:ignor|disregard|forget|forgot|previous|prior|instruct|system|prompt|passw|send|forward|reveal|secret|overrid|bypass|admin|delet|transfer|exfil|rules|jailbr|assistant|credential|token)/;
/** LEET_WORD, tried at one position at a time. */
const LEET_WORD_AT = new RegExp(LEET_WORD.source, 'y');
const LEET_DIGIT = /[0134578]/g;
const isLeetLetter = (c: number) => (c >= 97 && c <= 122) || c === 64 || c === 36;

/**
 * Where words written in leetspeak spell an instruction word; at most 64.
 * The matches of LEET_WORD, tried only where one can start: a match holds a
 * digit of [0134578] after at most 12 letters that begin a word, so each
 * such digit names the one position its match would start at.
 */
export function leetSigns(text: string): number[] {
  const at: number[] = [];
  // A quick look first: the word pattern starts with a lookbehind, which the engine cannot skip ahead with.
  if (!LEET_HINT.test(text)) return at;
  // INVARIANT: candidates ascend (the letters before a digit hold no digit), so the first that matches at or
  // after the last match's end is the match a global search would find next.
  let from = 0;
  LEET_DIGIT.lastIndex = 0;
  // test() rather than exec(): the digit's offset is all that is needed, and no match object is made per digit.
  while (at.length < 64 && LEET_DIGIT.test(text)) {
    const digit = LEET_DIGIT.lastIndex - 1;
    // INVARIANT: only the first of these digits in a run of [a-z0-9@$] can start a match: a later one has a word
    // unit (the first) between it and the run's start, which its letters lead back to or stop short of, and the
    // lookbehind refuses. The search goes on after the run: a number or an id costs one search, not one per digit.
    let runEnd = digit + 1;
    while (runEnd < text.length && isWordUnit(text.charCodeAt(runEnd))) runEnd++;
    LEET_DIGIT.lastIndex = runEnd;
    let s = digit;
    while (s > 0 && digit - s < 13 && isLeetLetter(text.charCodeAt(s - 1))) s--;
    if (digit - s > 12 || s < from) continue;
    // The pattern's lookbehind, read here: a digit inside a number cannot start a match, and costs no search.
    if (s > 0 && isWordUnit(text.charCodeAt(s - 1))) continue;
    // test(), not exec(): the match's end is the sticky pattern's lastIndex, and the word is read in place.
    LEET_WORD_AT.lastIndex = s;
    if (!LEET_WORD_AT.test(text)) continue;
    from = LEET_WORD_AT.lastIndex;
    // Numbers ("1240") have no letter to substitute into.
    if (hasLetter(text, s, from) && spellsStem(text, s, from)) at.push(s);
  }
  return at;
}

/** `[a-z0-9@$]`, what LEET_WORD's lookbehind refuses before a match. */
const isWordUnit = (c: number) => isLeetLetter(c) || (c >= 48 && c <= 57);

/** The letter each unit stands for once put back, by code unit (0 past ASCII). */
const PUT_BACK = (() => {
  const table = new Uint16Array(128);
  for (let c = 0; c < 128; c++)
    table[c] = (LEET[String.fromCharCode(c)] ?? String.fromCharCode(c)).charCodeAt(0);
  return table;
})();

/** LEET_STEMS's stems by their first letter, when they are all plain letters (undefined otherwise). */
const STEMS_BY_FIRST = (() => {
  const stems = LEET_STEMS.source.replace(/^\^\(\?:|\)$/g, '').split('|');
  if (!stems.every((stem) => /^[a-z]+$/.test(stem))) return undefined;
  const by = new Map<number, string[]>();
  for (const stem of stems) by.set(stem.charCodeAt(0), [...(by.get(stem.charCodeAt(0)) ?? []), stem]);
  return by;
})();

/** /[a-z]/.test(text.slice(start, end)), without the slice. */
function hasLetter(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}

/**
 * LEET_STEMS.test(unleet(word)) for the word text[start, end): whether it starts with a stem once put back;
 * compared unit by unit, no copy.
 */
function spellsStem(text: string, start: number, end: number): boolean {
  if (STEMS_BY_FIRST === undefined) return LEET_STEMS.test(unleet(text.slice(start, end)));
  const candidates = STEMS_BY_FIRST.get(putBack(text.charCodeAt(start)));
  if (candidates === undefined) return false;
  for (const stem of candidates) {
    if (stem.length > end - start) continue;
    let i = 1;
    while (i < stem.length && putBack(text.charCodeAt(start + i)) === stem.charCodeAt(i)) i++;
    if (i === stem.length) return true;
  }
  return false;
}

/** The letter code unit `c` stands for once put back. */
const putBack = (c: number) => (c < 128 ? PUT_BACK[c]! : c);

/** A word with its substituted characters put back (`1gn0r3` → `ignore`). */
export function unleet(text: string): string {
  return text.replace(/[0134578@$]/g, (c) => LEET[c] ?? c);
}
