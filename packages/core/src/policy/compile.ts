import type { Diagnostic } from '../errors.js';
import type { CompiledPolicy, PolicySource } from './types.js';

/** Longest policy source accepted, in characters (about 2 MiB of ASCII). */
export const MAX_POLICY_SOURCE_LENGTH = 2 * 1024 * 1024;

/**
 * Parses, validates, type-checks and indexes policy sources.
 * Throws `PolicyCompileError` listing every error; warnings land on the result.
 */
export function compilePolicy(_source: string | PolicySource | readonly PolicySource[]): CompiledPolicy {
  throw new Error('not implemented yet');
}

/** Like `compilePolicy` but never throws: every diagnostic, and the policy when there was no error. */
export function checkPolicy(_source: string | PolicySource | readonly PolicySource[]): {
  policy?: CompiledPolicy;
  diagnostics: readonly Diagnostic[];
} {
  throw new Error('not implemented yet');
}
