import { describe, expect, it } from 'vitest';
import { compileCondition, evaluateCondition, isConditionProblem } from './cel.js';
import { EmailAddressError, parseEmailAddress } from './email-address.js';

describe('parseEmailAddress', () => {
  it.each([
    ['x%evil.test@example.com', 'example.com', true],
    ['evil.test!x@example.com', 'example.com', true],
    ['x%40evil.test@example.com', 'example.com', true],
    ['"x@evil.test"@example.com', 'example.com', true],
    ['bob@[192.0.2.1]', '[192.0.2.1]', true],
    ['bob@example.com', 'example.com', false],
  ])('reads %s as domain %s, routed %s', (input, domain, routed) => {
    expect(parseEmailAddress(input)).toMatchObject({ domain, routed });
  });

  it('canonicalises quoted local parts, comments, display names and the domain case', () => {
    expect(parseEmailAddress('"attacker"@evil.test').address).toBe('attacker@evil.test');
    expect(parseEmailAddress('bob(the boss)@Example.COM').address).toBe('bob@example.com');
    expect(parseEmailAddress('Bob <bob@example.com>')).toMatchObject({
      address: 'bob@example.com',
      name: 'Bob',
    });
    expect(parseEmailAddress('"a b"@example.com').address).toBe('"a b"@example.com');
  });

  it.each([
    'attacker@evil.test, bob@example.com',
    'bob',
    '',
    'bob@example.com.',
    `${'a'.repeat(600)}@example.com`,
  ])('refuses %j as not one address', (input) => {
    expect(() => parseEmailAddress(input)).toThrow(EmailAddressError);
  });
});

describe('parseEmailAddress, asked again', () => {
  it('answers a repeated address and a repeated refusal as the first time', () => {
    const first = parseEmailAddress('Carol <carol@EXAMPLE.com>');
    expect(parseEmailAddress('Carol <carol@EXAMPLE.com>')).toEqual(first);
    for (let i = 0; i < 2; i++)
      expect(() => parseEmailAddress('a@b.test, c@d.test')).toThrow(EmailAddressError);
  });

  it('hands out an address no caller can change for the next one', () => {
    const first = parseEmailAddress('dave@example.com');
    expect(() => {
      (first as { domain: string }).domain = 'evil.test';
    }).toThrow(TypeError);
    expect(parseEmailAddress('dave@example.com').domain).toBe('example.com');
  });

  it('still parses correctly past the bound of addresses it remembers', () => {
    for (let i = 0; i < 5000; i++) expect(parseEmailAddress(`u${i}@Example.com`).domain).toBe('example.com');
    expect(parseEmailAddress('u0@Example.com').address).toBe('u0@example.com');
  });
});

describe('email() in CEL', () => {
  const internalOnly = compileCondition(
    'args.to.all(r, !email(r).routed && email(r).domain == "example.com")',
  );

  it('is known to the type checker', () => {
    expect(isConditionProblem(internalOnly)).toBe(false);
  });

  it('keeps routed and quoted addresses from passing a domain check', () => {
    if (isConditionProblem(internalOnly)) throw new Error('does not compile');
    const check = (to: string[]) => evaluateCondition(internalOnly, { args: { to } });
    expect(check(['bob@example.com', 'Carol <carol@EXAMPLE.com>'])).toBe(true);
    for (const to of [
      'x%evil.test@example.com',
      'evil.test!x@example.com',
      'x%40evil.test@example.com',
      '"attacker"@evil.test',
    ])
      expect(check([to])).toBe(false);
    // Not an address at all: an error, which deny and approve rules count as holding.
    expect(typeof check(['not an address'])).toBe('string');
  });
});
