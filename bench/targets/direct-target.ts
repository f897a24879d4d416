// The mock upstream itself, with nothing in between: the baseline every "added" figure subtracts.
import type { BenchTarget } from '../bench-target.js';

export const directTarget: BenchTarget = {
  name: 'direct',
  async start({ upstreamUrl }) {
    // The upstream process belongs to the harness, so there is nothing to start, stop or weigh.
    return { url: upstreamUrl, headers: {}, stop: async () => {} };
  },
};
