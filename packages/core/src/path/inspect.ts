import { redactValue, UNSCANNED, withheldOutput } from '../detectors/redact.js';
import { inspectOutput, withClassifierScore } from '../detectors/scan.js';
import {
  DETECTOR_LABELS,
  type DetectorFinding,
  type RedactionClass,
  type ScanResult,
} from '../detectors/types.js';
import type { Obligations } from '../policy/types.js';

/**
 * Step 7 of the path (DESIGN §2): inspect a tool's output, label it, and
 * redact or withhold it as the decision's obligations say.
 *
 * Fail closed: a detector or classifier that throws leaves the output
 * labelled `inspection_failed` (never unlabelled), and an output that had to
 * be redacted but could not be inspected is withheld.
 */

/** How the path inspects outputs. */
export interface InspectionSettings {
  /** Injection score at or above which `injection_suspected` is set (default 0.5). */
  readonly threshold?: number;
  /** Characters inspected per output; beyond, the output is labelled `oversize` (default 1 MiB). */
  readonly maxChars?: number;
  /**
   * An external injection classifier (an HTTP endpoint, an ONNX model the
   * user supplies), off by default: resolves to a score in 0..1 that can
   * raise the built-in score. A classifier that fails labels the output
   * `inspection_failed`.
   */
  readonly classifier?: (output: unknown) => Promise<number>;
}

/** What inspection decided about one output. */
export interface InspectedOutput {
  /** The catalog's labels and the detectors'. */
  readonly labels: readonly string[];
  readonly score: number;
  readonly findings: readonly DetectorFinding[];
  /** What the agent receives: the output, redacted, or a withheld notice. */
  readonly delivered: unknown;
  /** What the audit keeps: secrets always redacted, and whatever the obligations name. */
  readonly audited: unknown;
  readonly withheld: boolean;
  readonly redacted: boolean;
}

/** Inspects an output and applies the obligations. Never throws. */
export async function inspectStep(
  output: unknown,
  catalogLabels: readonly string[],
  obligations: Obligations | undefined,
  settings: InspectionSettings,
): Promise<InspectedOutput> {
  const options = {
    ...(settings.threshold !== undefined && { threshold: settings.threshold }),
    ...(settings.maxChars !== undefined && { maxChars: settings.maxChars }),
  };
  let result: ScanResult | undefined;
  let failed = false;
  try {
    result = inspectOutput(output, options);
  } catch {
    failed = true;
  }
  if (result && settings.classifier) {
    try {
      result = withClassifierScore(result, await settings.classifier(output), options);
    } catch {
      failed = true;
    }
  }
  const labels = new Set([...catalogLabels, ...(result?.labels ?? [])]);
  if (failed) labels.add(DETECTOR_LABELS.inspectionFailed);
  const redact = obligations?.redact ?? [];
  const withholdOn = (obligations?.withhold ?? []).filter((l) => labels.has(l));
  // Redaction needs the detectors; an output they could not read cannot be redacted, only withheld.
  if (failed && redact.length > 0 && withholdOn.length === 0)
    withholdOn.push(DETECTOR_LABELS.inspectionFailed);
  const withheld = withholdOn.length > 0;
  const delivered = withheld
    ? withheldOutput(output, withholdOn)
    : safeRedact(output, redact, settings.maxChars);
  const auditClasses: RedactionClass[] = [...new Set<RedactionClass>(['secret', ...redact])];
  return {
    labels: [...labels],
    score: result?.score ?? 0,
    findings: result?.findings ?? [],
    delivered,
    audited: safeRedact(output, auditClasses, settings.maxChars),
    withheld,
    redacted: !withheld && redact.length > 0,
  };
}

/** Redacts, or replaces the whole value when even that fails. */
export function safeRedact(value: unknown, classes: readonly RedactionClass[], maxChars?: number): unknown {
  if (classes.length === 0) return value;
  try {
    return redactValue(value, classes, maxChars);
  } catch {
    return UNSCANNED;
  }
}
