// Every target the benchmark knows, in report order. To add one, write a BenchTarget (see
// bench/bench-target.ts and node-floor-target.ts for an example) and list it here.
import type { BenchTarget } from '../bench-target.js';
import { directTarget } from './direct-target.js';
import { nginxTarget } from './nginx-target.js';
import { nodeFloorTarget } from './node-floor-target.js';
import { tollgatePgRedisTarget } from './tollgate-pg-redis-target.js';
import { defaultTollgateTarget } from './tollgate-target.js';

export const allTargets: readonly BenchTarget[] = [directTarget, nodeFloorTarget, nginxTarget, defaultTollgateTarget, tollgatePgRedisTarget];
