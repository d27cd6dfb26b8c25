import { describe, expect, it } from 'vitest';
import { formatPath, loadYamlDocuments } from './document.js';

const options = {
  maxLength: 1000,
  syntaxCode: 'GH_CONFIG_YAML',
  tooLargeCode: 'GH_POLICY_TOO_LARGE',
} as const;

describe('loadYamlDocuments', () => {
  it('locates keys and values by path', () => {
    const { documents } = loadYamlDocuments(
      { name: 'c.yaml', text: 'a:\n  b: [1, 2]\n  "c.d": x\n' },
      options,
    );
    const doc = documents[0]!;
    expect(doc.locate(['a', 'b', 1])).toMatchObject({ line: 2, column: 10, sourceLine: '  b: [1, 2]' });
    expect(doc.locate(['a', 'c.d'], 'key')).toMatchObject({ line: 3, column: 3 });
    // A path that does not exist points at the nearest existing ancestor.
    expect(doc.locate(['a', 'zzz'])).toMatchObject({ line: 2, column: 3 });
  });

  it('maps an offset inside a single-line scalar to its column, quoted or not', () => {
    const { documents } = loadYamlDocuments({ name: 'c.yaml', text: "p: abc def\nq: 'xyz'\n" }, options);
    expect(documents[0]!.locateWithin(['p'], 'abc def', 4)).toMatchObject({ line: 1, column: 8 });
    expect(documents[0]!.locateWithin(['q'], 'xyz', 1)).toMatchObject({ line: 2, column: 6 });
    expect(documents[0]!.locateWithin(['q'], 'other', 1)).toBeUndefined();
  });

  it('reports duplicate keys as syntax errors and returns no document', () => {
    const { documents, diagnostics } = loadYamlDocuments({ name: 'c.yaml', text: 'a: 1\na: 2\n' }, options);
    expect(documents).toEqual([]);
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'GH_CONFIG_YAML', line: 2 })]);
  });

  it('splits multi-document sources and skips empty documents', () => {
    const { documents } = loadYamlDocuments({ name: 'c.yaml', text: 'a: 1\n---\n---\nb: 2\n' }, options);
    expect(documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('refuses a source over the limit without parsing it', () => {
    const { diagnostics } = loadYamlDocuments({ name: 'c.yaml', text: 'a: 1\n'.repeat(300) }, options);
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'GH_POLICY_TOO_LARGE' })]);
  });
});

describe('formatPath', () => {
  it('renders keys, indices and keys that need quoting', () => {
    expect(formatPath(['rules', 2, 'when'])).toBe('rules[2].when');
    expect(formatPath(['tools', 'email.send', 'categories', 0])).toBe('tools["email.send"].categories[0]');
    expect(formatPath([])).toBe('(document)');
  });
});
