// A loopback port that was free a moment ago, for programs that cannot listen on port 0 and tell
// us which port they got (nginx). The tiny race with other programs is acceptable on a bench box.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
