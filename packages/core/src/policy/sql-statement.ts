import { createRequire } from 'node:module';
import type { Environment } from '@marcbachmann/cel-js';

type SqlParser = {
  astify(sql: string, options: { database: string }): unknown;
  tableList(sql: string, options: { database: string }): string[];
};

// One grammar per dialect (~300 kB each, not the package's all-dialects build), loaded on the
// first sql() call: a process whose policy never classifies SQL does not pay to parse them.
const requireGrammar = createRequire(import.meta.url);
const GRAMMARS: Record<SqlDialect, string> = {
  postgresql: 'node-sql-parser/build/postgresql.js',
  mysql: 'node-sql-parser/build/mysql.js',
};
const parsers = new Map<SqlDialect, SqlParser>();

function parserFor(dialect: SqlDialect): SqlParser {
  let parser = parsers.get(dialect);
  if (!parser) {
    const grammar = requireGrammar(GRAMMARS[dialect]) as { Parser: new () => SqlParser };
    parser = new grammar.Parser();
    parsers.set(dialect, parser);
  }
  return parser;
}

/** The SQL dialects `sql()` reads. */
export const SQL_DIALECTS = ['postgresql', 'mysql'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/** What a SQL text does, as a policy sees it. */
export interface SqlClassification {
  /** The dialect whose grammar accepted the text. */
  readonly dialect: SqlDialect;
  /** How many statements the text holds. */
  readonly statements: number;
  /**
   * Every statement kind in the text, nested ones included (`select`,
   * `insert`, `update`, `delete`, `drop`, `create`, `alter`, `truncate`, …);
   * `select_into` for a SELECT that creates a table.
   */
  readonly kinds: readonly string[];
  /** Tables touched, as `table` or `schema.table`, lowercased. */
  readonly tables: readonly string[];
  /** Functions called, lowercased (`pg_sleep`, `lo_unlink`, …): a SELECT can still act. */
  readonly functions: readonly string[];
  /** True when every statement only reads: `select` (not `select_into`), `show`, `desc`, `explain`. */
  readonly readOnly: boolean;
}

/** Why a SQL text cannot be classified: the policy then fails closed. */
export class SqlClassificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlClassificationError';
  }
}

const READ_KINDS = new Set(['select', 'show', 'desc', 'explain']);
/** Longest SQL text classified: parsing is linear-ish but not free. */
export const MAX_SQL_LENGTH = 64 * 1024;

/**
 * Parses `text` with a real SQL grammar (node-sql-parser) and classifies it.
 * Without a dialect, PostgreSQL is tried, then MySQL. Text that no grammar
 * accepts throws `SqlClassificationError`: what cannot be parsed cannot be
 * shown harmless.
 */
export function classifySql(text: string, dialect?: SqlDialect): SqlClassification {
  if (text.length > MAX_SQL_LENGTH)
    throw new SqlClassificationError(`SQL longer than ${MAX_SQL_LENGTH} characters is not classified`);
  const dialects = dialect ? [dialect] : SQL_DIALECTS;
  let lastError = 'no dialect';
  for (const d of dialects) {
    const parser = parserFor(d);
    let ast: unknown;
    let tableList: string[];
    try {
      ast = parser.astify(text, { database: d });
      tableList = parser.tableList(text, { database: d });
    } catch (err) {
      lastError = (err as Error).message.split('\n')[0] ?? 'syntax error';
      continue;
    }
    const statements = (Array.isArray(ast) ? ast : [ast]).filter((s) => s !== null && typeof s === 'object');
    if (statements.length === 0) throw new SqlClassificationError('the SQL holds no statement');
    const kinds = new Set<string>();
    const functions = new Set<string>();
    collect(statements, kinds, functions);
    const tables = new Set(
      tableList.map((entry) => {
        const [, schema, table] = entry.split('::');
        return (schema && schema !== 'null' ? `${schema}.${table}` : `${table}`).toLowerCase();
      }),
    );
    return {
      dialect: d,
      statements: statements.length,
      kinds: [...kinds],
      tables: [...tables],
      functions: [...functions],
      readOnly: [...kinds].every((k) => READ_KINDS.has(k)),
    };
  }
  throw new SqlClassificationError(`the SQL cannot be parsed as ${dialects.join(' or ')}: ${lastError}`);
}

// Statement types node-sql-parser produces; any other `type` is an expression.
const STATEMENT_TYPES = new Set([
  'select',
  'insert',
  'replace',
  'update',
  'delete',
  'drop',
  'create',
  'alter',
  'truncate',
  'rename',
  'grant',
  'revoke',
  'call',
  'exec',
  'execute',
  'set',
  'use',
  'lock',
  'unlock',
  'show',
  'desc',
  'explain',
  'transaction',
  'load_data',
  'declare',
  'deallocate',
  'prepare',
  'copy',
  'comment',
  'analyze',
  'attach',
  'vacuum',
  'merge',
  'do',
]);

/** Walks the AST without recursion, collecting statement kinds and function names. */
function collect(roots: readonly unknown[], kinds: Set<string>, functions: Set<string>): void {
  // A top-level statement of a kind not listed below still counts, under its own name.
  for (const root of roots) {
    const type = (root as { type?: unknown }).type;
    if (typeof type === 'string' && !STATEMENT_TYPES.has(type.toLowerCase())) kinds.add(type.toLowerCase());
  }
  const stack: unknown[] = [...roots];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    const record = node as Record<string, unknown>;
    const type = typeof record.type === 'string' ? record.type.toLowerCase() : undefined;
    if (type !== undefined && STATEMENT_TYPES.has(type)) {
      const into = record.into as { expr?: unknown } | undefined;
      kinds.add(type === 'select' && into?.expr ? 'select_into' : type);
    }
    if (type === 'function' || type === 'aggr_func') {
      const name = functionName(record.name);
      if (name) functions.add(name.toLowerCase());
    }
    for (const value of Object.values(record))
      if (value !== null && typeof value === 'object') stack.push(value);
  }
}

function functionName(name: unknown): string | undefined {
  if (typeof name === 'string') return name;
  const parts = (name as { name?: { value?: unknown }[] } | undefined)?.name;
  if (Array.isArray(parts)) return parts.map((p) => String(p.value)).join('.');
  return undefined;
}

/**
 * Registers `sql(string): map` and `sql(string, string): map` (with a
 * dialect, `postgresql` or `mysql`) with a CEL environment: the fields of
 * `SqlClassification`. Text no grammar accepts is an evaluation error, which
 * makes deny and approve rules hold (fail closed).
 *
 * @example
 * when: '!sql(args.sql).readOnly'
 */
export function registerSqlFunctions(env: Environment): void {
  const toCel = (c: SqlClassification) => ({ ...c, statements: BigInt(c.statements) });
  env.registerFunction('sql(string): map', (text: string) => toCel(classifySql(text)), {
    description: 'Classifies SQL: dialect, statements, kinds, tables, functions, readOnly',
  });
  env.registerFunction('sql(string, string): map', (text: string, dialect: string) => {
    if (!(SQL_DIALECTS as readonly string[]).includes(dialect))
      throw new SqlClassificationError(`unknown SQL dialect '${dialect}' (use ${SQL_DIALECTS.join(' or ')})`);
    return toCel(classifySql(text, dialect as SqlDialect));
  });
}
