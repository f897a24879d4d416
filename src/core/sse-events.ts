// Server-sent events (WHATWG HTML §9.2.6): splits a byte stream into whole events so the gateway
// can relay each one the moment it is complete — never more than one event held back — and read
// the few it must (usage). Pure and incremental: feed chunks, get finished events back.
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** The event exactly as received, separator included, for pass-through. */
  raw: string;
  /** The `event:` field, or undefined. */
  event: string | undefined;
  /** The `data:` lines joined with "\n" (undefined when the event has none). */
  data: string | undefined;
}

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;

export class SseSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';

  /** Returns every event completed by this chunk. */
  push(chunk: Buffer): SseEvent[] {
    this.buffer += this.decoder.write(chunk);
    const events: SseEvent[] = [];
    for (let match = BOUNDARY.exec(this.buffer); match; match = BOUNDARY.exec(this.buffer)) {
      const end = match.index + match[0].length;
      events.push(parseEvent(this.buffer.slice(0, end)));
      this.buffer = this.buffer.slice(end);
    }
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
