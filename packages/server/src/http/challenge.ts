/**
 * Text put inside a quoted-string of a `WWW-Authenticate` challenge (RFC 6750 §3). Why a token
 * was refused may repeat what the token said (its `alg`, say), so it is the caller's text: a
 * quote or backslash would end the string early, and a control character or anything outside
 * visible ASCII makes Node refuse the header, which would turn a 401 into a 500. Each becomes a
 * space; the text is cut to `max` characters.
 */
export function challengeText(text: string, max = 200): string {
  let out = '';
  for (const c of text.slice(0, max)) {
    const code = c.charCodeAt(0);
    out += c === '"' || c === '\\' || code < 0x20 || code > 0x7e ? ' ' : c;
  }
  return out;
}
