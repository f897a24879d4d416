// The server processes of one benchmarked Tollgate deployment, started alike through the target's
// pinned spawn (so all on the target CPU), each on a port of its own, one after the other: the first
// applies the migrations. The first takes the load; the others run idle apart from their own
// background work. A node that exits before it is stopped makes the stop fail, since the figures
// would then not be those of a deployment of that many nodes.
import type { TargetContext } from '../bench-target.js';
import { freePort } from '../free-port.js';
import type { PinnedProcess } from '../spawn-pinned.js';
import { waitForPort } from '../wait-until-ready.js';

export interface TollgateNode {
  proc: PinnedProcess;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
}

export interface NodesOptions {
  /** The target's name, for the log and errors. */
  name: string;
  count: number;
  /** node's arguments: flags, the built CLI, `serve`. */
  args: readonly string[];
  /** Every node's environment; each gets its own TOLLGATE_PORT on top. */
  env: NodeJS.ProcessEnv;
}

export async function startTollgateNodes(context: TargetContext, { name, count, args, env }: NodesOptions): Promise<[TollgateNode, ...TollgateNode[]]> {
  if (count < 1) throw new Error(`${name}: a deployment needs at least one node`);
  const nodes: TollgateNode[] = [];
  try {
    for (let n = 1; n <= count; n++) {
      const port = await freePort();
      // Request logs go to /dev/null: the server still formats and writes every line, but the
      // harness (on the load CPU) does not spend time reading them.
      const proc = context.spawn(process.execPath, args, { env: { ...env, TOLLGATE_PORT: String(port) }, cwd: process.cwd(), stdout: 'ignore' });
      nodes.push({ proc, origin: `http://127.0.0.1:${port}` });
      await waitForPort(proc, port, nodeName(name, n, count), 60_000);
      if (n > 1) context.log(`  ${nodeName(name, n, count)}: listening on port ${port} (pid ${proc.pid}), idle while the first takes the load`);
    }
  } catch (error) {
    await stopTollgateNodes(nodes, name).catch(() => {});
    throw error;
  }
  return nodes as [TollgateNode, ...TollgateNode[]];
}

export async function stopTollgateNodes(nodes: readonly TollgateNode[], name: string): Promise<void> {
  const gone = nodes.findIndex(({ proc }) => proc.child.exitCode !== null || proc.child.signalCode !== null);
  await Promise.all(nodes.map(({ proc }) => proc.stop(15_000)));
  if (gone >= 0) throw new Error(`${nodeName(name, gone + 1, nodes.length)} exited before it was stopped:\n${nodes[gone]!.proc.stderrTail()}`);
}

function nodeName(name: string, n: number, count: number): string {
  return count === 1 ? name : `${name} node ${n} of ${count}`;
}
