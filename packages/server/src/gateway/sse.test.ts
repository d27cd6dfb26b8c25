import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, sseMessage } from './sse.js';

describe('SseParser', () => {
  it('splits events across chunks, joins data lines, and keeps each event as sent', () => {
    const parser = new SseParser();
    expect(parser.push('id: 1\nevent: message\ndata: {"a"')).toEqual([]);
    const [first, comment, second] = parser.push(':\n\n: keep-alive\n\ndata: x\r\ndata: y\r\n\r\n');
    expect(first).toEqual({
      raw: 'id: 1\nevent: message\ndata: {"a":\n\n',
      id: '1',
      event: 'message',
      data: '{"a":',
    });
    expect(comment).toEqual({ raw: ': keep-alive\n\n' });
    expect(second).toMatchObject({ data: 'x\ny' });
  });

  it('reads back what sseMessage writes, however the stream is cut (fuzzed)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 40 }),
        (values, size) => {
          const texts = values.map((v) => JSON.stringify(v));
          const stream = texts.map((t, i) => sseMessage(t, String(i))).join('');
          const parser = new SseParser();
          const events = [];
          for (let i = 0; i < stream.length; i += size)
            events.push(...parser.push(stream.slice(i, i + size)));
          expect(events.map((e) => e.data)).toEqual(texts);
          expect(events.map((e) => e.raw).join('')).toBe(stream);
        },
      ),
    );
  });
});
