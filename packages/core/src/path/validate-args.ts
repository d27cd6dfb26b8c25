import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { CompiledPolicy } from '../policy/types.js';
import { formatPath } from '../yaml/document.js';

/** Bounds on tool arguments, checked before the schema: they protect the rest of the path. */
export interface ArgumentLimits {
  /** Largest serialized size, in characters. */
  readonly maxLength: number;
  /** Deepest nesting of objects and lists. */
  readonly maxDepth: number;
  /** Longest single string. */
  readonly maxStringLength: number;
  /** Most entries across all objects and lists. */
  readonly maxEntries: number;
}

/** Defaults sized for tool calls: generous for documents, far below what would hurt the server. */
export const DEFAULT_ARGUMENT_LIMITS: ArgumentLimits = {
  maxLength: 512 * 1024,
  maxDepth: 32,
  maxStringLength: 256 * 1024,
  // Each entry is walked by the schema, the fingerprints, the detectors and the audit: 9,000 held the
  // event loop for ~0.5 s on a loaded two-core machine.
  maxEntries: 2_000,
};

/** Why arguments were refused: a readable sentence naming the failing path. */
export interface ArgumentProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Checks structural limits without recursion, so a 10,000-deep document
 * cannot overflow the stack before it is refused.
 */
export function checkArgumentLimits(
  args: unknown,
  limits: ArgumentLimits = DEFAULT_ARGUMENT_LIMITS,
): ArgumentProblem | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args))
    return { path: 'args', message: 'arguments must be an object' };
  let entries = 0;
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: args, path: [] }];
  let total = 0;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength) {
        return {
          path: at(path),
          message: `string of ${value.length} characters is longer than ${limits.maxStringLength}`,
        };
      }
      // A lone surrogate has no UTF-8 form: each store, hash and tool would
      // read it differently (replaced, refused, or kept), and none can bind an approval to it.
      if (!value.isWellFormed()) return { path: at(path), message: 'strings must be well-formed Unicode' };
      total += value.length;
    } else if (value !== null && typeof value === 'object') {
      if (path.length >= limits.maxDepth)
        return { path: at(path), message: `nesting deeper than ${limits.maxDepth}` };
      const children: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value);
      entries += children.length;
      if (entries > limits.maxEntries)
        return { path: at(path), message: `more than ${limits.maxEntries} entries in all` };
      for (const [key, child] of children) {
        if (typeof key === 'string' && !key.isWellFormed())
          return { path: at(path), message: 'keys must be well-formed Unicode' };
        total += typeof key === 'string' ? key.length : 1;
        stack.push({ value: child, path: [...path, key] });
      }
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      return { path: at(path), message: 'numbers must be finite' };
    } else if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      // Beyond 2^53 two different integers parse to one double: what people approve (and what
      // the hash binds) could differ from what a tool in another language receives.
      return {
        path: at(path),
        message: 'integers beyond ±9007199254740991 lose precision; send them as strings',
      };
    } else if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      return { path: at(path), message: `a ${typeof value} is not JSON` };
    }
    if (total > limits.maxLength)
      return { path: 'args', message: `arguments are larger than ${limits.maxLength} characters` };
  }
  return undefined;
}

const at = (path: readonly (string | number)[]) => (path.length === 0 ? 'args' : `args.${formatPath(path)}`);

/**
 * Validates tool arguments against the catalog's JSON Schemas (any 2020-12
 * keyword, as MCP `inputSchema` allows). Each schema is compiled once, on
 * first use, and kept with the policy it came from.
 */
export class ArgumentValidator {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  readonly #compiled = new Map<string, ValidateFunction | 'invalid'>();

  constructor(private readonly policy: CompiledPolicy) {}

  /** The first problem with `args` for `tool`, or undefined when they are valid (or the tool has no schema). */
  validate(tool: string, args: Readonly<Record<string, unknown>>): ArgumentProblem | undefined {
    const schema = this.policy.tools.get(tool)?.schema;
    if (!schema) return undefined;
    let validator = this.#compiled.get(tool);
    if (!validator) {
      try {
        validator = this.#ajv.compile(structuredClone(schema) as object);
      } catch {
        validator = 'invalid';
      }
      this.#compiled.set(tool, validator);
    }
    // A schema that does not compile validates nothing: refuse rather than wave through.
    if (validator === 'invalid')
      return { path: 'args', message: `the schema of tool '${tool}' cannot be compiled` };
    if (validator(args)) return undefined;
    const error = validator.errors?.[0];
    const path = error?.instancePath ? `args${error.instancePath.replace(/\//g, '.')}` : 'args';
    const detail =
      error?.keyword === 'required'
        ? `missing required property '${String((error.params as { missingProperty: string }).missingProperty)}'`
        : error?.keyword === 'additionalProperties'
          ? `unexpected property '${String((error.params as { additionalProperty: string }).additionalProperty)}'`
          : (error?.message ?? 'is invalid');
    return { path, message: detail };
  }
}
