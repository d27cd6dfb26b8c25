import type { AuditEvent } from '@gatehouse/core';

/** One tool call of a session, as replayed: what was asked, decided, approved and what came of it. */
export interface ReplayedCall {
  readonly decision_id: string;
  readonly time: string;
  readonly tool: string;
  readonly args?: unknown;
  readonly args_hash?: string;
  readonly reasoning?: string;
  readonly decision: {
    status: string;
    code?: string;
    reasons?: readonly string[];
    rules?: readonly string[];
  };
  readonly approval?: { id: string; steps: { time: string; action: string; by?: string; detail?: string }[] };
  readonly outcome?: { status: string; detail?: string; duration_ms?: number; output?: unknown };
  /** The audit sequence numbers this call is made of. */
  readonly seqs: number[];
}

export interface SessionRecording {
  readonly session_id: string;
  readonly agent?: { id: string; name?: string; owner?: string };
  readonly started_at?: string;
  readonly ended_at?: string;
  readonly calls: ReplayedCall[];
  /** True when the session has more events than one recording reads: the newest are missing. */
  readonly truncated?: boolean;
}

/** Groups a session's audit events (ascending) into its calls, in order. */
export function sessionRecording(
  sessionId: string,
  events: readonly AuditEvent[],
  truncated = false,
): SessionRecording {
  const calls = new Map<string, ReplayedCall & { approval?: ReplayedCall['approval'] }>();
  let agent: SessionRecording['agent'];
  for (const event of events) {
    agent ??= event.who.agent;
    const id = event.decision_id;
    if (id === undefined) continue;
    let call = calls.get(id);
    if (event.type === 'decision') {
      const decision = {
        status: event.outcome.status,
        ...(event.outcome.code !== undefined && { code: event.outcome.code }),
        ...(event.why?.reasons && { reasons: event.why.reasons }),
        ...(event.why?.rules && { rules: event.why.rules.map((r) => r.id) }),
      };
      if (!call) {
        call = {
          decision_id: id,
          time: event.time,
          tool: event.what.tool ?? '',
          ...(event.what.args !== undefined && { args: event.what.args }),
          ...(event.what.args_hash !== undefined && { args_hash: event.what.args_hash }),
          ...(event.why?.reasoning !== undefined && { reasoning: event.why.reasoning }),
          decision,
          seqs: [],
        };
        calls.set(id, call);
      } else {
        // A later decision event of the same call: an approval spent for it.
        call = { ...call, decision };
        calls.set(id, call);
      }
      if (event.approval_id !== undefined) addApprovalStep(call, event, 'approval.used');
    } else if (event.type === 'execution' && call) {
      call = {
        ...call,
        outcome: {
          status: event.outcome.status,
          ...(event.outcome.detail !== undefined && { detail: event.outcome.detail }),
          ...(event.outcome.duration_ms !== undefined && { duration_ms: event.outcome.duration_ms }),
          ...(event.what.output !== undefined && { output: event.what.output }),
        },
      };
      calls.set(id, call);
    } else if (event.type === 'approval' && call) {
      addApprovalStep(call, event, event.what.action ?? 'approval');
    }
    call?.seqs.push(event.seq);
  }
  const list = [...calls.values()];
  return {
    session_id: sessionId,
    ...(agent && { agent }),
    ...(events.length > 0 && { started_at: events[0]!.time, ended_at: events[events.length - 1]!.time }),
    calls: list,
    ...(truncated && { truncated }),
  };
}

function addApprovalStep(
  call: ReplayedCall & { approval?: ReplayedCall['approval'] },
  event: AuditEvent,
  action: string,
) {
  const id = event.approval_id;
  if (id === undefined) return;
  const approval = call.approval ?? { id, steps: [] };
  (call as { approval?: ReplayedCall['approval'] }).approval = approval;
  approval.steps.push({
    time: event.time,
    action,
    ...(event.who.person !== undefined && { by: event.who.person }),
    ...(event.outcome.detail !== undefined && { detail: event.outcome.detail }),
  });
}

/** A session as a readable timeline, for `gatehouse sessions replay`. */
export function renderRecording(recording: SessionRecording): string {
  const lines: string[] = [];
  const who = recording.agent
    ? `${recording.agent.name ?? recording.agent.id} (${recording.agent.id})`
    : 'unknown agent';
  lines.push(`session ${recording.session_id} — ${who}, ${recording.calls.length} call(s)`);
  if (recording.started_at) lines.push(`  ${recording.started_at} → ${recording.ended_at}`);
  if (recording.truncated) lines.push('  (only the first events are shown: the session has more)');
  for (const [i, call] of recording.calls.entries()) {
    lines.push('');
    lines.push(`${i + 1}. ${call.time}  ${call.tool} ${compact(call.args)}`);
    if (call.reasoning !== undefined) lines.push(`   why       ${call.reasoning}`);
    const rules = call.decision.rules?.length ? ` by ${call.decision.rules.join(', ')}` : '';
    lines.push(
      `   decision  ${call.decision.status}${call.decision.code ? ` (${call.decision.code})` : ''}${rules}`,
    );
    for (const reason of call.decision.reasons?.slice(0, 3) ?? []) lines.push(`             ${reason}`);
    for (const step of call.approval?.steps ?? [])
      lines.push(
        `   approval  ${step.time}  ${step.action}${step.by ? ` by ${step.by}` : ''}${step.detail ? `: ${step.detail}` : ''}`,
      );
    if (call.outcome) {
      const took = call.outcome.duration_ms !== undefined ? ` in ${call.outcome.duration_ms} ms` : '';
      lines.push(
        `   outcome   ${call.outcome.status}${took}${call.outcome.detail ? `: ${call.outcome.detail}` : ''}`,
      );
      if (call.outcome.output !== undefined) lines.push(`   output    ${compact(call.outcome.output, 300)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function compact(value: unknown, max = 200): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
