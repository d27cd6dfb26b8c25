import { hostname } from 'node:os';
import {
  type AuditDraft,
  type AuditOutcome,
  type AuditWhere,
  auditHash,
  outputPreview,
  type PathAuditEvent,
  redactSecretFields,
  safeRedact,
} from '@gatehouse/core';

/** This process, as `where.node` names it. */
export const AUDIT_NODE = `${hostname()}:${process.pid}`;

/** The audit event of one step of the enforcement path. */
export function pathEventDraft(event: PathAuditEvent, place: Omit<AuditWhere, 'node'>): AuditDraft {
  const traceId = event.traceId;
  const decision = event.decision;
  return {
    type: event.type,
    time: new Date().toISOString(),
    who: {
      agent: event.agent,
      ...(event.user && { user: event.user }),
      ...(event.delegation?.chain?.length ? { delegation: event.delegation.chain } : {}),
    },
    what: {
      tool: event.tool,
      ...(event.type === 'decision' && {
        args: redactSecretFields(event.argsRedacted ?? event.args),
        args_hash: auditHash(event.args),
      }),
      ...(event.resource && { resource: redactSecretFields(event.resource) as Record<string, unknown> }),
      ...(event.output !== undefined && { output: outputPreview(event.output) }),
    },
    where: { node: AUDIT_NODE, ...place },
    why: {
      ...(event.reasoning !== undefined && { reasoning: event.reasoning }),
      ...(event.intent !== undefined && { intent: event.intent }),
      ...(event.endorsed !== undefined && {
        endorsed: redactSecretFields(safeRedact(event.endorsed, ['secret'])),
      }),
      ...(decision && {
        rules: decision.rules.map((r) => ({ id: r.id, effect: r.effect, message: r.message })),
        reasons: decision.reasons,
      }),
    },
    outcome: {
      status: pathOutcome(event),
      ...((event.code ?? decision?.code) !== undefined && { code: event.code ?? decision?.code }),
      ...(event.reason !== undefined && { detail: event.reason }),
      ...(event.durationMs !== undefined && { duration_ms: event.durationMs }),
    },
    ...(event.sessionId !== undefined && { session_id: event.sessionId }),
    ...(traceId !== undefined && { trace_id: traceId }),
    decision_id: event.decisionId,
    ...(event.approvalId !== undefined && { approval_id: event.approvalId }),
  };
}

function pathOutcome(event: PathAuditEvent): AuditOutcome {
  if (event.type === 'execution') return event.status === 'executed' ? 'succeeded' : 'failed';
  if (event.approvalId !== undefined && event.status === 'allowed') return 'approved';
  switch (event.status) {
    case 'allowed':
      return 'allowed';
    case 'approval-required':
      return 'escalated';
    default:
      return 'denied';
  }
}

/** An event about something other than a tool call: an agent changed, a policy loaded, a token issued. */
export function actionDraft(draft: {
  type: AuditDraft['type'];
  action: string;
  outcome: AuditOutcome;
  who: AuditDraft['who'];
  door: string;
  detail?: string;
  code?: string;
  approvalId?: string;
  sessionId?: string;
  decisionId?: string;
  reasons?: readonly string[];
  extra?: Record<string, unknown>;
}): AuditDraft {
  return {
    type: draft.type,
    time: new Date().toISOString(),
    who: draft.who,
    what: { action: draft.action, ...(draft.extra && { args: redactSecretFields(draft.extra) }) },
    where: { node: AUDIT_NODE, door: draft.door },
    ...(draft.reasons && { why: { reasons: draft.reasons } }),
    outcome: {
      status: draft.outcome,
      ...(draft.code !== undefined && { code: draft.code }),
      ...(draft.detail !== undefined && { detail: draft.detail }),
    },
    ...(draft.sessionId !== undefined && { session_id: draft.sessionId }),
    ...(draft.decisionId !== undefined && { decision_id: draft.decisionId }),
    ...(draft.approvalId !== undefined && { approval_id: draft.approvalId }),
  };
}
