import { shannonEntropy } from './checksums.js';
import { masked } from './preview.js';
import { stickyOf, type Trigger, TriggeredMatches, TriggerIndex, TriggerText } from './triggered-exec.js';
import type { DetectorFinding } from './types.js';

/**
 * Credentials in text: the published formats of cloud keys and SaaS tokens
 * (prefixes documented by their issuers, as secret scanners such as GitHub
 * push protection and gitleaks match them), private key blocks, JWTs,
 * connection strings with a password, and generic `secret = …` assignments.
 * Formats without a fixed prefix must also look random (entropy), which cuts
 * the false positives of placeholders and prose.
 */

interface SecretFormat {
  readonly kind: string;
  readonly reason: string;
  /** Compiled with `d` (indices); the secret is group 1 when there is one, else the whole match. */
  readonly pattern: RegExp;
  /** Further checks on the secret itself. */
  readonly accept?: (secret: string, match: RegExpExecArray) => boolean;
  /** What every match contains: the pattern is tried only near it (triggered-exec.ts). */
  readonly trigger: Trigger;
}

const PLACEHOLDER =
  /example|sample|placeholder|dummy|changeme|change_me|your[_-]?|redacted|xxxx|\*\*\*|\.\.\.|<[^>]*>|\{[^}]*\}|\$\{|%\(|^\$[a-z_]|process\.env|os\.environ|getenv|env\[|secrets\.|vault:|^(?:none|null|true|false|undefined|string|password|secret|token)$/i;

const random = (min: number) => (secret: string) =>
  !PLACEHOLDER.test(secret) && shannonEntropy(secret) >= min;

/** At least `n` of: lower case, upper case, digits, symbols. */
const classes = (secret: string) =>
  [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(secret)).length;

// notAfter: what the lookbehind at a pattern's start refuses, or the word units a `\b` before its first (a word
// character) refuses.
export const SECRET_FORMATS: readonly SecretFormat[] = [
  {
    kind: 'private_key',
    trigger: { literals: ['-----BEGIN '], reach: 0 },
    reason: 'a private key block',
    pattern:
      /-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----(?:[^-]{0,12000}-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s]{40,12000})/dg,
    accept: (secret) => !/\.\.\.|…|<[^>]*>/.test(secret.slice(0, 200)),
  },
  {
    kind: 'aws_access_key',
    trigger: { literals: ['AKIA', 'ASIA', 'ABIA', 'ACCA'], reach: 0, notAfter: '[A-Za-z0-9_]' },
    reason: 'an AWS access key id',
    pattern: /\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b/dg,
    accept: (s) => !/EXAMPLE/.test(s) && shannonEntropy(s.slice(4)) >= 2.8,
  },
  {
    kind: 'aws_secret_key',
    trigger: { literals: ['aws'], caseless: true, reach: 0, notAfter: '[A-Za-z0-9_]' },
    reason: 'an AWS secret access key',
    pattern:
      /\baws[_\-\s]?secret[_\-\s]?(?:access[_\-\s]?)?key\b["']?\s{0,3}(?:[:=]|=>)\s{0,3}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi,
    accept: (s) => !/EXAMPLE/.test(s) && random(4)(s),
  },
  {
    kind: 'github_token',
    reason: 'a GitHub token',
    trigger: { literals: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], reach: 0, notAfter: '[A-Za-z0-9_]' },
    pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,251})\b/dg,
    accept: random(3.5),
  },
  {
    kind: 'github_token',
    reason: 'a GitHub fine-grained token',
    trigger: { literals: ['github_pat_'], reach: 0, notAfter: '[A-Za-z0-9_]' },
    pattern: /\b(github_pat_[A-Za-z0-9_]{60,120})\b/dg,
    accept: random(3.5),
  },
  {
    kind: 'gitlab_token',
    trigger: { literals: ['glpat-'], reach: 0, notAfter: '[A-Za-z0-9_-]' },
    reason: 'a GitLab token',
    pattern: /(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20,64})\b/dg,
    accept: random(3.5),
  },
  {
    kind: 'slack_token',
    trigger: { literals: ['xox'], reach: 0, notAfter: '[A-Za-z0-9_-]' },
    reason: 'a Slack token',
    pattern: /(?<![A-Za-z0-9_-])(xox[abposr]-[A-Za-z0-9-]{10,250})\b/dg,
    accept: (s) => random(3)(s) && /\d/.test(s),
  },
  {
    kind: 'slack_webhook',
    trigger: { literals: ['https://hooks.slack.com/services/'], reach: 0 },
    reason: 'a Slack incoming-webhook URL',
    pattern:
      /https:\/\/hooks\.slack\.com\/services\/(T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,32})/dg,
    accept: random(3.5),
  },
  {
    kind: 'stripe_key',
    trigger: { literals: ['sk_', 'rk_'], reach: 0, notAfter: '[A-Za-z0-9_]' },
    reason: 'a Stripe secret or restricted key',
    pattern: /\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,247})\b/dg,
    accept: random(3.5),
  },
  {
    kind: 'google_api_key',
    trigger: { literals: ['AIza'], reach: 0, notAfter: '[A-Za-z0-9_-]' },
    reason: 'a Google API key',
    pattern: /(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/dg,
    accept: random(3.5),
  },
  {
    kind: 'anthropic_key',
    trigger: { literals: ['sk-ant-'], reach: 0, notAfter: '[A-Za-z0-9_-]' },
    reason: 'an Anthropic API key',
    pattern: /(?<![A-Za-z0-9_-])(sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,120})/dg,
    accept: random(3.5),
  },
  {
    kind: 'openai_key',
    trigger: { literals: ['sk-'], reach: 0, notAfter: '[A-Za-z0-9_-]' },
    reason: 'an OpenAI API key',
    pattern: /(?<![A-Za-z0-9_-])(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,200})(?![A-Za-z0-9_-])/dg,
    accept: (s) => !s.startsWith('sk-ant-') && random(4)(s) && /\d/.test(s),
  },
  {
    kind: 'sendgrid_key',
    trigger: { literals: ['SG.'], reach: 0, notAfter: '[A-Za-z0-9_-]' },
    reason: 'a SendGrid API key',
    pattern: /(?<![A-Za-z0-9_-])(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/dg,
    accept: random(4),
  },
  {
    kind: 'npm_token',
    trigger: { literals: ['npm_'], reach: 0, notAfter: '[A-Za-z0-9_]' },
    reason: 'an npm access token',
    pattern: /\b(npm_[A-Za-z0-9]{36})\b/dg,
    accept: random(3.5),
  },
  {
    kind: 'pypi_token',
    trigger: { literals: ['pypi-'], reach: 0, notAfter: '[A-Za-z0-9_-]' },
    reason: 'a PyPI upload token',
    pattern: /(?<![A-Za-z0-9_-])(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300})/dg,
    accept: random(4),
  },
  {
    kind: 'azure_storage_key',
    trigger: { literals: ['AccountKey='], reach: 0 },
    reason: 'an Azure storage account key',
    pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/dg,
    accept: random(4),
  },
  {
    kind: 'jwt',
    trigger: { literals: ['eyJ'], reach: 0, notAfter: '[A-Za-z0-9_-]' },
    reason: 'a JSON Web Token (a bearer credential)',
    pattern:
      /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{16,1000})(?![A-Za-z0-9_-])/dg,
    accept: (s) => jwtHeaderValid(s),
  },
  {
    kind: 'connection_string_password',
    // The scheme is 2 to 21 characters: `://` starts at most 21 after the match does.
    trigger: {
      literals: ['://'],
      caseless: true,
      reach: 21,
      lead: '[A-Za-z0-9+.-]',
      notAfter: '[A-Za-z0-9_]',
    },
    reason: 'a connection string with a password',
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@"'<>]{1,100}:([^\s@/"'<>]{3,200})@[^\s/"'<>:]{1,255}/dgi,
    accept: (s) => !PLACEHOLDER.test(s) && !/^(?:pass|pwd|pw|secret|\*+|x+)$/i.test(s),
  },
  {
    kind: 'http_authorization',
    trigger: { literals: ['authorization'], caseless: true, reach: 0, notAfter: '[A-Za-z0-9_]' },
    reason: 'an HTTP Authorization header with a credential',
    pattern:
      /\bauthorization\s{0,3}["']?\s{0,3}[:=]\s{0,3}["']?(?:bearer|basic|token)\s{1,3}([A-Za-z0-9._~+/-]{16,4000}=*)/dgi,
    accept: random(3.3),
  },
  {
    kind: 'generic_secret',
    // Each key name holds one of these words, at most 8 characters in (`refresh_token`, `private_key`).
    trigger: {
      literals: ['key', 'secret', 'token', 'credential'],
      caseless: true,
      reach: 8,
      lead: '[A-Za-z_-]',
      notAfter: '[A-Za-z0-9]',
    },
    reason: 'a high-entropy value assigned to a secret-named key',
    pattern:
      /(?<![A-Za-z0-9])(?:api[_-]?key|apikey|secret(?:[_-]?(?:access[_-]?)?key)?|client[_-]?secret|access[_-]?(?:key|token)|auth[_-]?(?:key|token)|refresh[_-]?token|token|private[_-]?key|credentials?)(?:[_-]?[A-Za-z0-9]{1,10})?["']?\s{0,3}(?:[:=]|=>|:=)\s{0,3}["']?([A-Za-z0-9_\-+/=.~!@#$%^&*]{16,200})/dgi,
    accept: (s) => !/^https?:/i.test(s) && random(3.5)(s) && classes(s) >= 2,
  },
  {
    kind: 'password',
    trigger: { literals: ['passw', 'passphrase', 'pwd'], caseless: true, reach: 0, notAfter: '[A-Za-z0-9]' },
    reason: 'a password assigned to a password-named key',
    pattern:
      /(?<![A-Za-z0-9])(?:password|passwd|passphrase|pwd)(?:[_-]?[A-Za-z0-9]{1,10})?["']?\s{0,3}(?:[:=]|=>|:=)\s{0,3}["']?([^\s"',;]{8,200})/dgi,
    accept: (s) => !PLACEHOLDER.test(s) && classes(s) >= 3 && shannonEntropy(s) >= 2.8,
  },
];

