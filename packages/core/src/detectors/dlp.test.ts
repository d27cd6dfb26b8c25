import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cardNumberValid,
  chineseIdValid,
  frenchNirValid,
  ibanValid,
  luhnValid,
  spanishIdValid,
} from './checksums.js';
import { detectPii, digitShapes, mayHoldPii, PII_FORMATS } from './pii.js';
import { redactText, redactValue, withheldOutput } from './redact.js';
import { detectSecrets, SECRET_FORMATS } from './secrets.js';
import { stickyOf, type Trigger, TriggeredMatches, TriggerIndex, TriggerText } from './triggered-exec.js';

const kinds = (findings: readonly { kind: string }[]) => findings.map((f) => f.kind);

describe('checksums', () => {
  it('validates cards with Luhn and a known issuer prefix', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(cardNumberValid('4111111111111111')).toBe(true);
    expect(cardNumberValid('4111111111111112')).toBe(false);
    expect(cardNumberValid('1234567812345670')).toBe(false); // Luhn-valid, no issuer
  });
  it('validates IBANs with mod-97 and the country length (ISO 13616 examples)', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false);
  });
  it('validates national ids that have a check character', () => {
    expect(spanishIdValid('12345678Z')).toBe(true);
    expect(spanishIdValid('12345678A')).toBe(false);
    expect(spanishIdValid('X1234567L')).toBe(true);
    expect(frenchNirValid('255081416802538')).toBe(true);
    expect(frenchNirValid('255081416802539')).toBe(false);
    expect(chineseIdValid('11010519491231002X')).toBe(true);
    expect(chineseIdValid('110105194912310021')).toBe(false);
  });
});

