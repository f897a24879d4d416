// The SSE splitter (WHATWG HTML §9.2.6) under hostile input: work linear in the bytes fed, and
// an event that never ends refused at a fixed size instead of growing without bound (issue 9 item 4).
import { describe, expect, it } from 'vitest';
import { MAX_SSE_EVENT_CHARS, SseEventTooLarge, SseSplitter } from '../../src/core/sse-events.js';

describe('splitting server-sent events', () => {
  it('examines each character a bounded number of times, however the stream is chunked', () => {
    // 256-byte chunks: the ratio shows a rescan as well as 1 KiB ones did, at a quarter of the work
    // (1 KiB ones took 1.3 s alone and passed the 5 s timeout on a loaded machine).
    const chunk = Buffer.from('x'.repeat(256));
    const examinedFor = (chunks: number) => {
      const splitter = new SseSplitter();
      splitter.push(Buffer.from('data: '));
      for (let i = 0; i < chunks; i++) splitter.push(chunk);
      return splitter.examinedChars;
    };
    const small = examinedFor(100);
    const large = examinedFor(800);
    // Linear: 8× the input, (about) 8× the work — a rescan per chunk would make it ~64×.
    expect(large / small).toBeLessThan(8.5);
    expect(large).toBeLessThan(4 * 800 * chunk.length);
  });

  it('still finds a boundary split across chunks, and many events in one chunk', () => {
    const splitter = new SseSplitter();
    expect(splitter.push(Buffer.from('data: a\r\n'))).toEqual([]);
    expect(splitter.push(Buffer.from('\r\ndata: b\n\ndata: c\n')).map((e) => e.data)).toEqual(['a', 'b']);
    expect(splitter.push(Buffer.from('\n')).map((e) => e.data)).toEqual(['c']);
    const many = new SseSplitter().push(Buffer.from('data: 1\n\n'.repeat(1000)));
    expect(many).toHaveLength(1000);
  });

  it('refuses an event that grows past the cap instead of holding it', () => {
    const splitter = new SseSplitter();
    splitter.push(Buffer.from('data: '));
    const piece = Buffer.from('y'.repeat(64 * 1024));
    let pushed = 6;
    expect(() => {
      for (;;) {
        splitter.push(piece);
        pushed += piece.length;
        if (pushed > 8 * 1024 * 1024) break;
      }
    }).toThrow(SseEventTooLarge);
    expect(pushed).toBeLessThanOrEqual(MAX_SSE_EVENT_CHARS + piece.length);
  });
});
