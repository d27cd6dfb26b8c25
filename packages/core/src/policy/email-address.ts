import type { Environment } from '@marcbachmann/cel-js';
import addresses from 'email-addresses';

/**
 * An email address as mail systems read it (RFC 5322 via `email-addresses`:
 * quoted local parts, comments, display names), for policy conditions that
 * check where mail goes without matching strings by regex.
 */
export interface EmailAddress {
  /** `local@domain`, the local part quoted only where RFC 5322 needs it, the domain lowercased. */
  readonly address: string;
  /** The local part, unquoted. */
  readonly local: string;
  /** The domain, lowercased (an address literal such as `[192.0.2.1]` as written). */
  readonly domain: string;
  /** The display name, when the text was `Name <local@domain>`; else empty. */
  readonly name: string;
  /**
   * True when the local part can route the mail elsewhere: `%` (the percent
   * hack, `x%evil.test@example.com`), `!` (UUCP bang paths,
   * `evil.test!x@example.com`) or an `@` inside quotes, or the domain is an
   * address literal. A rule that trusts a domain must also require `!routed`.
   */
  readonly routed: boolean;
}

/** Why a string is not one email address. */
export class EmailAddressError extends Error {
  constructor(input: string) {
    super(`'${input.length > 80 ? `${input.slice(0, 80)}…` : input}' is not one email address`);
    this.name = 'EmailAddressError';
  }
}

// RFC 5322 §3.2.3 dot-atom: a local part that needs no quotes.
const DOT_ATOM =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/;

const MAX_SEEN = 4096;
const NOT_AN_ADDRESS = Symbol('not an address');
/** Parsed addresses by input text, and texts that are not one address. */
const seen = new Map<string, EmailAddress | typeof NOT_AN_ADDRESS>();

/**
 * Parses exactly one address (a list, a group or anything else throws
 * `EmailAddressError`) into its canonical form.
 */
export function parseEmailAddress(input: string): EmailAddress {
  // Bounded: addresses are short (RFC 5321 §4.5.3.1.3: 256 octets), and the parser backtracks.
  // Checked first, so the cache below holds short strings only.
  if (input.length > 512) throw new EmailAddressError(input);
  // The same few recipients recur call after call, and a rule may read `email(r)` twice per
  // recipient: the RFC 5322 parser, which backtracks, costs far more than a lookup.
  const known = seen.get(input);
  if (known !== undefined) {
    if (known === NOT_AN_ADDRESS) throw new EmailAddressError(input);
    return known;
  }
  let result: EmailAddress | typeof NOT_AN_ADDRESS;
  try {
    result = parseUncached(input);
  } catch (err) {
    if (!(err instanceof EmailAddressError)) throw err;
    result = NOT_AN_ADDRESS;
  }
  // Bounded: the oldest entry goes first, so an agent sending ever-new strings cannot grow it.
  if (seen.size >= MAX_SEEN) seen.delete(seen.keys().next().value as string);
  seen.set(input, result);
  if (result === NOT_AN_ADDRESS) throw new EmailAddressError(input);
  return result;
}

function parseUncached(input: string): EmailAddress {
  const parsed = addresses.parseOneAddress({ input, rfc6532: true });
  if (parsed?.type !== 'mailbox') throw new EmailAddressError(input);
  const { local } = parsed;
  const literal = parsed.domain.startsWith('[');
  const domain = literal ? parsed.domain : parsed.domain.toLowerCase();
  const quotedLocal = DOT_ATOM.test(local) ? local : `"${local.replace(/(["\\])/g, '\\$1')}"`;
  // Frozen: the cache hands the same object to every caller.
  return Object.freeze({
    address: `${quotedLocal}@${domain}`,
    local,
    domain,
    name: parsed.name ?? '',
    routed: literal || /[%!@]/.test(local),
  });
}

/**
 * Registers `email(string): map` with a CEL environment: the fields of
 * `EmailAddress`. A string that is not one address is an evaluation error,
 * which makes deny and approve rules hold (fail closed).
 *
 * @example
 * when: '!args.to.all(r, !email(r).routed && email(r).domain == "example.com")'
 */
export function registerEmailFunctions(env: Environment): void {
  env.registerFunction('email(string): map', (input: string) => ({ ...parseEmailAddress(input) }), {
    description: 'The canonical email address: address, local, domain, name, routed',
  });
}
