// A call's cancellation: what the relays wait on while a slow client drains, and what undici's
// request() listens to for the client going away.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CallCancel } from '../../src/upstream/call-cancel.js';

describe('a call cancellation', () => {
  it('is aborted once, telling its listeners once', () => {
    const cancel = new CallCancel();
    let told = 0;
    cancel.on('abort', () => told++);
    expect(cancel.aborted).toBe(false);
    cancel.abort();
    cancel.abort();
    expect(cancel.aborted).toBe(true);
    expect(told).toBe(1);
  });

  it('waits for a full stream to drain, or to close, or for the call to be cancelled, and leaves no listener behind', async () => {
    for (const end of ['drain', 'close', 'abort'] as const) {
      const cancel = new CallCancel();
      const out = new PassThrough({ highWaterMark: 4 });
      expect(out.write('more than four bytes')).toBe(false);
      let over = false;
      const waiting = cancel.drained(out).then(() => (over = true));
      await Promise.resolve();
      expect(over).toBe(false);
      if (end === 'drain') out.read();
      else if (end === 'close') out.destroy();
      else cancel.abort();
      await waiting;
      expect([out.listenerCount('drain'), out.listenerCount('close'), cancel.listenerCount('abort')]).toEqual([0, 0, 0]);
    }
  });

  it('does not wait once the call is cancelled', async () => {
    const cancel = new CallCancel();
    cancel.abort();
    await cancel.drained(new PassThrough());
    expect(cancel.aborted).toBe(true);
  });
});
