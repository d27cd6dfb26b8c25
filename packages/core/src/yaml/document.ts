import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import type { Diagnostic, DiagnosticCode } from '../errors.js';

/** The name and text of a YAML source (a policy file, a config file). */
export interface YamlSource {
  readonly name: string;
  readonly text: string;
}

/** A path into a parsed document: keys and sequence indices. */
export type DocumentPath = readonly (string | number)[];

/** One parsed YAML document that can point back at its source for any path. */
export interface LoadedDocument {
  readonly source: YamlSource;
  /** The plain JavaScript value of the document. */
  readonly value: unknown;
  /** 0-based index of the document within its source (`---` separated). */
  readonly index: number;
  /**
   * The diagnostic fields for the node at `path`: its key (`at: 'key'`, for
   * "unknown key") or its value. Falls back to the nearest existing ancestor.
   */
  locate(
    path: DocumentPath,
    at?: 'key' | 'value',
  ): Pick<Diagnostic, 'file' | 'line' | 'column' | 'sourceLine'>;
  /**
   * Where a scalar's content starts in the source, when the scalar is a
   * single-line plain or quoted string whose text equals `value` exactly:
   * then an offset into `value` maps to a column. Undefined otherwise.
   */
  locateWithin(
    path: DocumentPath,
    value: string,
    offset: number,
  ): Pick<Diagnostic, 'file' | 'line' | 'column' | 'sourceLine'> | undefined;
}

/** Options for `loadYamlDocuments`. */
export interface LoadYamlOptions {
  /** Longest text accepted, in UTF-16 code units; larger sources are refused unparsed. */
  readonly maxLength: number;
  readonly syntaxCode: DiagnosticCode;
  readonly tooLargeCode: DiagnosticCode;
}

// Aliases can expand a small file into a huge value ("billion laughs"); a
// policy has no use for more than a handful.
const MAX_ALIAS_COUNT = 50;

/**
 * Parses every YAML document of a source, keeping positions so that later
 * stages can point diagnostics at the offending line and column.
 *
 * A source with a syntax error yields diagnostics and no documents: a policy
 * that does not parse is never partly loaded.
 */
export function loadYamlDocuments(
  source: YamlSource,
  options: LoadYamlOptions,
): { documents: LoadedDocument[]; diagnostics: Diagnostic[] } {
  if (source.text.length > options.maxLength) {
    return {
      documents: [],
      diagnostics: [
        {
          severity: 'error',
          code: options.tooLargeCode,
          message: `source is ${source.text.length} characters; the limit is ${options.maxLength}`,
          file: source.name,
          line: 0,
          column: 0,
        },
      ],
    };
  }
  const lineCounter = new LineCounter();
  const lines = source.text.split(/\r?\n/);
  const parsed = parseAllDocuments(source.text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  const diagnostics: Diagnostic[] = [];
  const place = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: source.name, line, column: col, sourceLine: lines[line - 1] ?? '' };
  };
  for (const doc of docs) {
    for (const err of doc.errors) {
      diagnostics.push({
        severity: 'error',
        code: options.syntaxCode,
        message: firstLine(err.message),
        ...place(err.pos[0]),
      });
    }
  }
  if (diagnostics.length > 0) return { documents: [], diagnostics };

  const documents: LoadedDocument[] = [];
  docs.forEach((doc, index) => {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      diagnostics.push({
        severity: 'error',
        code: options.syntaxCode,
        message: firstLine(err instanceof Error ? err.message : String(err)),
        ...place(doc.range[0]),
      });
      return;
    }
    // An empty document between separators carries nothing; skip it.
    if (value === null || value === undefined) return;
    documents.push({
      source,
      value,
      index,
      locate(path, at = 'value') {
        const found = findNode(doc.contents, path, at);
        return place(found?.range?.[0] ?? doc.range[0]);
      },
      locateWithin(path, value, offset) {
        const found = findNode(doc.contents, path, 'value');
        if (!isScalar(found) || !found.range) return undefined;
        const raw = source.text.slice(found.range[0], found.range[1]);
        const quoted = found.type === 'QUOTE_DOUBLE' || found.type === 'QUOTE_SINGLE';
        const body = quoted ? raw.slice(1, -1) : raw;
        if (body !== value || value.includes('\n')) return undefined;
        return place(found.range[0] + (quoted ? 1 : 0) + Math.min(offset, value.length));
      },
    });
  });
  return { documents, diagnostics };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Walks the YAML node tree along `path`; returns the deepest node reached. */
function findNode(root: unknown, path: DocumentPath, at: 'key' | 'value'): Node | undefined {
  let current: unknown = root;
  let best: Node | undefined = isNode(root) ? root : undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(current)) {
      const pair = current.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return best;
      if (last && at === 'key' && isNode(pair.key)) return pair.key;
      current = pair.value;
      // A key with no value (`effect:`) has a null value node without a range.
      if (isNode(pair.value) && pair.value.range) best = pair.value;
      else if (isNode(pair.key)) best = pair.key;
    } else if (isSeq(current) && typeof segment === 'number') {
      const item = current.items[segment];
      if (!isNode(item)) return best;
      current = item;
      best = item;
    } else {
      return best;
    }
  }
  return best;
}

/** Renders a document path as `rules[2].when`. */
export function formatPath(path: DocumentPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(document)' : out;
}

/** Splits an ajv instance path (`/rules/0/effect`) into segments, numbers for indices into arrays. */
function splitInstancePath(instancePath: string, root: unknown): (string | number)[] {
  if (instancePath === '') return [];
  const segments: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of instancePath.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return segments;
}

/**
 * Validates a loaded document against a compiled JSON Schema and turns each
 * ajv error into a diagnostic at the offending key or value.
 */
export function schemaDiagnostics(
  doc: LoadedDocument,
  validate: ValidateFunction,
  code: DiagnosticCode,
): Diagnostic[] {
  if (validate(doc.value)) return [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const d = diagnosticFromAjv(doc, err, code);
    // ajv may report one problem through several keywords; keep the first.
    const key = `${d.line}:${d.column}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
  }
  return diagnostics;
}

function diagnosticFromAjv(doc: LoadedDocument, err: ErrorObject, code: DiagnosticCode): Diagnostic {
  const path = splitInstancePath(err.instancePath, doc.value);
  const where = formatPath(path);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = schemaKeys(err.parentSchema);
      const hint = suggest(key, allowed);
      const keyPath = [...path, key];
      return {
        severity: 'error',
        code,
        message: `unknown key '${key}' in ${where}${hint ? ` (did you mean '${hint}'?)` : ''}`,
        path: formatPath(keyPath),
        ...doc.locate(keyPath, 'key'),
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return {
        severity: 'error',
        code,
        message: `${where} is missing required key '${key}'`,
        path: where,
        ...doc.locate(path, 'value'),
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return {
        severity: 'error',
        code,
        message: `${where} must be one of ${allowed}`,
        path: where,
        ...doc.locate(path, 'value'),
      };
    }
    default:
      return {
        severity: 'error',
        code,
        message: `${where} ${err.message ?? 'is invalid'}`,
        path: where,
        ...doc.locate(path, 'value'),
      };
  }
}

function schemaKeys(schema: unknown): string[] {
  if (schema !== null && typeof schema === 'object' && 'properties' in schema) {
    const props = (schema as { properties?: Record<string, unknown> }).properties;
    return props ? Object.keys(props) : [];
  }
  return [];
}

/** The closest allowed key within edit distance 2, to turn `efect` into a hint. */
function suggest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = row;
  }
  return prev[b.length]!;
}
