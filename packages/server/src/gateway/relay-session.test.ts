import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplyStream } from './relay-session.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.close();
    await once(server, 'close');
  }
});

/** The raw bytes a client receives for one request that `answer` answers through a ReplyStream. */
async function rawAnswer(answer: (reply: ReplyStream) => void): Promise<string> {
  const server = createServer((_req, res: ServerResponse) =>
    answer(new ReplyStream(res, { 'mcp-session-id': 's1' })),
  );
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  await once(socket, 'end');
  return text;
}

const FRAME = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"é"}]}}';

describe('an answer to a POST', () => {
  it('goes whole with its length when it is one JSON frame', async () => {
    const text = await rawAnswer((reply) => reply.final(FRAME));
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('content-type: application/json\r\n');
    expect(text).toContain('mcp-session-id: s1\r\n');
    expect(text).toContain(`content-length: ${Buffer.byteLength(FRAME)}\r\n`);
    expect(text).not.toMatch(/transfer-encoding/i);
    expect(text.endsWith(`\r\n\r\n${FRAME}`)).toBe(true);
  });

  it('goes whole as one event when the upstream streamed it and nothing came before', async () => {
    const text = await rawAnswer((reply) => {
      reply.sse();
      reply.final(FRAME);
    });
    const event = `event: message\ndata: ${FRAME}\n\n`;
    expect(text).toContain('content-type: text/event-stream\r\n');
    expect(text).toContain(`content-length: ${Buffer.byteLength(event)}\r\n`);
    expect(text).not.toMatch(/transfer-encoding/i);
    expect(text.endsWith(`\r\n\r\n${event}`)).toBe(true);
  });

  it('streams in chunks once a frame came before the answer', async () => {
    const text = await rawAnswer((reply) => {
      reply.event('{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}');
      reply.final(FRAME);
    });
    expect(text).toContain('content-type: text/event-stream\r\n');
    expect(text).toMatch(/transfer-encoding: chunked/i);
    expect(text).toContain('notifications/progress');
    expect(text).toContain(`data: ${FRAME}\n\n`);
  });

  it('ends a stream the upstream opened, empty, when there is no answer to give', async () => {
    const text = await rawAnswer((reply) => {
      reply.sse();
      reply.accepted(200);
    });
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('content-type: text/event-stream\r\n');
    expect(text).not.toContain('data:');
  });

  it('accepts with an empty body of length 0', async () => {
    const text = await rawAnswer((reply) => reply.accepted());
    expect(text).toMatch(/^HTTP\/1\.1 202 /);
    expect(text).toContain('content-length: 0\r\n');
    expect(text).not.toMatch(/transfer-encoding/i);
  });
});
