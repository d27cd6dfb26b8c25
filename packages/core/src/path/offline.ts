import { scanText } from '../detectors/scan.js';
import { DETECTOR_LABELS } from '../detectors/types.js';
import { decide } from '../policy/decide.js';
import { explain, refusedBeforeRules } from '../policy/explain.js';
import type { CompiledPolicy, Decision, DecisionRequestInput, Explanation } from '../policy/types.js';
import { newSession, provenanceInSession } from './session.js';
import {
  type ArgumentLimits,
  ArgumentValidator,
  checkArgumentLimits,
  DEFAULT_ARGUMENT_LIMITS,
} from './validate-args.js';

/** What the secret and PII detectors say of one string argument; an argument they cannot read is `unscanned`. */
export function argumentContentLabels(text: string): readonly string[] {
  if (text.length < 6) return [];
  // The same short arguments (a recipient, a subject) recur call after call: scanned once.
  const known = text.length <= MAX_REMEMBERED_LENGTH ? contentLabelsSeen.get(text) : undefined;
  if (known !== undefined) return known;
  let labels: readonly string[];
  try {
    labels = Object.freeze([...scanText(text, { kind: 'args', detectors: ['secret', 'pii'] }).labels]);
  } catch {
    // Not remembered: the next call scans again.
    return [DETECTOR_LABELS.inspectionFailed];
  }
  if (text.length <= MAX_REMEMBERED_LENGTH) {
    // Bounded: the oldest goes first, so ever-new strings cannot grow it.
    if (contentLabelsSeen.size >= MAX_REMEMBERED)
      contentLabelsSeen.delete(contentLabelsSeen.keys().next().value as string);
    contentLabelsSeen.set(text, labels);
  }
  return labels;
}

/** Longest argument whose content labels are remembered, and how many are. */
const MAX_REMEMBERED_LENGTH = 1024;
const MAX_REMEMBERED = 4096;
const contentLabelsSeen = new Map<string, readonly string[]>();

/** A request as the enforcement path would hand it to `decide`, or the denial it would give first. */
export type PathRequestPreparation =
  | { readonly ok: true; readonly request: DecisionRequestInput }
  | { readonly ok: false; readonly decision: Decision };

const validators = new WeakMap<CompiledPolicy, ArgumentValidator>();

/**
 * Runs the steps the enforcement path runs before it decides, for a request decided offline
 * (`policy explain`, `policy test`): argument limits and the tool's JSON Schema, then the labels
 * the secret and PII detectors give each argument, joined to `provenance`. Without this, an
 * offline tool says allow where the server denies (a token in `body` and a `no-secrets-out` rule).
 *
 * Provenance the request states (a test saying `to[0]` came from an untrusted document) is kept
 * and joined with what the detectors find; the request has no session history, so values from
 * earlier outputs are only what it states.
 */
export function prepareAsThePath(
  policy: CompiledPolicy,
  input: DecisionRequestInput,
  options: { readonly limits?: ArgumentLimits; readonly validate?: boolean } = {},
): PathRequestPreparation {
  const args = input.args ?? {};
  let validator = validators.get(policy);
  if (!validator) {
    validator = new ArgumentValidator(policy);
    validators.set(policy, validator);
  }
  const problem =
    options.validate === false
      ? undefined
      : (checkArgumentLimits(args, options.limits ?? DEFAULT_ARGUMENT_LIMITS) ??
        validator.validate(input.tool, args));
  if (problem) {
    return {
      ok: false,
      decision: {
        effect: 'deny',
        code: 'invalid-request',
        reasons: [`invalid arguments: ${problem.path}: ${problem.message}`],
        rules: [],
        errors: [],
        policy: policy.hash,
      },
    };
  }
  const found = provenanceInSession(newSession('offline', 'offline', 0), args, argumentContentLabels);
  const provenance: Record<string, string[]> = { ...found };
  for (const [path, labels] of Object.entries(input.provenance ?? {})) {
    provenance[path] = [...new Set([...(provenance[path] ?? []), ...labels])];
  }
  // A request decided offline is one call in a fresh window, as a path with an empty usage store
  // counts it: what the request states of its usage is kept, every other quota rule counts 0.
  const usage = freshUsage(policy, input.usage);
  return {
    ok: true,
    request: {
      ...input,
      ...(Object.keys(provenance).length > 0 && { provenance }),
      ...(usage && { usage }),
    },
  };
}

function freshUsage(
  policy: CompiledPolicy,
  given: DecisionRequestInput['usage'],
): Record<string, number> | undefined {
  const quotaRules = policy.rules.filter((r) => r.quota !== undefined);
  if (quotaRules.length === 0) return given && { ...given };
  return { ...Object.fromEntries(quotaRules.map((r) => [r.id, 0])), ...given };
}

/** `decide`, after the steps the enforcement path runs first (`prepareAsThePath`). */
export function decideAsThePath(
  policy: CompiledPolicy,
  input: DecisionRequestInput,
  options: { readonly validate?: boolean } = {},
): Decision {
  const prepared = prepareAsThePath(policy, input, options);
  return prepared.ok ? decide(policy, prepared.request) : prepared.decision;
}

/** `explain`, after the steps the enforcement path runs first (`prepareAsThePath`). */
export function explainAsThePath(policy: CompiledPolicy, input: DecisionRequestInput): Explanation {
  const prepared = prepareAsThePath(policy, input);
  return prepared.ok ? explain(policy, prepared.request) : refusedBeforeRules(policy, prepared.decision);
}
