import type { AuditEvent } from '@gatehouse/core';

/**
 * Audit events as OCSF 1.6.0 events, for SIEMs that speak it.
 *
 *   tool decisions and outcomes, approvals, policy and admin changes → API Activity (6003)
 *   tokens issued or refused                                         → Authentication (3002)
 *   agents created, rotated, suspended, retired                       → Account Change (3001)
 *
 * Every event keeps its chain position and hash in `unmapped.gatehouse`, so
 * an exported record can be traced back to the verified log.
 */

const OCSF_VERSION = '1.6.0';

interface OcsfClass {
  readonly class_uid: number;
  readonly class_name: string;
  readonly category_uid: number;
  readonly category_name: string;
  readonly activity_id: number;
  readonly activity_name: string;
}

const API_ACTIVITY = {
  class_uid: 6003,
  class_name: 'API Activity',
  category_uid: 6,
  category_name: 'Application Activity',
};
const AUTHENTICATION = {
  class_uid: 3002,
  class_name: 'Authentication',
  category_uid: 3,
  category_name: 'Identity & Access Management',
};
const ACCOUNT_CHANGE = {
  class_uid: 3001,
  class_name: 'Account Change',
  category_uid: 3,
  category_name: 'Identity & Access Management',
};

/** Account Change activities (OCSF 3001) for agent lifecycle actions. */
const ACCOUNT_ACTIVITIES: Record<string, [number, string]> = {
  'agent.created': [1, 'Create'],
  'agent.active': [2, 'Enable'],
  'agent.secret-rotated': [3, 'Password Change'],
  'agent.key-registered': [99, 'Other'],
  'agent.suspended': [5, 'Disable'],
  'agent.quarantined': [5, 'Disable'],
  'agent.retired': [6, 'Delete'],
};

function classOf(event: AuditEvent): OcsfClass {
  if (event.type === 'token') return { ...AUTHENTICATION, activity_id: 1, activity_name: 'Logon' };
  if (event.type === 'agent') {
    const [activity_id, activity_name] = ACCOUNT_ACTIVITIES[event.what.action ?? ''] ?? [99, 'Other'];
    return { ...ACCOUNT_CHANGE, activity_id, activity_name };
  }
  return { ...API_ACTIVITY, activity_id: 99, activity_name: 'Other' };
}

const FAILED = new Set(['denied', 'failed', 'error']);

export function toOcsf(event: AuditEvent): Record<string, unknown> {
  const cls = classOf(event);
  const failed = FAILED.has(event.outcome.status);
  const agent = event.who.agent;
  const operation =
    event.type === 'decision' || event.type === 'execution'
      ? `tools/call ${event.what.tool ?? ''}`.trim()
      : (event.what.action ?? event.type);
  return {
    ...cls,
    type_uid: cls.class_uid * 100 + cls.activity_id,
    type_name: `${cls.class_name}: ${cls.activity_name}`,
    time: Date.parse(event.time),
    severity_id: event.type === 'alert' ? 4 : failed ? 2 : 1,
    severity: event.type === 'alert' ? 'High' : failed ? 'Low' : 'Informational',
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    ...(event.outcome.code !== undefined && { status_code: event.outcome.code }),
    ...(event.outcome.detail !== undefined && { status_detail: event.outcome.detail }),
    ...(event.outcome.duration_ms !== undefined && { duration: event.outcome.duration_ms }),
    message: `${event.type} ${event.outcome.status}${event.what.tool ? ` ${event.what.tool}` : ''}`,
    metadata: {
      version: OCSF_VERSION,
      uid: event.id,
      original_time: event.time,
      event_code: event.type,
      product: { name: 'Gatehouse', vendor_name: 'Gatehouse' },
      ...(event.where?.node !== undefined && { log_provider: event.where.node }),
      ...(event.trace_id !== undefined && { correlation_uid: event.trace_id }),
    },
    actor: {
      ...(agent && {
        user: {
          uid: agent.id,
          ...(agent.name !== undefined && { name: agent.name }),
          type_id: 99,
          type: 'AI Agent',
        },
      }),
      ...(event.who.person !== undefined &&
        !agent && { user: { name: event.who.person, type_id: 1, type: 'User' } }),
      ...(event.session_id !== undefined && { session: { uid: event.session_id } }),
      app_name: 'Gatehouse',
    },
    api: {
      operation,
      service: { name: event.where?.door ?? 'gatehouse' },
      ...(event.decision_id !== undefined && { request: { uid: event.decision_id } }),
    },
    src_endpoint: {
      name: event.where?.door ?? 'gatehouse',
      ...(event.where?.node && { hostname: event.where.node }),
    },
    ...(event.what.tool !== undefined && {
      resources: [
        { type: 'tool', name: event.what.tool, ...(event.what.args_hash && { uid: event.what.args_hash }) },
      ],
    }),
    unmapped: {
      gatehouse: {
        seq: event.seq,
        hash: event.hash,
        prev_hash: event.prev_hash,
        outcome: event.outcome.status,
        ...(event.who.user && { on_behalf_of: event.who.user }),
        ...(event.who.person !== undefined && agent && { person: event.who.person }),
        ...(event.who.delegation && { delegation: event.who.delegation }),
        ...(event.why && { why: event.why }),
        ...(event.approval_id !== undefined && { approval_id: event.approval_id }),
        ...(event.what.args !== undefined && { args: event.what.args }),
      },
    },
  };
}
