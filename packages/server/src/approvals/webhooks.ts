import { createHmac } from 'node:crypto';
import { type ApprovalRecord, approvalProgress, redactSecretFields } from '@gatehouse/core';
import type { ApprovalNotifier } from './approval-service.js';

/** A webhook from `approvals.notify` in gatehouse.yaml. */
export interface WebhookTarget {
  readonly url: string;
  readonly format: 'json' | 'slack';
  /** Key of the HMAC-SHA256 signature; without it deliveries are unsigned. */
  readonly secret?: string;
}

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'x-gatehouse-signature';

/** A delivery that gave up after its last attempt. */
export interface FailedDelivery {
  readonly url: string;
  readonly event: 'created' | 'decided';
  readonly approvalId: string;
  readonly attempts: number;
  readonly error: string;
}

/**
 * Sends approval events to webhooks, off the decision path: `notify` only
 * queues. Each delivery is retried with exponential backoff and then given
 * up and reported to `onGiveUp`; the approval itself never depends on it.
 */
export class WebhookNotifier implements ApprovalNotifier {
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly targets: readonly WebhookTarget[],
    private readonly options: {
      /** Where people open an approval: links in messages. */
      baseUrl: string;
      onGiveUp?: (failure: FailedDelivery) => void;
      /** Waits before each retry (default 1 s, 2 s, 4 s, 8 s: five attempts). */
      backoffMs?: readonly number[];
      timeoutMs?: number;
      now?: () => number;
    },
  ) {}

  notify(event: 'created' | 'decided', record: ApprovalRecord): void {
    for (const target of this.targets) {
      const delivery = this.deliver(target, event, record).finally(() => this.#inFlight.delete(delivery));
      this.#inFlight.add(delivery);
    }
  }

  /** Resolves when every queued delivery has succeeded or given up. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  private async deliver(target: WebhookTarget, event: 'created' | 'decided', record: ApprovalRecord) {
    const body = JSON.stringify(
      target.format === 'slack'
        ? slackMessage(event, record, this.options.baseUrl)
        : jsonPayload(event, record, this.options.baseUrl),
    );
    const backoff = this.options.backoffMs ?? [1000, 2000, 4000, 8000];
    let error = '';
    for (let attempt = 0; attempt <= backoff.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, backoff[attempt - 1]));
      try {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'user-agent': 'gatehouse-webhooks',
        };
        if (target.secret !== undefined) {
          const t = Math.floor((this.options.now ?? Date.now)() / 1000);
          headers[SIGNATURE_HEADER] = `t=${t},v1=${signWebhook(target.secret, t, body)}`;
        }
        const response = await fetch(target.url, {
          method: 'POST',
          headers,
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        await response.body?.cancel();
        if (response.ok) return;
        error = `HTTP ${response.status}`;
      } catch (err) {
        error =
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      }
    }
    this.options.onGiveUp?.({
      url: redactUrl(target.url),
      event,
      approvalId: record.id,
      attempts: backoff.length + 1,
      error,
    });
  }
}

/** The signature a receiver recomputes: hex HMAC-SHA256 over `<t>.<body>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

function jsonPayload(event: 'created' | 'decided', record: ApprovalRecord, baseUrl: string) {
  return {
    event: `approval.${event}`,
    approval: {
      id: record.id,
      status: record.status,
      url: `${baseUrl}/v1/approvals/${record.id}`,
      agent: record.agent,
      ...(record.user && { user: record.user }),
      tool: record.tool,
      // Values under secret-naming keys are never shown; args_hash still binds the exact values.
      args: redactSecretFields(record.args),
      args_hash: record.argsHash,
      ...(record.reasoning !== undefined && { reasoning: record.reasoning }),
      rules: record.rules.filter((r) => r.effect === 'approve'),
      requirements: approvalProgress(record).map((p) => ({
        rule: p.rule,
        approvers: p.approvers,
        approved_by: p.approvedBy,
        denied_by: p.deniedBy,
      })),
      created_at: new Date(record.createdAt).toISOString(),
      expires_at: new Date(record.expiresAt).toISOString(),
      ...(record.outcome !== undefined && { outcome: record.outcome }),
    },
  };
}

/** A Slack incoming-webhook message: text for notifications, blocks for the channel. */
function slackMessage(event: 'created' | 'decided', record: ApprovalRecord, baseUrl: string) {
  const url = `${baseUrl}/v1/approvals/${record.id}`;
  // Everything an agent or its caller chose is escaped: no links, mentions or closed code
  // blocks smuggled into the approvers' channel.
  const name = slackEscape(record.agent.name);
  const tool = slackEscape(record.tool);
  const who = `*${name}* (owner ${slackEscape(record.agent.owner)})`;
  const text =
    event === 'created'
      ? `${name} asks to run ${tool}: approval ${record.id} needs a decision`
      : `Approval ${record.id} for ${tool} is ${record.status}`;
  const args = slackEscape(JSON.stringify(redactSecretFields(record.args), null, 2));
  const shownArgs = args.length > 2500 ? `${args.slice(0, 2500)}\n… (truncated; open the approval)` : args;
  const needs = approvalProgress(record)
    .map((p) => `${p.rule}: ${p.approvedBy.length}/${p.approvers} approvals`)
    .join(' · ');
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            event === 'created'
              ? `${who} asks to run \`${tool}\``
              : `\`${tool}\` for ${who}: *${record.status}*${record.outcome ? ` — ${slackEscape(record.outcome)}` : ''}`,
        },
      },
      { type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${shownArgs}\`\`\`` } },
      ...(record.reasoning !== undefined
        ? [
            {
              type: 'section',
              text: { type: 'mrkdwn', text: `_Reasoning:_ ${slackEscape(record.reasoning.slice(0, 1000))}` },
            },
          ]
        : []),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${needs} · expires ${new Date(record.expiresAt).toISOString()} · <${url}|${record.id}>`,
          },
        ],
      },
    ],
  };
}

/**
 * A URL fit for a log line: scheme and host only. Webhook URLs often are
 * the credential (Slack's carry it in the path), so no path, query or user.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(invalid url)';
  }
}

/** Text for Slack mrkdwn: its control characters escaped, and backticks unable to close a block. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, 'ʼ');
}
