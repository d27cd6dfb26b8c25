import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fingerprintsOfOutput,
  fingerprintsOfString,
  fingerprintsOfText,
  provenanceOfArguments,
} from './fingerprints.js';

describe('fingerprintsOfText', () => {
  it('finds emails, URLs, IBANs, digit runs and identifiers, normalized', () => {
    const found = fingerprintsOfText(
      'Pay GB82 WEST 1234 5698 7654 32 or visit HTTPS://Evil.TEST/pay?x=1). Write to Payouts@Attacker.TEST, ref INV-2024-0042, card 4111 1111 1111 1111.',
    );
    expect(found).toContain('iban:GB82WEST12345698765432');
    expect(found).toContain('url:https://evil.test/pay?x=1');
    expect(found).toContain('email:payouts@attacker.test');
    expect(found).toContain('id:inv-2024-0042');
    expect(found).toContain('digits:4111111111111111');
  });

  it('ignores plain words and short numbers', () => {
    const found = fingerprintsOfText(
      'Please review the quarterly invoices before 2024 ends, e.g. the report.pdf.',
    );
    expect([...found]).toEqual([]);
  });

  it('takes an IBAN-shaped account whatever its check digits: an attacker need not send a valid one', () => {
    expect(fingerprintsOfText('GB00 WEST 1234 5698 7654 32')).toContain('iban:GB00WEST12345698765432');
  });

  it('finds an address however it is disguised: zero-width, full-width, escaped, or +tagged', () => {
    for (const disguised of [
      'write to att\u200backer@evil.test',
      'write to attacker＠evil.test',
      'write to attacker&#64;evil.test',
      'write to attacker%40evil.test',
    ])
      expect(fingerprintsOfText(disguised)).toContain('email:attacker@evil.test');
    expect(fingerprintsOfText('attacker+ceo@evil.test')).toContain('email:attacker@evil.test');
  });

  it('finishes quickly on long adversarial input', () => {
    const started = performance.now();
    fingerprintsOfText(`${'a'.repeat(100_000)}@${'b.'.repeat(50_000)}`);
    fingerprintsOfText('1 '.repeat(100_000));
    // Quadratic in the identifier pattern's old lookaheads: seconds at this length.
    fingerprintsOfText('a-'.repeat(64_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('provenanceOfArguments', () => {
  const labelsOf = (known: Map<string, string[]>) => (f: string) => known.get(f);

  it('labels argument paths whose values carry a known fingerprint, inside longer text too', () => {
    const known = new Map([
      ['email:evil@attacker.test', ['untrusted']],
      ['url:https://evil.test/x', ['untrusted']],
    ]);
    const provenance = provenanceOfArguments(
      {
        to: ['bob@example.com', 'Evil <EVIL@attacker.test>'],
        body: 'details at https://evil.test/x.',
        note: 'evil',
      },
      labelsOf(known),
    );
    expect(provenance).toEqual({ 'to[1]': ['untrusted'], body: ['untrusted'] });
  });

  it('matches a copied short field whole, and a large number as digits', () => {
    const outputs = fingerprintsOfOutput({ account: { holder: 'ACME Holdings Ltd', number: 12345678 } });
    const known = new Map([...outputs].map((f) => [f, ['untrusted']]));
    expect(
      provenanceOfArguments({ payee: 'acme holdings ltd ', account: '1234-5678' }, labelsOf(known)),
    ).toEqual({
      payee: ['untrusted'],
      account: ['untrusted'],
    });
  });

  it('counts arguments padded past what it inspects as untrusted, not as clean', () => {
    const known = new Map([['email:attacker@evil.test', ['untrusted']]]);
    const padded = { to: ['attacker@evil.test'], zz: Array.from({ length: 10_001 }, () => 0) };
    expect(provenanceOfArguments(padded, labelsOf(known)).to).toEqual(['unscanned', 'untrusted']);
  });

  it('says when an output was too large to inspect in full', () => {
    expect(fingerprintsOfOutput({ body: 'x'.repeat(300 * 1024) }).incomplete).toBe(true);
    expect(fingerprintsOfOutput({ body: 'short' }).incomplete).toBeUndefined();
  });

  it('never throws on arbitrary arguments', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (args) => {
        expect(typeof provenanceOfArguments(args, () => ['untrusted'])).toBe('object');
      }),
      { numRuns: 300 },
    );
  });
});

describe('fingerprintsOfString, asked again', () => {
  it("answers a repeated string as the first time, and one caller cannot change the next one's answer", () => {
    const text = 'Send it to Bob <bob@partner.example> by Friday';
    const first = fingerprintsOfString(text);
    const expected = [...first.all];
    first.all.clear();
    const again = fingerprintsOfString(text);
    expect([...again.all]).toEqual(expected);
    expect(again.all.has('email:bob@partner.example')).toBe(true);
    expect(again).toMatchObject({ atomic: first.atomic, keys: first.keys });
  });
});
