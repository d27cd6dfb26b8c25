import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError, parseFrame } from './frames.js';

describe('parseFrame', () => {
  it('classifies requests, notifications and responses, and keeps the bytes as sent', () => {
    const text = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo"}}';
    expect(parseFrame(text)).toEqual({
      kind: 'request',
      id: 7,
      method: 'tools/call',
      params: { name: 'echo' },
      text,
    });
    expect(parseFrame('{"jsonrpc":"2.0","method":"notifications/initialized"}')).toMatchObject({
      kind: 'notification',
      method: 'notifications/initialized',
    });
    expect(parseFrame('{"jsonrpc":"2.0","id":"a","result":{}}')).toMatchObject({ kind: 'response', id: 'a' });
    expect(parseFrame('{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"no"}}')).toMatchObject({
      kind: 'response',
      error: { code: -1, message: 'no' },
    });
  });

  it.each([
    ['not JSON', '{"jsonrpc":', -32700, 400],
    ['a batch', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', -32600, 400],
    ['a wrong version', '{"jsonrpc":"1.0","id":1,"method":"ping"}', -32600, 400],
    ['a null id', '{"jsonrpc":"2.0","id":null,"method":"ping"}', -32600, 400],
    ['params that are an array', '{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}', -32600, 400],
    [
      'a response with both result and error',
      '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":""}}',
      -32600,
      400,
    ],
    ['a duplicate key', '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}', -32600, 400],
    [
      'a body over the limit',
      `{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":"${'x'.repeat(600_000)}"}}`,
      -32600,
      413,
    ],
  ])('refuses %s with a JSON-RPC code and an HTTP status', (_what, text, code, status) => {
    try {
      parseFrame(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FrameError);
      expect((err as FrameError).rpcCode).toBe(code);
      expect((err as FrameError).status).toBe(status);
      expect((err as FrameError).code).toBe('GH_REQUEST_INVALID');
    }
  });

  it('throws nothing but a FrameError on any input (fuzzed)', () => {
    const frameLike = fc.record(
      {
        jsonrpc: fc.constantFrom('2.0', '1.0', 2),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null), fc.double()),
        method: fc.oneof(fc.constantFrom('tools/call', 'initialize', ''), fc.integer()),
        params: fc.jsonValue({ maxDepth: 3 }),
        result: fc.jsonValue({ maxDepth: 2 }),
        error: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          frameLike.map((v) => JSON.stringify(v)),
        ),
        (text) => {
          try {
            const frame = parseFrame(text);
            // What is accepted is one of the three shapes, with the text kept.
            expect(['request', 'notification', 'response']).toContain(frame.kind);
            expect(frame.text).toBe(text);
          } catch (err) {
            expect(err).toBeInstanceOf(FrameError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
