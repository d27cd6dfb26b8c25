import { getDomain } from 'tldts';

/**
 * Identifiers: the values in a text that say where something goes — a mailbox, a host, an
 * account — found however they are spelled. An attacker controls the formatting of what an
 * injected document shows the model, and the model may reformat it again, so each kind is
 * reduced to one canonical form before it is compared:
 *
 * - email addresses, lower-cased, also when written `name [at] host [dot] com`;
 * - URLs with or without a scheme (`www.example-unlock.com`, `pay.example/x?y`), compared
 *   by host (a leading `www.` dropped) and by registrable domain, so that
 *   `https://host/?q=<data>` is recognised by its host whatever the query carries;
 * - IBAN-shaped account numbers with any grouping and whether or not their check digits
 *   are valid (an attacker need not send a valid one for the model to copy it);
 * - digit runs of 6 or more (account, card and phone numbers) with spaces, dashes, dots and
 *   brackets removed, and the last ten digits of a phone number in any national form;
 * - identifier-like tokens that mix letters and digits (`INV-2024-0042`, `acct_9f8e7d`).
 *
 * Every pass is a single left-to-right scan of a bounded text (no pattern here nests a
 * quantifier), so the cost is linear in the text.
 */

/** One identifier found in a text. */
export interface Identifier {
  /** The canonical fingerprint: `email:…`, `host:…`, `domain:…`, `url:…`, `iban:…`, `digits:…`, `phone:…`, `id:…`. */
  readonly fingerprint: string;
  /**
   * Whether the identifier names a destination by itself. A URL's destination is its host:
   * its full form and its registrable domain are secondary fingerprints, used to recognise
   * untrusted content, never to vouch for a value.
   */
  readonly key: boolean;
  /** Span in the normalised text. */
  readonly start: number;
  readonly end: number;
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g;
// A run that can hold a URL or a bare host: no spaces, quotes or angle brackets.
const URL_RUN = /(?:https?:\/\/)?[A-Za-z0-9][^\s<>"'`()[\]{}|\\^]{2,2047}/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,8}(?:[ -]?[A-Z0-9]{1,3})?\b/g;
// Not part of a word or a decimal on either side; a sentence's full stop may follow.
const DIGITS = /(?<![\w.])\+?\(?\d(?:[ .()-]{0,2}\d){5,}(?!\w)(?!\.\d)/g;
const IDENTIFIER = /\b[A-Za-z0-9][A-Za-z0-9_-]{5,63}\b/g;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^[a-z]{2,24}$/;
/** File names look like hosts (`report.pdf`); these endings are never taken for a top-level domain. */
const FILE_ENDINGS = new Set([
  'txt',
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'csv',
  'json',
  'yaml',
  'yml',
  'xml',
  'html',
  'htm',
  'md',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'zip',
  'gz',
  'tar',
  'js',
  'ts',
  'py',
  'rb',
  'go',
  'rs',
  'java',
  'sh',
  'exe',
  'dll',
  'log',
  'ini',
  'cfg',
  'conf',
  'toml',
  'lock',
  'mp3',
  'mp4',
  'wav',
  'ppt',
  'pptx',
]);

/**
 * The text as a reader (or a mail server) would take it: compatibility forms folded (a
 * full-width `＠` is `@`), invisible format characters removed, character references and
 * percent-escapes of `@ . : /` decoded, and the defanged or spelled-out forms people use to
 * dodge address harvesters (`[at]`, `(dot)`, `hxxp`, `[.]`) turned back into what they mean.
 */
export function normalizeForIdentifiers(text: string): string {
  return (
    text
      .normalize('NFKC')
      .replace(/\p{Cf}/gu, '')
      .replace(/&#(?:x0*40|0*64);|&commat;|%40/gi, '@')
      .replace(/&#(?:x0*2e|0*46);|&period;|%2e/gi, '.')
      .replace(/&#(?:x0*3a|0*58);|&colon;|%3a/gi, ':')
      .replace(/&#(?:x0*2f|0*47);|&sol;|%2f/gi, '/')
      // `"attacker"@evil.test` is RFC 5322's spelling of `attacker@evil.test`.
      .replace(/"([A-Za-z0-9._%+-]{1,64})"@/g, '$1@')
      .replace(/ ?[[({<] ?at ?[\])}>] ?/gi, '@')
      .replace(/ ?[[({<] ?(?:dot|\.) ?[\])}>] ?/gi, '.')
      .replace(/\bhxxp(s?):\/\//gi, 'http$1://')
      .replace(
        /\b([A-Za-z0-9._%+-]{1,64}) at ([A-Za-z0-9-]{1,63}(?: dot [A-Za-z0-9-]{1,63}){1,4})\b/g,
        (_m, local, host) => `${local}@${String(host).replace(/ dot /g, '.')}`,
      )
  );
}

/** The identifiers in a text that is already normalised (see `normalizeForIdentifiers`). */
export function identifiersOfNormalized(text: string): Identifier[] {
  const found: Identifier[] = [];
  const emailSpans: [number, number][] = [];
  for (const m of text.matchAll(EMAIL)) {
    const start = m.index;
    const address = m[0].toLowerCase();
    found.push({ fingerprint: `email:${address}`, key: true, start, end: start + m[0].length });
    emailSpans.push([start, start + m[0].length]);
    // `name+anything@host` reaches the same mailbox as `name@host`.
    const [local, host] = address.split('@') as [string, string];
    const plus = local.indexOf('+');
    if (plus > 0)
      found.push({
        fingerprint: `email:${local.slice(0, plus)}@${host}`,
        key: false,
        start,
        end: start + m[0].length,
      });
  }
  const urlSpans: [number, number][] = [];
  for (const m of text.matchAll(URL_RUN)) {
    const start = m.index;
    if (insideAny(emailSpans, start) || (start > 0 && /[@A-Za-z0-9.]/.test(text[start - 1]!))) continue;
    const url = urlOf(m[0]);
    if (!url) continue;
    const end = start + url.length;
    urlSpans.push([start, end]);
    found.push({ fingerprint: `host:${url.host}`, key: true, start, end });
    if (url.domain && url.domain !== url.host)
      found.push({ fingerprint: `domain:${url.domain}`, key: false, start, end });
    if (url.full) found.push({ fingerprint: `url:${url.full}`, key: false, start, end });
  }
  // An account number is one identifier: its digits and its compact form are not others.
  const claimed = [...emailSpans, ...urlSpans];
  for (const m of text.matchAll(IBAN)) {
    const compact = m[0].replace(/[ -]/g, '');
    if (compact.length < 15 || compact.length > 34 || insideAny(claimed, m.index)) continue;
    found.push({ fingerprint: `iban:${compact}`, key: true, start: m.index, end: m.index + m[0].length });
    claimed.push([m.index, m.index + m[0].length]);
  }
  for (const m of text.matchAll(DIGITS)) {
    if (insideAny(claimed, m.index)) continue;
    const digits = m[0].replace(/\D/g, '');
    if (digits.length < 6) continue;
    const span = { start: m.index, end: m.index + m[0].length };
    found.push({ fingerprint: `digits:${digits}`, key: true, ...span });
    // `+1 (555) 123-4567`, `555.123.4567` and `15551234567` are one phone.
    if (digits.length >= 10 && digits.length <= 15)
      found.push({ fingerprint: `phone:${digits.slice(-10)}`, key: false, ...span });
  }
  for (const m of text.matchAll(IDENTIFIER)) {
    if (insideAny(claimed, m.index)) continue;
    if (/\d/.test(m[0]) && /[A-Za-z]/.test(m[0]))
      found.push({
        fingerprint: `id:${m[0].toLowerCase()}`,
        key: true,
        start: m.index,
        end: m.index + m[0].length,
      });
  }
  return found;
}

function insideAny(spans: readonly [number, number][], at: number): boolean {
  for (const [s, e] of spans) if (at >= s && at < e) return true;
  return false;
}

/**
 * A URL or bare host from a run of URL characters: its host (lower-cased, `www.` dropped),
 * registrable domain and normalised full form, or nothing when the run names no host.
 */
function urlOf(run: string): { host: string; domain?: string; full?: string; length: number } | undefined {
  const trimmed = run.replace(/[.,;:!?'"]+$/, '');
  const schemed = /^https?:\/\//i.test(trimmed);
  const rest = schemed ? trimmed.replace(/^https?:\/\//i, '') : trimmed;
  const hostEnd = rest.search(/[/?#:]/);
  const rawHost = (hostEnd < 0 ? rest : rest.slice(0, hostEnd)).toLowerCase();
  const labels = rawHost.split('.');
  if (labels.length < 2 || labels.some((l) => !HOST_LABEL.test(l))) return undefined;
  const tld = labels[labels.length - 1]!;
  if (!TLD.test(tld)) return undefined;
  // Without a scheme a dotted word is a host only when nothing else explains it: `report.pdf`
  // is a file and `e.g` is prose, while `www.x.com`, `x.com/path` and `x.example` are hosts.
  if (!schemed && FILE_ENDINGS.has(tld) && !rawHost.startsWith('www.')) return undefined;
  const host = rawHost.startsWith('www.') ? rawHost.slice(4) : rawHost;
  if (!host.includes('.')) return undefined;
  const domain = getDomain(host, { allowPrivateDomains: true }) ?? undefined;
  let full: string | undefined;
  try {
    full = new URL(schemed ? trimmed : `https://${trimmed}`).toString().replace(/^http:/, 'https:');
  } catch {
    full = undefined;
  }
  return { host, ...(domain && { domain }), ...(full && { full }), length: trimmed.length };
}
