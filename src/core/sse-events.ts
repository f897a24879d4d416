// Server-sent events (WHATWG HTML §9.2.6): splits a byte stream into whole events so the gateway
// can relay each one the moment it is complete — never more than one event held back — and read
// the few it must (usage). Pure and incremental: feed chunks, get finished events back.
//
// Hostile upstreams: an event that never ends would grow the held-back text without bound, so one
// event is capped (MAX_SSE_EVENT_CHARS, then SseEventTooLarge); and each push scans only the text
// it added (plus the three characters a boundary split across chunks can start with), so the work
// stays linear in the bytes received however the stream is chunked.
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** The event exactly as received, separator included, for pass-through. */
  raw: string;
  /** The `event:` field, or undefined. */
  event: string | undefined;
  /** The `data:` lines joined with "\n" (undefined when the event has none). */
  data: string | undefined;
}

/** The largest single event relayed: 1 Mi characters (UTF-16 code units) held for one event. */
export const MAX_SSE_EVENT_CHARS = 1024 * 1024;

export class SseEventTooLarge extends Error {
  constructor() {
    super(`an upstream server-sent event exceeded ${MAX_SSE_EVENT_CHARS} characters`);
  }
}

// The blank line that ends an event; the longest form is 4 characters long.
const BOUNDARY = /\r\n\r\n|\n\n|\r\r/g;
const LONGEST_BOUNDARY = 4;

export class SseSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  /** Characters handed to the boundary search so far: linear in the input (a test pins it). */
  examinedChars = 0;

  constructor(private readonly maxEventChars = MAX_SSE_EVENT_CHARS) {}

  /** Returns every event completed by this chunk; throws SseEventTooLarge past the cap. */
  push(chunk: Buffer): SseEvent[] {
    const scanFrom = Math.max(0, this.buffer.length - (LONGEST_BOUNDARY - 1));
    this.buffer += this.decoder.write(chunk);
    const events: SseEvent[] = [];
    let start = 0;
    BOUNDARY.lastIndex = scanFrom;
    for (let match = BOUNDARY.exec(this.buffer); match; match = BOUNDARY.exec(this.buffer)) {
      const end = match.index + match[0].length;
      events.push(parseEvent(this.buffer.slice(start, end)));
      start = end;
    }
    this.examinedChars += this.buffer.length - scanFrom;
    if (start > 0) this.buffer = this.buffer.slice(start);
    if (this.buffer.length > this.maxEventChars) throw new SseEventTooLarge();
    return events;
  }

  /** Whatever is left when the stream ends (an event missing its final blank line). */
  rest(): string {
    return this.buffer + this.decoder.end();
  }
}

export function parseEvent(raw: string): SseEvent {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return { raw, event, data: data.length > 0 ? data.join('\n') : undefined };
}
