// The Node floor (bench/node-floor-proxy.ts), compiled to plain JavaScript and run under bare node.
import { fileURLToPath } from 'node:url';
import type { BenchTarget } from '../bench-target.js';
import { compileStandalone } from '../compile-standalone.js';
import { firstJsonLine } from '../wait-until-ready.js';

const FLOOR_KEY = 'floor-bench-key-0123456789abcdef';

export const nodeFloorTarget: BenchTarget = {
  name: 'node-floor',
  async start({ upstreamUrl, workDir, spawn }) {
    const script = compileStandalone(fileURLToPath(new URL('../node-floor-proxy.ts', import.meta.url)), workDir);
    const proc = spawn(process.execPath, [script], {
      env: { ...process.env, FLOOR_UPSTREAM: new URL(upstreamUrl).origin, FLOOR_BEARER: FLOOR_KEY, FLOOR_PORT: '0' },
    });
    const { port } = await firstJsonLine<{ port: number }>(proc, 'node floor proxy');
    return {
      url: `http://127.0.0.1:${port}/v1`,
      headers: { authorization: `Bearer ${FLOOR_KEY}` },
      pid: proc.pid,
      stop: () => proc.stop(),
    };
  },
};
