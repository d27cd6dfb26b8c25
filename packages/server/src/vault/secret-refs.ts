import { assertSecretName, SecretError } from './secret-error.js';

/**
 * `${secret:NAME}` anywhere in a string. The name part is matched loosely
 * (anything up to the brace) so that a malformed reference is reported, not
 * left in the text to reach an upstream as a literal.
 */
const REFERENCE = /\$\{secret:([^}]*)\}/g;

/** An opening that never becomes a well-formed reference: `${secret:` without its brace. */
const UNCLOSED = /\$\{secret:[^}]*$/;

/**
 * The distinct secret names `text` references, in order of first use — for
 * config validation (every name must exist in the vault). Pure.
 * Throws `GH_SECRET_INVALID` for a malformed reference.
 *
 * @example
 * secretRefs('Bearer ${secret:crm-token}') // ['crm-token']
 */
export function secretRefs(text: string): string[] {
  if (UNCLOSED.test(text))
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference syntax, quoted for the reader.
    throw new SecretError('GH_SECRET_INVALID', "a '${secret:' reference is not closed with '}'");
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1]!;
    assertSecretName(name);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * `text` with every `${secret:NAME}` replaced by the secret's value, read
 * through `reveal` (`SecretVault.reveal`), each name once. Fails closed: a
 * malformed reference, or a secret that `reveal` cannot produce (unknown,
 * altered, wrapped by a key not held), throws — the `SecretError` names the
 * secret and quotes no value — and nothing is returned.
 *
 * The result holds plaintext secrets: give it to the upstream's environment
 * or headers and to nothing else.
 *
 * @example
 * await resolveSecretRefs('Bearer ${secret:crm-token}', (name) => vault.reveal(name))
 */
export async function resolveSecretRefs(
  text: string,
  reveal: (name: string) => Promise<string>,
): Promise<string> {
  const names = secretRefs(text);
  if (names.length === 0) return text;
  const values = new Map<string, string>();
  for (const name of names) values.set(name, await reveal(name));
  // A function replacement: `$&` and `$1` in a value are kept as they are.
  return text.replace(REFERENCE, (_match, name: string) => values.get(name)!);
}

/**
 * Every string value of `record` (an upstream's `env` or `headers`) with its
 * references resolved; the same failures as `resolveSecretRefs`.
 */
export async function resolveSecretRefsIn(
  record: Readonly<Record<string, string>>,
  reveal: (name: string) => Promise<string>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) out[key] = await resolveSecretRefs(value, reveal);
  return out;
}
