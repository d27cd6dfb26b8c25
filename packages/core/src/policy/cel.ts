import { type ASTNode, Environment, type ParseResult } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { registerEmailFunctions } from './email-address.js';
import { registerSqlFunctions } from './sql-statement.js';

/**
 * The CEL side of the policy language: which variables a condition may use,
 * compiling a condition once, and evaluating it against one request.
 *
 * Values follow CEL's JSON mapping: JSON numbers are `double`, so
 * `args.amount > 1000` compares a double with an int, which CEL allows.
 */

/**
 * Variables whose shape Gatehouse controls, with their fields. A condition
 * that names a field outside these lists is a compile error, so a typo such
 * as `agent.nmae` cannot silently make a rule never apply.
 */
export const FIXED_SHAPE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  agent: ['id', 'name', 'owner', 'status', 'classification', 'labels', 'grants'],
  tool: ['name', 'server', 'categories', 'labels', 'risk', 'description'],
  session: ['id', 'labels', 'calls', 'intent'],
  delegation: ['depth', 'chain'],
  risk: ['score', 'anomaly'],
};

/** Variables whose keys come from the request or the catalog: any key may be asked for. */
export const OPEN_VARIABLES = ['user', 'args', 'resource', 'provenance', 'origin', 'context'] as const;

/** Every variable a condition may reference. */
export const CEL_VARIABLES: readonly string[] = [
  ...Object.keys(FIXED_SHAPE_FIELDS),
  ...OPEN_VARIABLES,
  'now',
];

// Parse-time bounds: a condition is a line or two, not a program.
const LIMITS = {
  maxAstNodes: 2000,
  maxDepth: 64,
  maxListElements: 1000,
  maxMapEntries: 1000,
  maxCallArguments: 32,
};

function createEnvironment(): Environment {
  const env = new Environment({ homogeneousAggregateLiterals: false, limits: LIMITS });
  for (const name of [...Object.keys(FIXED_SHAPE_FIELDS), ...OPEN_VARIABLES])
    env.registerVariable(name, 'map');
  env.registerVariable('now', 'google.protobuf.Timestamp');
  registerEmailFunctions(env);
  registerSqlFunctions(env);
  return env;
}

// INVARIANT: the environment is never mutated after this line, so sharing one
// across all policies is safe.
const environment = createEnvironment();

/** A condition compiled once, evaluated per request. */
export interface CompiledCondition {
  readonly source: string;
  /** Variables the condition reads: the PDP builds only what is read. */
  readonly variables: ReadonlySet<string>;
  /** True when the condition is the literal `false`: the rule can never apply. */
  readonly constantFalse: boolean;
  readonly program: ParseResult;
}

/** A CEL problem found at compile time, with its offset in the condition. */
export interface ConditionProblem {
  readonly kind: 'syntax' | 'type';
  readonly message: string;
  /** 0-based offset into the condition text. */
  readonly offset: number;
}

/**
 * Parses and type-checks a condition.
 * Returns the compiled condition, or the problem that prevents it.
 */
export function compileCondition(source: string): CompiledCondition | ConditionProblem {
  let program: ParseResult;
  try {
    program = environment.parse(source);
  } catch (err) {
    return { kind: 'syntax', ...describeCelError(err) };
  }
  const checked = program.check();
  if (!checked.valid) {
    return { kind: 'type', ...describeCelError(checked.error) };
  }
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return { kind: 'type', message: `a condition must be a bool; this one is ${checked.type}`, offset: 0 };
  }
  const variables = new Set<string>();
  const problem = walkReferences(program.ast, variables, new Set()) ?? regexProblem(program.ast);
  if (problem) return problem;
  const ast = program.ast;
  const constantFalse = ast.op === 'value' && ast.args === false;
  return { source, variables, constantFalse, program };
}

/**
 * The CEL library evaluates `matches` with a backtracking engine, not RE2's linear one, so a
 * pattern decides how long a decision can take. Patterns must therefore be written in the
 * policy (never taken from a request), be valid RE2 as CEL specifies, and not nest a
 * quantifier inside a quantified group (`(a+)+`), the shape that backtracks exponentially.
 */
