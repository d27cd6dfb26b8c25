import { type PathOutcome, scanText } from '@gatehouse/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * What the agent is shown for a call the gateway ran along the path: the
 * upstream's result with Gatehouse's word on it in `_meta`, or a refusal an
 * agent (and the person behind it) can read.
 */

/** The `_meta` key carrying a held call's approval, as the contract names it. */
export const APPROVAL_META_KEY = 'gatehouse/approval';
export const DECISION_META_KEY = 'gatehouse/decision';

/** The path's outcome as the agent sees it: the upstream's result, or a readable refusal. */
export function toolResultOf(outcome: PathOutcome): CallToolResult {
  switch (outcome.status) {
    case 'executed': {
      // A withheld output is a notice, and anything not an MCP result (a resource read's
      // contents after withholding, say) is wrapped as text rather than spread.
      const raw = outcome.output;
      const result: CallToolResult =
        raw !== null && typeof raw === 'object' && !Array.isArray(raw)
          ? (raw as CallToolResult)
          : {
              content: [{ type: 'text', text: typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? '') }],
            };
      if (outcome.inspection.withheld) (result as { isError?: boolean }).isError = true;
      // `gatehouse/*` in `_meta` is Gatehouse's word: an upstream may not forge it.
      const own = Object.entries(result._meta ?? {}).filter(([key]) => !key.startsWith('gatehouse/'));
      return {
        ...result,
        _meta: {
          ...Object.fromEntries(own),
          [DECISION_META_KEY]: {
            id: outcome.decisionId,
            code: outcome.approvalId !== undefined ? 'approved' : outcome.decision.code,
          },
        },
      };
    }
    case 'allowed':
      // No executor ran: cannot happen with the gateway's path, and is not a result.
      return refusal('the call was allowed but not executed', outcome.decisionId, 'internal-error');
    case 'failed': {
      // An upstream's error text is upstream output too: a hostile server can write
      // instructions or leak data into it. Anything the detectors flag stays out.
      const scan = (() => {
        try {
          return scanText(outcome.error, { kind: 'output' });
        } catch {
          return undefined;
        }
      })();
      const clean = scan !== undefined && scan.labels.length === 0;
      return refusal(
        clean
          ? `the upstream failed: ${outcome.error}`
          : `the upstream failed; its error message was withheld (${scan?.labels.join(', ') || 'not inspected'})`,
        outcome.decisionId,
        'failed',
      );
    }
    case 'denied': {
      const reasons =
        outcome.code === 'policy' ? (outcome.decision?.reasons ?? [outcome.reason]) : [outcome.reason];
      const code = outcome.code === 'policy' ? (outcome.decision?.code ?? 'policy') : outcome.code;
      return refusal(`Gatehouse denied this call: ${reasons.join('; ')}`, outcome.decisionId, code, {
        ...(outcome.retryAfterMs !== undefined && { retry_after: Math.ceil(outcome.retryAfterMs / 1000) }),
      });
    }
    case 'approval-required': {
      const approval = outcome.approval;
      const text = approval
        ? `This call needs a person's approval (${outcome.decision.reasons.join('; ')}). ` +
          `Approval ${approval.id} is pending until ${approval.expiresAt.toISOString()}. ` +
          'Nothing was run. Once it is approved, make the same call again with identical arguments; it will run once.'
        : `This call needs a person's approval (${outcome.decision.reasons.join('; ')}), and no approval service is configured.`;
      return refusal(text, outcome.decisionId, 'approval-required', {
        ...(approval && {
          [APPROVAL_META_KEY]: {
            id: approval.id,
            status: 'pending',
            expires_at: approval.expiresAt.toISOString(),
          },
        }),
      });
    }
  }
}

export function refusal(
  text: string,
  decisionId: string,
  code: string,
  meta: Record<string, unknown> = {},
): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text }],
    _meta: { [DECISION_META_KEY]: { id: decisionId, code }, ...meta },
  };
}

/** The text of a tool result's text parts, bounded: what a JSON-RPC error message can carry. */
export function textOfResult(result: { content?: unknown }): string {
  const content = Array.isArray(result.content) ? result.content : [];
  return content
    .map((c: { type?: string; text?: string }) => (c.type === 'text' ? c.text : ''))
    .join('\n')
    .slice(0, 2000);
}