/** The formats' patterns, sticky: tried at one position at a time. */
const STICKY = SECRET_FORMATS.map((f) => stickyOf(f.pattern));

/** Every format's trigger literals, found in one pass per text. */
const TRIGGERS = new TriggerIndex(SECRET_FORMATS.map((f) => f.trigger));

/** The trigger literals written backwards: a text without one holds no secret when read backwards. */
const REVERSED_TRIGGERS = new TriggerIndex(
  SECRET_FORMATS.map((f) => ({
    ...f.trigger,
    literals: f.trigger.literals.map((l) => [...l].reverse().join('')),
  })),
);

/**
 * Whether `detectSecrets` can find anything in `text` (`backwards`: in
 * `text` read backwards): not when no format's trigger occurs. A cheap test
 * before a view of a text is made and scanned.
 */
export function mayHoldSecret(text: string, backwards = false): boolean {
  return (backwards ? REVERSED_TRIGGERS : TRIGGERS).occursIn(text);
}

/** Where the formats' trigger literals occur in `text` (what `detectSecrets` reads; a view's are derived from it). */
export function secretTriggers(text: string): TriggerText {
  return new TriggerText(text, TRIGGERS);
}

/** Matches kept per format: a dump of a thousand keys needs one label, not a thousand findings. */
const MAX_PER_FORMAT = 50;

