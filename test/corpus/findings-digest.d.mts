/** Types of findings-digest.mjs (plain JavaScript, run by node over dist/ and by vitest over src/). */
import type { DetectorCase } from './detector-cases.mjs';

export interface FindingsDigest {
  readonly total: string;
  readonly cases: Readonly<Record<string, string>>;
}
/** The functions of @gatehouse/core a case runs. */
export interface DetectorApi {
  scanText(text: string, options?: object): unknown;
  inspectOutput(value: unknown, options?: object): unknown;
  redactText(text: string, classes: readonly ('secret' | 'pii')[]): string;
  redactValue(value: unknown, classes: readonly ('secret' | 'pii')[]): unknown;
}
export declare const DIGEST_FILE: string;
export declare function caseResult(api: DetectorApi, c: DetectorCase): unknown;
export declare function digestsOf(api: DetectorApi, cases: readonly DetectorCase[]): FindingsDigest;
export declare function changedCases(expected: FindingsDigest, actual: FindingsDigest): string[];
