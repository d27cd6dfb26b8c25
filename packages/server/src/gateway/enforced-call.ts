import type { IncomingHttpHeaders } from 'node:http';
import { GatehouseError } from '@gatehouse/core';
import { errorText, type Frame, RPC, type RpcId, resultText } from './frames.js';
import { type GatewayCallMeta, PROMPT_GET_TOOL, RESOURCE_READ_TOOL } from './gateway.js';

/**
 * What the relay reads from the frames the enforcement path runs
 * (`tools/call`, `resources/read`, `prompts/get`): the tool and arguments the
 * policy judges, the params sent upstream once judged, and the answer taken
 * back as the path's output. Also which other frames may be sent twice.
 */

/** MCP tool names: letters, digits, `_`, `-`, `.` (so a name can never reach a pseudo-tool). */
const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** The methods whose requests run the enforcement path. */
export const ENFORCED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);

/**
 * Frames that change nothing upstream when they arrive twice: read-only requests, idempotent
 * settings and subscriptions, and notifications that only say something happened. `initialize`
 * is among them: a lost first attempt leaves at most an unused upstream session, which expires.
 * A path-run request, a client's answer to the upstream and anything unknown are not.
 */
const REPEATABLE_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'prompts/list',
  'completion/complete',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/roots/list_changed',
]);

/** Whether a frame may be sent upstream again after a pooled connection failed under it. */
export function repeatable(frame: Frame): boolean {
  return frame.kind !== 'response' && REPEATABLE_METHODS.has(frame.method);
}

/** A path-run request as the path sees it: the tool (or pseudo-tool) and its arguments. */
export interface PathCall {
  readonly tool: string;
  readonly args: Record<string, unknown>;
  /** The name or URI the request gave, which an `Mcp-Name` header must repeat. */
  readonly named: string;
}

/**
 * The call a path-run request asks for, or the answer (a frame's text) that refuses it: a
 * malformed name or arguments, or an `Mcp-Name` header naming something else.
 */
export function pathCallOf(
  frame: Extract<Frame, { kind: 'request' }>,
  headers: IncomingHttpHeaders,
): PathCall | { readonly refusal: string } {
  const params = frame.params ?? {};
  let call: PathCall;
  if (frame.method === 'tools/call') {
    const named = params.name;
    if (typeof named !== 'string' || !MCP_TOOL_NAME.test(named))
      return {
        refusal: resultText(frame.id, {
          isError: true,
          content: [
            {
              type: 'text',
              text: `Gatehouse denied this call: '${String(named).slice(0, 130)}' is not a tool name`,
            },
          ],
          _meta: { 'gatehouse/decision': { code: 'invalid-tool-name' } },
        }),
      };
    const given = params.arguments ?? {};
    if (given === null || typeof given !== 'object' || Array.isArray(given))
      return {
        refusal: errorText(frame.id, RPC.invalidParams, "invalid params: 'arguments' must be an object"),
      };
    call = { tool: named, args: given as Record<string, unknown>, named };
  } else if (frame.method === 'resources/read') {
    const named = params.uri;
    if (typeof named !== 'string')
      return { refusal: errorText(frame.id, RPC.invalidParams, "invalid params: 'uri' must be a string") };
    call = { tool: RESOURCE_READ_TOOL, args: { uri: named }, named };
  } else {
    const named = params.name;
    const given = params.arguments ?? {};
    if (typeof named !== 'string' || given === null || typeof given !== 'object' || Array.isArray(given))
      return {
        refusal: errorText(
          frame.id,
          RPC.invalidParams,
          "invalid params: 'name' must be a string and 'arguments' an object",
        ),
      };
    call = { tool: PROMPT_GET_TOOL, args: { name: named, arguments: given }, named };
  }
  // The 2026 revision mirrors the name in a header: the upstream may route on it, so it must be
  // the name the policy judges.
  const header = headers['mcp-name'];
  if (typeof header === 'string' && header !== call.named)
    return {
      refusal: errorText(
        frame.id,
        RPC.invalidRequest,
        'invalid request: the Mcp-Name header does not match the request',
      ),
    };
  return call;
}

/** The params sent upstream for a judged call: the request's own, with what the path judged. */
export function judgedParams(
  method: string,
  params: Readonly<Record<string, unknown>>,
  judged: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return method === 'tools/call'
    ? { ...params, arguments: judged }
    : method === 'resources/read'
      ? { ...params, uri: judged.uri }
      : { ...params, name: judged.name, arguments: judged.arguments };
}

/** A response's result as the path's output; an error, or no answer, throws with its words. */
export function outputOf(frame: Frame, id: RpcId, status: number): unknown {
  if (frame.kind !== 'response' || frame.id !== id)
    throw new GatehouseError(
      'GH_UPSTREAM',
      `the upstream answered HTTP ${status} without an answer to the call`,
    );
  if (frame.error) throw new GatehouseError('GH_UPSTREAM', frame.error.message.slice(0, 1000));
  return frame.result;
}

/** What the client added under Gatehouse's prefix in `_meta`: bounded strings only. */
export function metaOf(meta: unknown): GatewayCallMeta {
  const record = meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>) : {};
  const text = (key: string) => {
    const value = record[key];
    return typeof value === 'string' && value.length <= 4096 ? value : undefined;
  };
  const reasoning = text('gatehouse/reasoning');
  const intent = text('gatehouse/intent');
  const traceId = text('gatehouse/trace_id');
  return {
    ...(reasoning !== undefined && { reasoning }),
    ...(intent !== undefined && { intent }),
    ...(traceId !== undefined && { traceId }),
  };
}
