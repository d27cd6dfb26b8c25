/**
 * The vocabulary of the detectors: what they are asked to scan, what they
 * report, and the labels they put on data (DESIGN §7).
 */

/** What a text is, which decides the rules that run on it. */
export type ScanKind = 'output' | 'args' | 'tool-description';

/** The detector families. */
export type DetectorName = 'injection' | 'secret' | 'pii' | 'limits';

/** The kinds of PII the PII detector reports. */
export const PII_KINDS = ['email', 'phone', 'card', 'iban', 'ssn', 'national_id', 'ip', 'address'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/**
 * What a `redact` obligation may name: a whole class (`secret`, `pii`) or one
 * kind of PII. The set is closed so that a typo in a policy is an error.
 */
export const REDACTION_CLASSES = ['secret', 'pii', ...PII_KINDS] as const;
export type RedactionClass = (typeof REDACTION_CLASSES)[number];

/** Labels the detectors put on data. */
export const DETECTOR_LABELS = {
  injection: 'injection_suspected',
  secret: 'secret',
  pii: 'pii',
  oversize: 'oversize',
  inspectionFailed: 'inspection_failed',
} as const;

/**
 * One thing a detector found. Spans are UTF-16 offsets into the string that
 * was scanned (`path` names it inside a structured value).
 * INVARIANT: no finding carries a detected secret or PII value; `preview`
 * is masked for those, and only injection findings quote the matched text.
 */
export interface DetectorFinding {
  readonly detector: DetectorName;
  /** The rule or format that matched: `ignore-previous`, `aws-access-key`, `email`, … */
  readonly kind: string;
  /** The attack family (injection) or data class (`secret`, `pii`). */
  readonly family: string;
  /** A sentence a person can read. */
  readonly reason: string;
  readonly start: number;
  readonly end: number;
  /** Where in a structured value the string lies, e.g. `content[0].text`. */
  readonly path?: string;
  /** How much this finding adds to the injection score (0..1). */
  readonly weight?: number;
  /** A short, masked excerpt (never a whole secret). */
  readonly preview?: string;
  /** For an injection finding inside a hidden carrier or a decoded payload: which one. */
  readonly carrier?: string;
}

/** The result of scanning a text or a value. */
export interface ScanResult {
  /** Labels to put on the data: `injection_suspected`, `secret`, `pii`, `oversize`. */
  readonly labels: readonly string[];
  /** Injection score, 0..1. */
  readonly score: number;
  readonly findings: readonly DetectorFinding[];
  /** Characters scanned, and whether the input was cut at the size cap. */
  readonly scannedChars: number;
  readonly truncated: boolean;
}

/** Settings of a scan; every field has a default. */
export interface ScanOptions {
  /** Default `output`. */
  readonly kind?: ScanKind;
  /** Injection score at or above which `injection_suspected` is set. Default 0.5. */
  readonly threshold?: number;
  /** Characters scanned at most; beyond, the result is labelled `oversize`. Default 1 MiB. */
  readonly maxChars?: number;
  /** Detectors to run; default all. */
  readonly detectors?: readonly ('injection' | 'secret' | 'pii')[];
  /** Findings kept at most (the labels and score still count all). Default 200. */
  readonly maxFindings?: number;
}

/** Defaults of `ScanOptions`. */
export const DEFAULT_SCAN_OPTIONS = {
  kind: 'output',
  threshold: 0.5,
  maxChars: 1024 * 1024,
  maxFindings: 200,
} as const satisfies ScanOptions;