describe('secrets detector', () => {
  it.each([
    ['aws_access_key', 'aws_access_key_id = AKIAZ7QHNB4EXK2LMW3P'],
    ['github_token', 'token: ghp_8fK2mQ9xLw3ZpR7vT1yB5nC6dE4aS0hJ2uVq'],
    ['stripe_key', 'STRIPE=sk_live_51HxQ2eK8mZ3pW7rT9vB4nL6c'],
    ['slack_token', 'xoxb-123456789012-123456789012-AbCdEfGhIjKlMnOpQrStUvWx'],
    [
      'private_key',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7d9s8f7g6h5j4k3l2m1n0b9v8c7x6z5a4s3d2f1g0h9j8k7l6\n-----END RSA PRIVATE KEY-----',
    ],
    [
      'jwt',
      'Authorization: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    ['connection_string_password', 'DATABASE_URL=postgres://app:Xk29fLq83mZpW1vR@db.internal:5432/orders'],
    ['generic_secret', 'client_secret = "q8Zr2mX9vL3kP7wN4tB6yH1cJ5dF0sGa"'],
  ])('finds %s', (kind, text) => {
    expect(kinds(detectSecrets(text))).toContain(kind);
  });

  it.each([
    ['the AWS documentation key', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
    ['a placeholder', 'api_key = "YOUR_API_KEY_HERE"'],
    ['an environment reference', 'password = process.env.DB_PASSWORD'],
    ['a git commit hash', 'commit 3f2a9c1e8b7d6f5a4e3c2b1a0f9e8d7c6b5a4f3e'],
    ['a connection string without a real password', 'postgres://app:<password>@db:5432/x'],
  ])('ignores %s', (_name, text) => {
    expect(detectSecrets(text)).toEqual([]);
  });

  it('never puts the secret into a finding', () => {
    const secret = 'ghp_8fK2mQ9xLw3ZpR7vT1yB5nC6dE4aS0hJ2uVq';
    const [finding] = detectSecrets(`token ${secret}`);
    expect(JSON.stringify(finding)).not.toContain(secret.slice(4));
    expect(finding!.preview).toBe('ghp_…(40 chars)');
  });
});

describe('PII detector', () => {
  it.each([
    ['email', 'write to ana.moreno@example.org today'],
    ['phone', 'call +49 30 1234567'],
    ['phone', 'call (415) 555-0132'],
    ['card', 'card 4111 1111 1111 1111'],
    ['iban', 'IBAN DE89 3704 0044 0532 0130 00'],
    ['ssn', 'SSN 123-45-6789'],
    ['national_id', 'DNI 12345678Z'],
    ['ip', 'client=203.0.113.7 ok'],
    ['ip', 'from fe80::1ff:fe23:4567:890a'],
    ['address', 'ship to 742 Evergreen Terrace'],
  ])('finds %s', (kind, text) => {
    expect(kinds(detectPii(text))).toContain(kind);
  });

  it.each([
    ['an order number', 'order ORD-2024-88231, 16 items'],
    ['a date and a time', '2024-06-01 12:30:45'],
    ['a version', 'version 1.14.2'],
    ['a card number that fails Luhn', 'ref 4111 1111 1111 1112'],
    ['an IBAN with a wrong check', 'DE89 3704 0044 0532 0130 01'],
    ['a loopback address', 'listening on 127.0.0.1:8080'],
    ['a MAC address', 'mac 00:1a:2b:3c:4d:5e'],
  ])('ignores %s', (_name, text) => {
    expect(detectPii(text)).toEqual([]);
  });
});

describe('redaction', () => {
  it('replaces each span with a marker naming its kind', () => {
    expect(redactText('mail ana@example.org or call +49 30 1234567', ['pii'])).toBe(
      'mail [REDACTED:email] or call [REDACTED:phone]',
    );
  });
  it('redacts only the classes asked for', () => {
    const text = 'key AKIAZ7QHNB4EXK2LMW3P for ana@example.org';
    expect(redactText(text, ['secret'])).toBe('key [REDACTED:aws_access_key] for ana@example.org');
    expect(redactText(text, ['email'])).toBe('key AKIAZ7QHNB4EXK2LMW3P for [REDACTED:email]');
  });
  it('keeps the shape of a structured value', () => {
    const value = { content: [{ type: 'text', text: 'key AKIAZ7QHNB4EXK2LMW3P' }], isError: false, n: 3 };
    expect(redactValue(value, ['secret'])).toEqual({
      content: [{ type: 'text', text: 'key [REDACTED:aws_access_key]' }],
      isError: false,
      n: 3,
    });
  });
  it('fails closed on text past the size cap', () => {
    const text = `${'x'.repeat(100)} ana@example.org`;
    expect(redactText(text, ['pii'], 50)).toBe(`${'x'.repeat(50)}[REDACTED:unscanned]`);
  });
  it('withholds an MCP result as an MCP error result', () => {
    expect(withheldOutput({ content: [{ type: 'text', text: 'x' }] }, ['secret'])).toEqual({
      content: [{ type: 'text', text: expect.stringContaining('WITHHELD') }],
      isError: true,
    });
    expect(withheldOutput('plain', ['secret'])).toMatch(/^\[WITHHELD/);
  });
});

/** Offsets and lengths of a format's matches, tried near its trigger only (triggered-exec.ts). */
function triggeredMatches(pattern: RegExp, trigger: Trigger, text: string): number[] {
  const source = new TriggerText(text, new TriggerIndex([trigger]));
  const triggered = new TriggeredMatches(stickyOf(pattern), source, trigger);
  const found: number[] = [];
  for (let m = triggered.exec(); m !== null; m = triggered.exec()) found.push(m.index, m[0].length);
  return found;
}

/** Offsets and lengths of a global pattern's matches over the whole text. */
const plainMatches = (pattern: RegExp, text: string) =>
  [...text.matchAll(pattern)].flatMap((m) => [m.index, m[0].length]);

describe('the secret formats near their triggers', () => {
  it('find what their patterns find, wherever the triggers are preceded by what', () => {
    // Whole secrets and their prefixes, glued to words, to dashes, to dots and to the start.
    const unit = fc.constantFrom(
      'sk-',
      'sk-proj-Xk29fLq83mZpW1vR7tYbQ4nPa8sD6fG2hJ',
      'sk_live_51HxQ2eK8mZ3pW7rT9vB4nL6c',
      'ghp_4Vq8ZrT2mXb9LkP0sW3nYd7HcJ5fGu1eAa6R',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'xoxb-123456789012-AbCdEfGhIjKl',
      'AKIAZ7QHNB4EXK2LMW3P',
      'postgres://app:Xk29fLq83m@db',
      'api_key=q8Zr2mX9vL3kP7wN4tB6yH1c',
      'password: Xk29!fLq83',
      'Authorization: Bearer Xk29fLq83mZpW1vR7tYb',
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vT3kLm2',
      'a',
      '-',
      '_',
      '.',
      ' ',
      '9',
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 24 }), (units) => {
        const text = units.join('');
        for (const format of SECRET_FORMATS) {
          expect([format.kind, triggeredMatches(format.pattern, format.trigger, text)]).toEqual([
            format.kind,
            plainMatches(format.pattern, text),
          ]);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('the cheap tests before a second scan', () => {
  const unit = fc.constantFrom(
    'a',
    'Z',
    ' ',
    '.',
    '-',
    '1',
    '4',
    '@',
    ':',
    'ex',
    '.org',
    '+49 30 ',
    'DE89',
    '4111 ',
    'é',
  );
  it('never rule out a text a PII pattern matches in', () => {
    // Street words and their numbers, dotted and dashed numbers, letters of both cases: matches of each shape.
    const street = fc.constantFrom(
      '12 ',
      'Main ',
      'Street',
      'Hauptstraße ',
      ' rue ',
      'Calle ',
      '1234',
      '12345678',
      '192.168.',
      '2B',
      'X',
      'Z',
      '.',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(unit, street), { maxLength: 40 }), (units) => {
        const text = units.join('');
        for (const format of PII_FORMATS) {
          if (format.need === undefined) continue;
          if (new RegExp(format.pattern.source, format.pattern.flags.replace('g', '')).test(text))
            expect([format.reason, format.need.test(text)]).toEqual([format.reason, true]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('read the shapes the formats need in one walk over the digits, as their patterns read them', () => {
    const shapes = fc.constantFrom(
      '1',
      '1234',
      '1234567',
      '12345678901234567',
      ' ',
      '-',
      '.',
      'A',
      'Z',
      'a',
      'é',
      'weg ',
      'Hauptstraße ',
      'ring',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(unit, shapes), { maxLength: 30 }), (units) => {
        const text = units.join('');
        const { digits, holds } = digitShapes(text);
        // Counted up to the most any format asks for (17): the walk may end there.
        expect(Math.min(digits, 17)).toBe(Math.min(text.replace(/\D/g, '').length, 17));
        for (const format of PII_FORMATS)
          if (format.need !== undefined)
            expect([format.reason, holds(format.need)]).toEqual([format.reason, format.need.test(text)]);
      }),
      { numRuns: 3000 },
    );
  });

  it('search for the shapes the walk has not seen when a text has more runs of digits than it reads', () => {
    const tails = ['', ' Hauptstraße 5', ' 1234567 Z', ' 12345678901234567', ' 3.4', ' 9 Main'];
    for (const tail of tails) {
      const text = `${'1 x '.repeat(3000)}${tail}`;
      const { holds } = digitShapes(text);
      for (const format of PII_FORMATS)
        if (format.need !== undefined)
          expect([tail, format.reason, holds(format.need)]).toEqual([
            tail,
            format.reason,
            format.need.test(text),
          ]);
    }
  });

  it('find a phone number after a word spelt past ASCII, in capitals, among thousands of other trigger words', () => {
    // Past the search budget, ASCII literals are read by an automaton that folds ASCII case alone: `MÓVIL` must
    // still be found as `móvil`.
    for (const word of ['MÓVIL:', 'TÉL']) {
      const text = `${'hotel '.repeat(3000)} ${word} 0612345678 `;
      expect([word, detectPii(text).map((f) => f.reason)]).toEqual([
        word,
        ['a phone number after a word that says so'],
      ]);
    }
  });

  it('find, near their triggers, the matches of the PII patterns that have one', () => {
    const words = fc.constantFrom(
      'Tel',
      'TÉL ',
      'téléphone: ',
      'Mobile ',
      '電話',
      'hotel ',
      'Handy',
      '0612 345678',
      '+33 ',
      '::1',
      'fe80::',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(unit, words), { maxLength: 30 }), (units) => {
        const text = units.join('');
        for (const format of PII_FORMATS) {
          if (format.trigger === undefined) continue;
          expect([format.reason, triggeredMatches(format.pattern, format.trigger, text)]).toEqual([
            format.reason,
            plainMatches(format.pattern, text),
          ]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never say no where the PII detector finds something', () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (text) => {
        if (detectPii(text, Number.POSITIVE_INFINITY).length > 0) expect(mayHoldPii(text)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