function regexProblem(node: unknown): ConditionProblem | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = regexProblem(child);
      if (found) return found;
    }
    return undefined;
  }
  const { op, args, start } = node as { op?: string; args?: unknown; start?: number };
  if ((op === 'rcall' || op === 'call') && Array.isArray(args) && args[0] === 'matches') {
    const argList = (op === 'rcall' ? args[2] : args[1]) as { op?: string; args?: unknown; start?: number }[];
    const pattern = argList?.[op === 'rcall' ? 0 : 1];
    if (pattern?.op !== 'value' || typeof pattern.args !== 'string')
      return {
        kind: 'type',
        message:
          'the pattern of matches() must be a string literal in the policy, not taken from the request',
        offset: pattern?.start ?? start ?? 0,
      };
    try {
      RE2JS.compile(pattern.args);
    } catch {
      return {
        kind: 'type',
        message: `'${pattern.args}' is not an RE2 regular expression`,
        offset: pattern.start ?? 0,
      };
    }
    if (NESTED_QUANTIFIER.test(pattern.args))
      return {
        kind: 'type',
        message: `'${pattern.args}' nests a quantifier inside a quantified group, which can take exponential time`,
        offset: pattern.start ?? 0,
      };
  }
  return regexProblem(args);
}

/** A group holding a quantifier, itself quantified: `(a+)+`, `(\w*x)*`, `(a|b+){2,}`. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,?\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,?\d*\})/;

/** True when `compileCondition` returned a problem rather than a condition. */
export function isConditionProblem(value: CompiledCondition | ConditionProblem): value is ConditionProblem {
  return 'kind' in value;
}

/**
 * Collects the top-level variables a condition reads and rejects unknown
 * fields of fixed-shape variables. `bound` holds comprehension variables
 * (`r` in `args.to.all(r, …)`), which shadow nothing of ours.
 */
function walkReferences(
  node: ASTNode,
  variables: Set<string>,
  bound: ReadonlySet<string>,
): ConditionProblem | undefined {
  switch (node.op) {
    case 'id':
      if (!bound.has(node.args)) variables.add(node.args);
      return undefined;
    case 'value':
      return undefined;
    case '.':
    case '.?': {
      const [target, field] = node.args;
      if (target.op === 'id' && !bound.has(target.args)) {
        const fields = FIXED_SHAPE_FIELDS[target.args];
        if (fields && !fields.includes(field)) {
          return {
            kind: 'type',
            message: `${target.args} has no field '${field}' (it has: ${fields.join(', ')})`,
            offset: node.start,
          };
        }
      }
      return walkReferences(target, variables, bound);
    }
    case 'rcall': {
      const [, target, callArgs] = node.args;
      const problem = walkReferences(target, variables, bound);
      if (problem) return problem;
      // Macros (`all`, `exists`, `map`, `filter`, …) bind their first argument.
      const first = callArgs[0];
      const inner = callArgs.length >= 2 && first?.op === 'id' ? new Set([...bound, first.args]) : bound;
      for (const [i, arg] of callArgs.entries()) {
        if (inner !== bound && i === 0) continue;
        const p = walkReferences(arg, variables, inner);
        if (p) return p;
      }
      return undefined;
    }
    case 'call': {
      for (const arg of node.args[1]) {
        const p = walkReferences(arg, variables, bound);
        if (p) return p;
      }
      return undefined;
    }
    case 'map': {
      for (const [k, v] of node.args) {
        const p = walkReferences(k, variables, bound) ?? walkReferences(v, variables, bound);
        if (p) return p;
      }
      return undefined;
    }
    case 'list':
      for (const item of node.args) {
        const p = walkReferences(item, variables, bound);
        if (p) return p;
      }
      return undefined;
    case '!_':
    case '-_':
      return walkReferences(node.args, variables, bound);
    default: {
      // Binary operators, `?:`, `&&`, `||`, `[]`, `[?]`: every argument is a node.
      for (const arg of node.args as readonly ASTNode[]) {
        const p = walkReferences(arg, variables, bound);
        if (p) return p;
      }
      return undefined;
    }
  }
}

function describeCelError(err: unknown): { message: string; offset: number } {
  if (err instanceof Error) {
    const located = err as Error & { summary?: string; node?: { start?: number; pos?: number } };
    const message = located.summary ?? err.message.split('\n')[0] ?? err.message;
    const offset = located.node?.start ?? located.node?.pos ?? 0;
    return { message, offset };
  }
  return { message: String(err), offset: 0 };
}

/**
 * The outcome of evaluating a condition: `true`/`false`, or a string with the
 * error's message (no exception: evaluation errors are an expected outcome
 * that the caller turns into a fail-closed decision).
 */
export type ConditionOutcome = boolean | string;

/** Evaluates a compiled condition against an activation. Never throws. */
export function evaluateCondition(
  condition: CompiledCondition,
  activation: Record<string, unknown>,
): ConditionOutcome {
  try {
    const value: unknown = condition.program(activation);
    if (value === true || value === false) return value;
    return `condition evaluated to ${describeValue(value)}, not a bool`;
  } catch (err) {
    return describeCelError(err).message;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Promise) return 'a promise';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${String(value).slice(0, 40)}`;
}
