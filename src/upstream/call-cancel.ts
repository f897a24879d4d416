// What cancels a call's upstream work when its client goes away: aborted once, by the data plane,
// and read by the upstream client (undici's request() takes an EventEmitter as its signal, as it
// takes an AbortSignal) and by the relays. Not an AbortController: Node 20 builds each AbortSignal as
// an EventTarget and then changes its prototype, so V8 gives every signal a hidden class of its own,
// and what a signal reaches (the listener undici adds, through it the request, and so the whole call)
// survived the young generation's collections until the next full one. Measured in a Fastify +
// undici proxy at one connection: 1.0 KB promoted to the old generation per request with an
// AbortSignal, 0.6 KB with this, 0.5 KB with no signal at all (ARCHITECTURE.md, "Hot-path objects").
import { EventEmitter } from 'node:events';

export class CallCancel extends EventEmitter {
  /** True once the client has gone away. */
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }

  /** Resolves on `drain` or `close` of `out`, or once this call is cancelled: whichever is first. */
  drained(out: NodeJS.EventEmitter): Promise<void> {
    if (this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        this.off('abort', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
      this.on('abort', done);
    });
  }
}
