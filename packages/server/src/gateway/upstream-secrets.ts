import { SecretError } from '../vault/secret-error.js';
import { resolveSecretRefs } from '../vault/secret-refs.js';

/**
 * Credentials an upstream is given from the vault: expanded into its
 * environment or headers, and scrubbed from whatever it sends back.
 */

/** Where `${secret:NAME}` references are expanded: the vault, or nothing when there is none. */
export interface SecretSource {
  /** The plaintext of a secret; rejects when it is unknown or cannot be decrypted. */
  reveal(name: string): Promise<string>;
  /** The current version of every secret, so that a rotation can be noticed. */
  versions?(): Promise<ReadonlyMap<string, number>>;
}

/**
 * Expands `${secret:NAME}` references from the vault; fails closed (a
 * reference with no vault, an unknown or unreadable secret) naming the secret
 * and never a value.
 */
export async function expandSecrets(
  text: string,
  secrets: SecretSource | undefined,
  revealed?: Set<string>,
): Promise<string> {
  return resolveSecretRefs(text, async (name) => {
    if (!secrets)
      throw new SecretError(
        'GH_SECRET_NOT_FOUND',
        `secret '${name}' is referenced but no vault is open`,
        name,
      );
    const value = await secrets.reveal(name);
    revealed?.add(value);
    return value;
  });
}

/** Shorter values are not scrubbed: they would blank out ordinary text. */
export const MIN_SCRUBBED_LENGTH = 8;

/**
 * The value with every occurrence of a brokered secret replaced: an upstream
 * that echoes its environment or headers (a debug tool, an error message)
 * must not hand the agent, or the audit, a credential it was given.
 */
export function scrubSecrets(value: unknown, secrets: ReadonlySet<string>): unknown {
  // An upstream given no secret (the rule) has nothing to scrub: asked on every call.
  if (secrets.size === 0) return value;
  const scrubbed = [...secrets].filter((s) => s.length >= MIN_SCRUBBED_LENGTH);
  if (scrubbed.length === 0) return value;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      let out = v;
      for (const secret of scrubbed)
        if (out.includes(secret)) out = out.split(secret).join('[REDACTED:secret]');
      return out;
    }
    if (v === null || typeof v !== 'object') return v;
    // Too deep to walk is too deep to pass on unchecked.
    if (depth > 64) return '[TRUNCATED: nested too deeply]';
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    return Object.fromEntries(
      Object.entries(v).map(([k, item]) => [walk(k, depth + 1) as string, walk(item, depth + 1)]),
    );
  };
  return walk(value, 0);
}
