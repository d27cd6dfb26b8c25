import {
  DEFAULT_JSON_LIMITS,
  GatehouseError,
  JsonInputError,
  type JsonLimits,
  parseJsonStrict,
} from '@gatehouse/core';

/** A JSON-RPC id as MCP allows it: a string or a number, never null. */
export type RpcId = string | number;

/** One JSON-RPC message, classified once; `text` is the bytes as they came, for relaying unchanged. */
export type Frame =
  | {
      readonly kind: 'request';
      readonly id: RpcId;
      readonly method: string;
      readonly params: Params;
      readonly text: string;
    }
  | { readonly kind: 'notification'; readonly method: string; readonly params: Params; readonly text: string }
  | {
      readonly kind: 'response';
      readonly id: RpcId;
      readonly result?: Record<string, unknown>;
      readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
      readonly text: string;
    };

/** A request's or notification's params: MCP always sends an object, or nothing. */
export type Params = Readonly<Record<string, unknown>> | undefined;

/** Why a body is not one frame; `code` is the JSON-RPC error code the client is answered with. */
export class FrameError extends GatehouseError {
  constructor(
    /** The JSON-RPC error code: -32700 for text that is not JSON, -32600 for a wrong shape. */
    readonly rpcCode: -32700 | -32600,
    message: string,
    /** 413 for a body over the limits, 400 otherwise. */
    status: 400 | 413,
  ) {
    super('GH_REQUEST_INVALID', message, { status });
    this.name = 'FrameError';
  }
}

/**
 * Parses one body into a frame: strict JSON (duplicate keys and oversize
 * refused, see `parseJsonStrict`), then the JSON-RPC 2.0 shape by hand: the
 * relay acts on a few methods only, so every other field stays as sent.
 * Throws `FrameError`; never anything else.
 */
export function parseFrame(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): Frame {
  let value: unknown;
  try {
    value = parseJsonStrict(text, limits);
  } catch (err) {
    if (err instanceof JsonInputError) {
      if (err.problem === 'malformed') throw new FrameError(-32700, 'parse error: the body is not JSON', 400);
      throw new FrameError(
        -32600,
        `invalid request: ${err.message}`,
        err.problem === 'too-large' ? 413 : 400,
      );
    }
    throw new FrameError(-32700, 'parse error: the body is not JSON', 400);
  }
  return classify(value, text);
}

/** The JSON-RPC shape of a parsed value; `text` is kept as the frame's bytes. */
export function classify(value: unknown, text: string): Frame {
  if (Array.isArray(value)) throw invalid('JSON-RPC batches are not accepted');
  if (value === null || typeof value !== 'object') throw invalid('the body is not a JSON-RPC object');
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') throw invalid('\'jsonrpc\' must be "2.0"');
  const { id, method, params } = message;
  const hasId = Object.hasOwn(message, 'id');
  if (hasId && !isId(id)) throw invalid("'id' must be a string or a number");
  if (method !== undefined) {
    if (typeof method !== 'string' || method.length === 0 || method.length > 256)
      throw invalid("'method' must be a non-empty string");
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params)))
      throw invalid("'params' must be an object");
    const p = params as Params;
    return hasId
      ? { kind: 'request', id: id as RpcId, method, params: p, text }
      : { kind: 'notification', method, params: p, text };
  }
  if (!hasId) throw invalid("a message needs a 'method' or an 'id'");
  const { result, error } = message;
  if (result !== undefined && error === undefined) {
    if (result === null || typeof result !== 'object' || Array.isArray(result))
      throw invalid("'result' must be an object");
    return { kind: 'response', id: id as RpcId, result: result as Record<string, unknown>, text };
  }
  if (error !== undefined && result === undefined) {
    const e = error as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object' || typeof e.code !== 'number' || typeof e.message !== 'string')
      throw invalid("'error' must have a numeric 'code' and a string 'message'");
    return {
      kind: 'response',
      id: id as RpcId,
      error: {
        code: e.code,
        message: e.message,
        ...(Object.hasOwn(e, 'data') && { data: e.data }),
      },
      text,
    };
  }
  throw invalid("a response has exactly one of 'result' and 'error'");
}

function isId(id: unknown): id is RpcId {
  return (typeof id === 'string' && id.length <= 256) || (typeof id === 'number' && Number.isFinite(id));
}

function invalid(why: string): FrameError {
  return new FrameError(-32600, `invalid request: ${why}`, 400);
}

/** A JSON-RPC error frame's text; `id` null when the request's id is unknown. */
export function errorText(id: RpcId | null, code: number, message: string, data?: unknown): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: { code, message, ...(data !== undefined && { data }) },
  });
}

/** A JSON-RPC result frame's text. */
export function resultText(id: RpcId, result: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

/** A JSON-RPC request or notification frame's text (no id: a notification). */
export function requestText(id: RpcId | undefined, method: string, params: Params): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    ...(id !== undefined && { id }),
    method,
    ...(params !== undefined && { params }),
  });
}

/** JSON-RPC and MCP error codes the relay answers with. */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Implementation-defined (-32000…-32099): the upstream could not be reached or failed. */
  upstreamUnavailable: -32002,
  /** MCP's "connection closed"/session errors use -32000; Gatehouse's refusals of a server request. */
  refused: -32003,
  unauthorized: -32001,
} as const;
