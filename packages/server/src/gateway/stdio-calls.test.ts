import { Writable } from 'node:stream';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { FrameReader, StdioCalls } from './stdio-calls.js';

/** A child's stdin that keeps what each write to the pipe carried. */
function pipe() {
  const writes: string[] = [];
  const stdin = new Writable({
    write(chunk, _encoding, done) {
      writes.push(String(chunk));
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map((c) => String(c.chunk)).join(''));
      done();
    },
  });
  const frames = () =>
    writes
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { id?: string; method: string; params?: Record<string, unknown> });
  return { stdin, writes, frames };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('StdioCalls: the relay’s requests to a stdio upstream', () => {
  it('answers each call with its own result, and leaves other messages to the SDK client', async () => {
    const { stdin, frames } = pipe();
    const calls = new StdioCalls(stdin, 60_000);
    const a = calls.request('tools/call', { name: 'echo', arguments: { message: 'a' } });
    const b = calls.request('ping', undefined);
    await tick();
    const [fa, fb] = frames();
    expect(fa).toMatchObject({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo' } });
    expect(fb).not.toHaveProperty('params');
    // The SDK client's own requests are numbered: never taken here.
    expect(calls.take({ jsonrpc: '2.0', id: 0, result: {} })).toBe(false);
    expect(calls.take({ jsonrpc: '2.0', method: 'notifications/progress', params: {} })).toBe(false);
    expect(calls.take({ jsonrpc: '2.0', id: fb!.id, result: {} })).toBe(true);
    expect(calls.take({ jsonrpc: '2.0', id: fa!.id, result: { content: [] } })).toBe(true);
    await expect(a).resolves.toEqual({ content: [] });
    await expect(b).resolves.toEqual({});
  });

  it('sends the frames of one turn in one write to the pipe', async () => {
    const { stdin, writes, frames } = pipe();
    const calls = new StdioCalls(stdin, 60_000);
    for (let i = 0; i < 5; i++) void calls.request('ping', undefined);
    await tick();
    expect(frames()).toHaveLength(5);
    expect(writes).toHaveLength(1);
  });

  it("rejects with the upstream's error and its code", async () => {
    const { stdin, frames } = pipe();
    const calls = new StdioCalls(stdin, 60_000);
    const call = calls.request('resources/read', { uri: 'x://y' });
    await tick();
    calls.take({ jsonrpc: '2.0', id: frames()[0]!.id, error: { code: -32602, message: 'no such resource' } });
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect(err).toMatchObject({ code: -32602, message: 'MCP error -32602: no such resource' });
  });

  it('cancels a call that times out or is aborted, and tells the child', async () => {
    const { stdin, frames } = pipe();
    const calls = new StdioCalls(stdin, 30);
    const slow = calls.request('tools/call', { name: 'sleep' });
    const controller = new AbortController();
    const aborted = calls.request('tools/call', { name: 'sleep' }, controller.signal);
    controller.abort('the client went away');
    await expect(aborted).rejects.toMatchObject({ code: -32001 });
    await expect(slow).rejects.toMatchObject({
      code: -32001,
      message: 'MCP error -32001: Request timed out',
    });
    const cancelled = frames().filter((f) => f.method === 'notifications/cancelled');
    expect(cancelled.map((f) => f.params?.requestId)).toEqual([frames()[1]!.id, frames()[0]!.id]);
    // A late answer to a cancelled call is dropped.
    expect(calls.take({ jsonrpc: '2.0', id: frames()[0]!.id, result: {} })).toBe(true);
  });

  it('fails the calls in flight when the connection closes, and every later one', async () => {
    const { stdin } = pipe();
    const calls = new StdioCalls(stdin, 60_000);
    const call = calls.request('ping', undefined);
    calls.close();
    await expect(call).rejects.toMatchObject({ code: -32000 });
    await expect(calls.request('ping', undefined)).rejects.toMatchObject({ code: -32000 });
  });
});

describe('FrameReader: a stdio upstream’s output', () => {
  it('hands the relay its answers and the SDK client every other message, across chunks and CRLF', async () => {
    const { stdin, frames } = pipe();
    const calls = new StdioCalls(stdin, 60_000);
    const reader = new FrameReader();
    reader.calls = calls;
    const call = calls.request('ping', undefined);
    await tick();
    const answer = JSON.stringify({ jsonrpc: '2.0', id: frames()[0]!.id, result: { ok: true } });
    const note = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 'x' },
    });
    reader.append(Buffer.from(`${note}\r\n${answer.slice(0, 10)}`));
    expect(reader.readMessage()).toEqual(JSON.parse(note));
    expect(reader.readMessage()).toBeNull();
    reader.append(Buffer.from(`${answer.slice(10)}\n`));
    expect(reader.readMessage()).toBeNull();
    await expect(call).resolves.toEqual({ ok: true });
  });

  it('fails a call whose answer is not a JSON-RPC response, and throws on a line that is not JSON', async () => {
    const { stdin, frames } = pipe();
    const calls = new StdioCalls(stdin, 60_000);
    const reader = new FrameReader();
    reader.calls = calls;
    const call = calls.request('ping', undefined);
    const failed = call.catch((err: unknown) => err);
    await tick();
    reader.append(
      Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: frames()[0]!.id, result: [] })}\n{oops\n`),
    );
    // The answer goes to its call; the next line is not JSON: thrown, and dropped.
    expect(() => reader.readMessage()).toThrow(SyntaxError);
    expect(await failed).toMatchObject({ code: -32603 });
    expect(reader.readMessage()).toBeNull();
  });
});
