import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex24Of, randomHex24 } from './random-id.js';

describe('randomHex24', () => {
  it('is the first 24 digits of a UUID with its dashes removed', () => {
    for (let i = 0; i < 200; i++) {
      const uuid = randomUUID();
      expect(hex24Of(uuid)).toBe(uuid.replace(/-/g, '').slice(0, 24));
    }
  });

  it('gives 24 lowercase hex digits, a new value each time', () => {
    const seen = new Set(Array.from({ length: 100 }, randomHex24));
    expect(seen.size).toBe(100);
    for (const id of seen) expect(id).toMatch(/^[0-9a-f]{24}$/);
  });
});
