/**
 * What a finding may show of the text it points at. Injection findings quote
 * the matched words (they are the evidence a person needs); secret and PII
 * findings show a masked form only, so a finding, a log line or an audit
 * event never becomes a second copy of the value.
 */

/** A short excerpt: control and invisible characters shown as escapes. */
export function preview(text: string, start: number, end: number, max = 80): string {
  const cut = text.slice(start, Math.min(end, start + max));
  const shown = cut.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: showing control characters as escapes is the point
    /[\u0000-\u001f\u007f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return end - start > max ? `${shown}…` : shown;
}

/**
 * A masked form of a sensitive value: at most `keep` leading characters (a
 * public prefix such as `AKIA` or `ghp_`), the rest as `…` and the length.
 */
export function masked(value: string, keep = 4): string {
  const shown = value.length > keep * 3 ? value.slice(0, keep) : '';
  return `${shown}…(${value.length} chars)`;
}
