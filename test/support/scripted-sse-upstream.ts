// An OpenAI-shaped upstream of the test's own, on 127.0.0.1: every POST answers 200 text/event-stream
// and hands the response to a script (an endless event, tool-call deltas…). It notes when the
// gateway went away mid-answer, so a test can see that the upstream request was aborted.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedSseUpstream {
  /** Base URL ending in /v1. */
  url: string;
  /** Requests whose connection closed before the script ended the response. */
  readonly aborted: number;
  /** Bytes the script has written so far. */
  readonly written: number;
  close(): Promise<void>;
}

/** `write` resolves false once the gateway has gone away; the script should stop then. */
export type SseScript = (write: (text: string) => Promise<boolean>, res: ServerResponse) => Promise<void>;

export async function startScriptedSseUpstream(script: SseScript): Promise<ScriptedSseUpstream> {
  let aborted = 0;
  let written = 0;
  const server = createServer(function onRequest(req, res) {
    req.resume();
    req.once('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.once('close', () => {
        if (!res.writableFinished) aborted += 1;
      });
      const write = async (text: string): Promise<boolean> => {
        if (res.destroyed) return false;
        written += Buffer.byteLength(text);
        if (!res.write(text)) {
          // Whichever comes first ends the wait; both listeners go, so a long stream does not pile them up.
          await new Promise<void>((resolve) => {
            if (res.destroyed) return resolve();
            const done = (): void => {
              res.off('drain', done).off('close', done);
              resolve();
            };
            res.once('drain', done).once('close', done);
          });
        }
        return !res.destroyed;
      };
      script(write, res).then(
        () => res.end(),
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get aborted() {
      return aborted;
    },
    get written() {
      return written;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
