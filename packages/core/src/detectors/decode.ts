/**
 * Encoded runs in a text, decoded one level (base64, hex, `\x` escapes,
 * percent-encoding, HTML numeric entities, `\u` escapes). Injection payloads
 * are hidden this way so that a keyword filter reads noise; the decoded text
 * is scanned like any other, and never decoded again (one level: bounded cost).
 */

/** A decoded run: where it was in the original and what it says. */
export interface DecodedPayload {
  readonly carrier: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Runs decoded per text, and the longest run decoded: bounds on work and memory. */
const MAX_PAYLOADS = 64;
const MAX_RUN = 64 * 1024;

const ENCODINGS: readonly {
  carrier: string;
  pattern: RegExp;
  decode: (run: string) => string | undefined;
}[] = [
  { carrier: 'base64', pattern: /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g, decode: fromBase64 },
  {
    carrier: 'hex',
    pattern: /(?<![0-9a-zA-Z])(?:[0-9a-fA-F]{2}){12,}(?![0-9a-zA-Z])/g,
    decode: (run) => fromBytes(hexBytes(run)),
  },
  {
    carrier: 'hex-escapes',
    pattern: /(?:\\x[0-9a-fA-F]{2}){8,}/g,
    decode: (run) => fromBytes(hexBytes(run.replace(/\\x/g, ''))),
  },
  {
    carrier: 'percent-encoding',
    pattern: /(?:%[0-9a-fA-F]{2}){8,}/g,
    decode: (run) => fromBytes(hexBytes(run.replace(/%/g, ''))),
  },
  {
    carrier: 'html-entities',
    pattern: /(?:&#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7});){8,}/g,
    decode: (run) =>
      codePoints(
        [...run.matchAll(/&#(x?)([0-9a-fA-F]{1,7});/g)].map((m) =>
          Number.parseInt(m[2]!, m[1] === 'x' ? 16 : 10),
        ),
      ),
  },
  {
    carrier: 'unicode-escapes',
    pattern: /(?:\\u[0-9a-fA-F]{4}){8,}/g,
    decode: (run) =>
      codePoints([...run.matchAll(/\\u([0-9a-fA-F]{4})/g)].map((m) => Number.parseInt(m[1]!, 16))),
  },
];

/**
 * Encoded runs of `text` that decode to readable text: prose (words, for the
 * injection rules) or, with `tokens`, any printable text (a credential has no spaces).
 */
export function decodedPayloads(text: string, want: 'prose' | 'tokens' = 'prose'): DecodedPayload[] {
  const accept = want === 'prose' ? readable : printable;
  const payloads: DecodedPayload[] = [];
  for (const { carrier, pattern, decode } of ENCODINGS) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null && payloads.length < MAX_PAYLOADS; m = pattern.exec(text)) {
      const run = m[0].slice(0, MAX_RUN);
      const decoded = decode(run);
      if (decoded !== undefined && accept(decoded))
        payloads.push({ carrier, start: m.index, end: m.index + m[0].length, text: decoded });
    }
  }
  return payloads;
}

function fromBase64(run: string): string | undefined {
  // Mostly letters with no digits or symbols is an identifier or a word, not base64.
  if (!/[0-9+/_-]/.test(run) && run.length < 40) return undefined;
  const standard = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const bytes = Buffer.from(standard, 'base64');
  return fromBytes(bytes);
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fromBytes(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function codePoints(points: readonly number[]): string | undefined {
  try {
    return String.fromCodePoint(...points.slice(0, MAX_RUN));
  } catch {
    return undefined;
  }
}

/** Printable: at least 8 characters, none of them control characters. */
function printable(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return text.length >= 8 && !/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]/.test(text);
}

/** Readable: almost no control characters, and words (spaces) or CJK text. */
function readable(text: string): boolean {
  if (text.length < 8) return false;
  let control = 0;
  let spaces = 0;
  let cjk = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) spaces++;
    else if ((c < 32 && c !== 10 && c !== 13 && c !== 9) || c === 0xfffd || (c >= 0x7f && c < 0xa0))
      control++;
    else if (c >= 0x3040 && c <= 0x9fff) cjk++;
  }
  return control <= text.length * 0.02 && (spaces >= 2 || cjk >= 4);
}
