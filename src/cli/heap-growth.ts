// How far V8 lets the heap grow past the live data before it collects the old generation. By default
// V8 sizes for throughput on a large machine: under steady load the old generation of a Tollgate
// node grew to three times its live data (peak RSS ≈ 590 MB with 100k keys cached, ≈ 300 MB at
// 20%, at the same CPU per request in `npm run bench`). A gateway usually shares its machine or runs
// in a container with a memory limit, so `tollgate serve` asks for 20% growth — unless the operator
// chose a growth or heap size of their own in NODE_OPTIONS or on the node command line.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

/** Flags that mean the operator has decided the heap's size or growth themselves. */
const OPERATOR_HEAP_FLAGS = /(^|\s)--(heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size|max[-_]heap[-_]size)(=|\s|$)/;

/** The V8 flag to set for this process, or null when the operator's own flags stand. */
export function heapGrowthFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | null {
  const given = [...execArgv, nodeOptions ?? ''].join(' ');
  return OPERATOR_HEAP_FLAGS.test(given) ? null : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Applies the heap growth to this process (before the server allocates anything to speak of). */
export function limitHeapGrowth(): void {
  const flag = heapGrowthFlag(process.execArgv, process.env.NODE_OPTIONS);
  if (flag) setFlagsFromString(flag);
}
