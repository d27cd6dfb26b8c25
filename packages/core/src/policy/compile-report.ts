import type { Diagnostic, DiagnosticCode } from '../errors.js';
import type { LoadedDocument } from '../yaml/document.js';
import type { SourceLocation } from './types.js';

/** A value from some document, with the document and path it came from. */
export interface Located<T> {
  readonly value: T;
  readonly doc: LoadedDocument;
  readonly path: readonly (string | number)[];
}

/** Where a compiler collects what it found wrong, each finding placed in its document. */
export class CompileReport {
  readonly diagnostics: Diagnostic[] = [];

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  error(
    code: DiagnosticCode,
    message: string,
    doc: LoadedDocument,
    path: readonly (string | number)[],
    at: 'key' | 'value' = 'value',
  ): void {
    this.diagnostics.push({
      severity: 'error',
      code,
      message,
      path: path.join('.'),
      ...doc.locate(path, at),
    });
  }

  warn(code: DiagnosticCode, message: string, doc: LoadedDocument, path: readonly (string | number)[]): void {
    this.diagnostics.push({ severity: 'warning', code, message, path: path.join('.'), ...doc.locate(path) });
  }

  /**
   * Stage 1: YAML and schema. An item (a tool, a rule, …) with a schema error
   * goes no further, but the rest of its document does, so that one run
   * reports every error; a document whose top level is broken is dropped.
   */
}

export function locationOf(
  doc: LoadedDocument,
  path: readonly (string | number)[],
  at: 'key' | 'value',
): SourceLocation {
  const { file, line, column } = doc.locate(path, at);
  return { file, line, column };
}
