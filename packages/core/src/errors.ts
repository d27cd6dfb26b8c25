/**
 * Every error that crosses a module boundary is a `GatehouseError` with a
 * stable `code`, so callers can `switch (err.code)` instead of matching text.
 */

/** Stable error codes. Adding one is fine; renaming one breaks users. */
export type GatehouseErrorCode =
  | 'GH_POLICY_INVALID'
  | 'GH_POLICY_TOO_LARGE'
  | 'GH_CONFIG_INVALID'
  | 'GH_CONFIG_NOT_FOUND'
  | 'GH_STORE_UNAVAILABLE'
  | 'GH_STORE_MIGRATION'
  | 'GH_MASTER_KEY'
  | 'GH_TOKEN_INVALID'
  | 'GH_TOKEN_EXPIRED'
  | 'GH_TOKEN_REVOKED'
  | 'GH_AGENT_INACTIVE'
  | 'GH_NOT_FOUND'
  | 'GH_CONFLICT'
  | 'GH_USAGE'
  | 'GH_UPSTREAM'
  | 'GH_SECRET_NOT_FOUND'
  | 'GH_SECRET_UNREADABLE'
  | 'GH_SECRET_INVALID'
  | 'GH_REQUEST_INVALID';

/** Base class of every error Gatehouse throws on purpose. */
export class GatehouseError extends Error {
  /** Stable machine-readable code. */
  readonly code: GatehouseErrorCode;
  /** HTTP status to answer with, when the error reaches an HTTP door. */
  readonly status: number;

  constructor(code: GatehouseErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options?.status ?? 500;
  }
}

/** Severity of a policy or config diagnostic. Errors stop a load; warnings do not. */
export type DiagnosticSeverity = 'error' | 'warning';

/** Stable diagnostic codes: what `policy check` reports. */
export type DiagnosticCode =
  | 'GH_POLICY_YAML'
  | 'GH_POLICY_SCHEMA'
  | 'GH_POLICY_TOO_LARGE'
  | 'GH_POLICY_VERSION'
  | 'GH_POLICY_DUPLICATE'
  | 'GH_POLICY_REFERENCE'
  | 'GH_POLICY_CEL_SYNTAX'
  | 'GH_POLICY_CEL_TYPE'
  | 'GH_POLICY_GLOB_UNMATCHED'
  | 'GH_POLICY_UNSATISFIABLE'
  | 'GH_POLICY_EMPTY'
  | 'GH_POLICY_NEVER_APPLIES'
  | 'GH_POLICY_SHADOWED'
  | 'GH_POLICY_GRANT_UNMATCHED'
  | 'GH_POLICY_ARGS_UNTYPED'
  | 'GH_POLICY_ARGS_OPEN'
  | 'GH_CONFIG_SCHEMA'
  | 'GH_CONFIG_YAML'
  | 'GH_CONFIG_ENV';

/** One finding about a source document, pointing at the place it concerns. */
export interface Diagnostic {
  readonly severity: DiagnosticSeverity;
  readonly code: DiagnosticCode;
  readonly message: string;
  /** The source's name (usually a file path). */
  readonly file: string;
  /** 1-based line, 0 when the finding concerns the whole source. */
  readonly line: number;
  /** 1-based column, 0 when unknown. */
  readonly column: number;
  /** The document path of the offending node, e.g. `rules[2].effect`. */
  readonly path?: string;
  /** The source line the finding points at, for a caret display. */
  readonly sourceLine?: string;
}

/** A policy failed to compile; `diagnostics` lists every error and warning found. */
export class PolicyCompileError extends GatehouseError {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    const summary = first ? formatDiagnostic(first) : 'policy is invalid';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    super('GH_POLICY_INVALID', `${summary}${more}`, { status: 400 });
    this.diagnostics = diagnostics;
  }
}

/** A config file (`gatehouse.yaml`) is missing or invalid. */
export class ConfigError extends GatehouseError {
  readonly diagnostics: readonly Diagnostic[];

  constructor(
    code: 'GH_CONFIG_INVALID' | 'GH_CONFIG_NOT_FOUND',
    message: string,
    diagnostics: readonly Diagnostic[] = [],
  ) {
    super(code, message, { status: 500 });
    this.diagnostics = diagnostics;
  }
}

/**
 * Renders a diagnostic as `file:line:column: severity: message`, the form
 * editors and CI annotations understand.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const place = d.line > 0 ? `${d.file}:${d.line}:${d.column > 0 ? d.column : 1}` : d.file;
  return `${place}: ${d.severity}: ${d.message}`;
}

/**
 * Renders a diagnostic with the offending source line and a caret under the
 * column, as Cedar's and rustc's diagnostics do.
 */
export function formatDiagnosticWithSource(d: Diagnostic): string {
  const head = formatDiagnostic(d);
  if (d.sourceLine === undefined || d.line === 0) return head;
  const gutter = String(d.line);
  const caret = `${' '.repeat(Math.max(0, d.column - 1))}^`;
  return `${head}\n ${gutter} | ${d.sourceLine}\n ${' '.repeat(gutter.length)} | ${caret}`;
}