/**
 * Finds credentials in `text`. Each finding's span covers the secret itself
 * (the password in a connection string, not the host), which is what a
 * redaction replaces; its preview shows at most a public prefix.
 *
 * @example
 * ```ts
 * detectSecrets('key=AKIAZ7QHNB4EXK2LMW3P')[0].kind; // 'aws_access_key'
 * ```
 */
export function detectSecrets(
  text: string,
  perFormat: number = MAX_PER_FORMAT,
  source: TriggerText = secretTriggers(text),
): DetectorFinding[] {
  const findings: DetectorFinding[] = [];
  // Most texts a view yields (a reversed run, a joined group) hold no trigger at all.
  if (!source.any) return findings;
  const taken: [number, number][] = [];
  for (const [index, format] of SECRET_FORMATS.entries()) {
    const matches = new TriggeredMatches(STICKY[index]!, source, format.trigger);
    let count = 0;
    for (let m = matches.exec(); m !== null; m = matches.exec()) {
      const [start, end] = m.indices?.[1] ?? m.indices![0]!;
      const secret = text.slice(start, end);
      if (format.accept && !format.accept(secret, m)) continue;
      // The more specific format came first; a generic one does not report the same text again.
      if (taken.some(([s, e]) => start < e && end > s)) continue;
      taken.push([start, end]);
      findings.push({
        detector: 'secret',
        kind: format.kind,
        family: 'secret',
        reason: format.reason,
        start,
        end,
        preview: masked(secret, format.kind === 'private_key' || format.kind.startsWith('generic') ? 0 : 4),
      });
      if (++count >= perFormat) break;
    }
  }
  return findings;
}

/** A JWT's header must be base64url JSON naming an algorithm. */
function jwtHeaderValid(token: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof header.alg === 'string';
  } catch {
    return false;
  }
}
