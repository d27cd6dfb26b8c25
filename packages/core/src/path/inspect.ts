import { redactValue, UNSCANNED, withheldOutput } from '../detectors/redact.js';
import { inspectOutput, withClassifierScore } from '../detectors/scan.js';
import {
  DETECTOR_LABELS,
  type DetectorFinding,
  type RedactionClass,
  type ScanResult,
} from '../detectors/types.js';
import type { Obligations } from '../policy/types.js';
import type { InspectionSummary } from './path-contract.js';
import { observeOutput, PROVENANCE_INCOMPLETE, type SessionState } from './session.js';

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

const SECRET_ONLY = ['secret'] as const;
const PII_ONLY = ['pii'] as const;
const SECRET_AND_PII = ['secret', 'pii'] as const;

/** How long an external classifier may take before the output counts as not inspected. */
const CLASSIFIER_TIMEOUT_MS = 2000;

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
  let failed = false;
  // What is inspected is what is delivered: a JSON copy, so that `toJSON`, getters, Maps and
  // Buffers cannot show the detectors one thing and the agent another.
  let value: unknown = output;
  try {
    value = jsonCopy(output);
  } catch {
    failed = true;
  }
  let result: ScanResult | undefined;
  if (!failed) {
    try {
      result = inspectOutput(value, options);
    } catch {
      failed = true;
    }
  }
  if (result && settings.classifier) {
    try {
      result = withClassifierScore(result, await withTimeout(settings.classifier(value)), options);
    } catch {
      failed = true;
    }
  }
  const labels = new Set([...catalogLabels, ...(result?.labels ?? [])]);
  if (failed) labels.add(DETECTOR_LABELS.inspectionFailed);
  const redact = obligations?.redact ?? [];
  const withholdOn = (obligations?.withhold ?? []).filter((l) => labels.has(l));
  const obliged = redact.length > 0 || (obligations?.withhold ?? []).length > 0;
  // An output the detectors could not read whole (it failed, or ran past the size cap) may hold
  // what an obligation is about: with any obligation, it is withheld, never delivered unchecked.
  if (obliged && withholdOn.length === 0) {
    if (failed) withholdOn.push(DETECTOR_LABELS.inspectionFailed);
    else if (result?.truncated) withholdOn.push(DETECTOR_LABELS.oversize);
  }
  let delivered: unknown;
  if (withholdOn.length === 0 && redact.length > 0) {
    delivered = safeRedact(value, redact, settings.maxChars);
    // Verified: what the redaction missed (a value split across strings, more values than a
    // detector reports) is found again, and then the output is withheld instead.
    if (stillHolds(delivered, redact, options)) withholdOn.push('redaction-incomplete');
  }
  const withheld = withholdOn.length > 0;
  if (withheld) delivered = withheldOutput(value, withholdOn);
  // With nothing to redact the tool's own value goes back as it was (a class instance stays one).
  else if (redact.length === 0) delivered = output;
  const auditClasses: RedactionClass[] = [...new Set<RedactionClass>(['secret', ...redact])];
  let audited = failed ? UNSCANNED : safeRedact(value, auditClasses, settings.maxChars);
  if (!failed && stillHolds(audited, auditClasses, options)) audited = UNSCANNED;
  return {
    labels: [...labels],
    score: result?.score ?? 0,
    findings: result?.findings ?? [],
    delivered,
    audited,
    withheld,
    redacted: !withheld && redact.length > 0,
  };
}

/** Whether a redacted value still holds something of the classes it was redacted for. */
function stillHolds(
  value: unknown,
  classes: readonly RedactionClass[],
  options: { threshold?: number; maxChars?: number },
): boolean {
  if (classes.length === 0 || value === UNSCANNED) return false;
  // Only the detectors of the classes are asked again: the injection model, the costliest, finds
  // nothing this check reads.
  const pii = classes.some((c) => c !== 'secret');
  const detectors = classes.includes('secret') ? (pii ? SECRET_AND_PII : SECRET_ONLY) : PII_ONLY;
  try {
    const again = inspectOutput(value, { ...options, detectors });
    return again.findings.some(
      (f) =>
        (f.detector === 'secret' && classes.includes('secret')) ||
        (f.detector === 'pii' && (classes.includes('pii') || classes.includes(f.kind as RedactionClass))),
    );
  } catch {
    return true;
  }
}

/** A JSON copy of a value (strings and numbers as they are); throws for what JSON cannot hold. */
function jsonCopy(value: unknown): unknown {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error('the output is not JSON');
  return JSON.parse(text);
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the classifier timed out')), CLASSIFIER_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
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

/**
 * Records an output's labels and fingerprints in the session. An output that
 * cannot be walked (a getter that throws) still leaves its labels, and the
 * session says its provenance is incomplete.
 */
export function observeLabelled(
  session: SessionState,
  output: unknown,
  inspected: { readonly labels: readonly string[]; readonly findings: readonly DetectorFinding[] },
): void {
  const { labels } = inspected;
  // Containment is scoped to the records the injection findings are in; a finding without a
  // place (a classifier's verdict) flags the whole output.
  const injection = inspected.findings.filter((f) => f.detector === 'injection');
  const flaggedPaths = injection.some((f) => f.path === undefined)
    ? undefined
    : injection.map((f) => f.path!);
  try {
    observeOutput(session, output, labels, flaggedPaths);
  } catch {
    for (const label of labels) session.labels.add(label);
    session.labels.add(PROVENANCE_INCOMPLETE);
  }
}

export function summaryOf(inspected: Awaited<ReturnType<typeof inspectStep>>): InspectionSummary {
  return {
    score: inspected.score,
    findings: inspected.findings,
    withheld: inspected.withheld,
    redacted: inspected.redacted,
  };
}
