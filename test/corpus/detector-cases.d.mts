/** Types of detector-cases.mjs (plain JavaScript, shared with the benchmark). */
export interface DetectorCase {
  readonly id: string;
  readonly text?: string;
  readonly value?: unknown;
  readonly kind?: 'output' | 'args' | 'tool-description';
  readonly redact?: boolean;
}
export declare const CORPORA: readonly string[];
export declare function corpusRecords(name: string): { id?: string; text: string; injected?: boolean }[];
export declare function adversarialInputs(size?: number): Record<string, string>;
export declare const DLP_TEXTS: readonly string[];
export declare const INJECTION_TEXTS: readonly string[];
export declare function structuredOutputs(): unknown[];
export declare function detectorCases(options?: { adversarialSize?: number }): DetectorCase[];
