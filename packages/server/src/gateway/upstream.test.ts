import { describe, expect, it } from 'vitest';
import { scrubSecrets } from './upstream.js';

describe('scrubSecrets', () => {
  const secrets = new Set(['crm_live_4f9a8b7c6d5e', 'short']);

  it('replaces a brokered secret in strings, keys and nested values, and leaves short values alone', () => {
    const scrubbed = scrubSecrets(
      {
        content: [{ type: 'text', text: 'token=crm_live_4f9a8b7c6d5e and again crm_live_4f9a8b7c6d5e' }],
        _meta: { crm_live_4f9a8b7c6d5e: 'as a key', short: 'short' },
      },
      secrets,
    );
    expect(JSON.stringify(scrubbed)).not.toContain('crm_live_4f9a8b7c6d5e');
    expect(scrubbed).toEqual({
      content: [{ type: 'text', text: 'token=[REDACTED:secret] and again [REDACTED:secret]' }],
      _meta: { '[REDACTED:secret]': 'as a key', short: 'short' },
    });
  });

  it('does not pass on what is nested too deeply to check', () => {
    let deep: unknown = 'crm_live_4f9a8b7c6d5e';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(JSON.stringify(scrubSecrets(deep, secrets))).not.toContain('crm_live');
  });

  it('returns the value itself when there is nothing to scrub', () => {
    const value = { a: 1 };
    expect(scrubSecrets(value, new Set())).toBe(value);
  });
});
