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
  for (let d = LEET_DIGIT.exec(text); d !== null && at.length < 64; d = LEET_DIGIT.exec(text)) {
    let s = d.index;
    while (s > 0 && d.index - s < 13 && isLeetLetter(text.charCodeAt(s - 1))) s--;
    if (d.index - s > 12 || s < from) continue;
    LEET_WORD_AT.lastIndex = s;
    const m = LEET_WORD_AT.exec(text);
    if (m === null) continue;
    from = s + m[0].length;
    // Numbers ("1240") have no letter to substitute into.
    if (/[a-z]/.test(m[0]) && LEET_STEMS.test(unleet(m[0]))) at.push(s);
  }
  return at;
}

/** A word with its substituted characters put back (`1gn0r3` → `ignore`). */
export function unleet(text: string): string {
  return text.replace(/[0134578@$]/g, (c) => LEET[c] ?? c);
}
