// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${secret:NAME}` references are the subject under test.
import { describe, expect, it } from 'vitest';
import { SecretError } from './secret-error.js';
import { resolveSecretRefs, resolveSecretRefsIn, secretRefs } from './secret-refs.js';

const VALUES: Record<string, string> = { 'crm-token': 'crm-$&-$1-value', 'files-token': 'files-value' };
const reveal = async (name: string) => {
  const value = VALUES[name];
  if (value === undefined) throw new SecretError('GH_SECRET_NOT_FOUND', `no secret '${name}'`, name);
  return value;
};

describe('secret references', () => {
  it('lists the distinct names a string references, in order', () => {
    expect(secretRefs('Bearer ${secret:crm-token}')).toEqual(['crm-token']);
    expect(secretRefs('${secret:b.x}:${secret:a_1}:${secret:b.x}')).toEqual(['b.x', 'a_1']);
    expect(secretRefs('no references, ${env:HOME} and $secret:x are not ones')).toEqual([]);
  });

  it('refuses malformed references instead of passing them on as text', () => {
    for (const text of [
      '${secret:}',
      '${secret:Bad Name}',
      'Bearer ${secret:crm-token',
      '${secret:a}${secret:',
    ])
      expect(() => secretRefs(text)).toThrow(expect.objectContaining({ code: 'GH_SECRET_INVALID' }));
  });

  it('replaces each reference with its value, literally', async () => {
    expect(await resolveSecretRefs('Bearer ${secret:crm-token}', reveal)).toBe('Bearer crm-$&-$1-value');
    expect(await resolveSecretRefs('${secret:files-token}/${secret:files-token}', reveal)).toBe(
      'files-value/files-value',
    );
    expect(await resolveSecretRefs('plain', reveal)).toBe('plain');
    expect(await resolveSecretRefsIn({ API_TOKEN: '${secret:files-token}', MODE: 'ro' }, reveal)).toEqual({
      API_TOKEN: 'files-value',
      MODE: 'ro',
    });
  });

  it('fails closed on an unknown secret, naming it and quoting no value', async () => {
    const error = await resolveSecretRefs('${secret:crm-token} ${secret:gone}', reveal).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretError);
    expect(error).toMatchObject({ code: 'GH_SECRET_NOT_FOUND', secret: 'gone', message: "no secret 'gone'" });
    expect((error as Error).message).not.toContain('crm-');
  });
});
