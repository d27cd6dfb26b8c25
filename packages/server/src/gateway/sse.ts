/** One server-sent event as it came, and its fields. */
export interface SseEvent {
  /** The event's lines as received, ending with the blank line: relayed unchanged. */
  readonly raw: string;
  readonly id?: string;
  readonly event?: string;
  /** The data lines joined with `\n`; undefined for an event without data (a comment, a retry). */
  readonly data?: string;
}

/** Most characters one event may hold before the stream is refused (an upstream that never ends one). */
export const MAX_SSE_EVENT_LENGTH = 16 * 1024 * 1024;

/**
 * Splits a `text/event-stream` into events as chunks arrive (WHATWG HTML
 * §9.2.6): lines end in CRLF, LF or CR; a blank line ends an event; `data`
 * lines are joined; comments are kept in `raw` (they keep idle streams
 * open) and carry no data.
 */
export class SseParser {
  #buffer = '';
  #decoder = new TextDecoder();

  /** The complete events in `chunk` and what came before it. Throws on an event over the limit. */
  push(chunk: Uint8Array | string): SseEvent[] {
    this.#buffer += typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    const events: SseEvent[] = [];
    for (;;) {
      const end = eventEnd(this.#buffer);
      if (end === undefined) break;
      const raw = this.#buffer.slice(0, end.next);
      this.#buffer = this.#buffer.slice(end.next);
      events.push(parseEvent(raw, raw.slice(0, end.at)));
    }
    if (this.#buffer.length > MAX_SSE_EVENT_LENGTH)
      throw new RangeError(
        `an event of the upstream's stream is longer than ${MAX_SSE_EVENT_LENGTH} characters`,
      );
    return events;
  }
}

/** Where the first event in `text` ends: `at` the blank line, `next` after it. */
function eventEnd(text: string): { at: number; next: number } | undefined {
  // The earliest of the blank-line forms: \n\n, \r\r, \r\n\r\n (and the mixed \n\r\n, \r\n\n).
  const m = /\r\n\r\n|\n\n|\r\r|\n\r\n|\r\n\n/.exec(text);
  return m ? { at: m.index, next: m.index + m[0].length } : undefined;
}

function parseEvent(raw: string, body: string): SseEvent {
  let id: string | undefined;
  let event: string | undefined;
  let data: string | undefined;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    else if (field === 'id' && !value.includes('\0')) id = value;
    else if (field === 'event') event = value;
  }
  return {
    raw,
    ...(id !== undefined && { id }),
    ...(event !== undefined && { event }),
    ...(data !== undefined && { data }),
  };
}

/** One `message` event carrying a JSON-RPC frame, with the upstream's event id when it had one. */
export function sseMessage(frameText: string, id?: string): string {
  // A frame is one JSON text: JSON.stringify escapes line breaks inside strings, so one data line.
  return `${id !== undefined ? `id: ${id}\n` : ''}event: message\ndata: ${frameText}\n\n`;
}
