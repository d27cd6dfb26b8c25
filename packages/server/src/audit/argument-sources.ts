import type { ReplayedCall, SessionRecording } from './timeline.js';

/** Where an argument value of a call was seen before: the earlier call whose output held it. */
export interface ArgumentSource {
  /** The argument's path (`to[0]`, `body`). */
  readonly path: string;
  readonly value: string;
  /** The earlier call (its decision id and tool) whose recorded output contains the value. */
  readonly from_decision_id: string;
  readonly from_tool: string;
}

/** Shorter values match by chance (`ok`, `1`): they are not traced. */
const MIN_TRACED_LENGTH = 4;

function stringLeaves(value: unknown, path: string, out: [string, string][]): void {
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    if (text.length >= MIN_TRACED_LENGTH) out.push([path, text]);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      stringLeaves(item, `${path}[${i}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value))
      stringLeaves(item, path === '' ? key : `${path}.${key}`, out);
  }
}

/**
 * Traces each argument value of a session's calls to the most recent earlier
 * output, as the audit log recorded it (redacted, previewed), that contains
 * it — the picture of provenance a person can check: the recipient of this
 * email appeared first in that inbox read. A redacted or truncated output
 * traces nothing, so a missing source means "not seen in what was recorded",
 * not "came from the user".
 */
export function traceArgumentSources(
  recording: SessionRecording,
): SessionRecording & { calls: (ReplayedCall & { sources: ArgumentSource[] })[] } {
  const outputs: { call: ReplayedCall; text: string }[] = [];
  const calls = recording.calls.map((call) => {
    const leaves: [string, string][] = [];
    stringLeaves(call.args, '', leaves);
    const sources: ArgumentSource[] = [];
    for (const [path, value] of leaves) {
      const needle = value.toLowerCase();
      const earlier = outputs.findLast((o) => o.text.includes(needle));
      if (earlier)
        sources.push({
          path,
          value,
          from_decision_id: earlier.call.decision_id,
          from_tool: earlier.call.tool,
        });
    }
    if (call.outcome?.output !== undefined)
      outputs.push({ call, text: JSON.stringify(call.outcome.output).toLowerCase() });
    return { ...call, sources };
  });
  return { ...recording, calls };
}
