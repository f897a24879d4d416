// LaneBatches: one call under way per lane; what queues behind it goes together in the next call.
import { describe, expect, it } from 'vitest';
import { LaneBatches } from '../../src/core/lane-batches.js';

/** A sender whose calls end when the test says so, and that records what each call carried. */
function heldSender() {
  const calls: { items: number[]; finish: (fail?: Error) => void }[] = [];
  const send = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, finish: (fail) => (fail ? reject(fail) : resolve(items.map((n) => `answer ${n}`))) });
    });
  return { calls, send };
}

describe('LaneBatches', () => {
  it('sends a lone item at once, and what arrives meanwhile together in the next call, in order', async () => {
    const { calls, send } = heldSender();
    const lanes = new LaneBatches(send, 10);
    const first = lanes.submit('a', 1);
    const rest = [2, 3, 4].map((n) => lanes.submit('a', n));
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    calls[0]!.finish();
    expect(await first).toBe('answer 1');
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.finish();
    expect(await Promise.all(rest)).toEqual(['answer 2', 'answer 3', 'answer 4']);
  });

  it('keeps lanes apart: a lane does not wait for another lane’s call', () => {
    const { calls, send } = heldSender();
    const lanes = new LaneBatches(send, 10);
    void lanes.submit('a', 1);
    void lanes.submit('b', 2);
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
  });

  it('carries at most maxBatch items a call; the rest wait for the next', async () => {
    const { calls, send } = heldSender();
    const lanes = new LaneBatches(send, 2);
    const all = [1, 2, 3, 4, 5].map((n) => lanes.submit('a', n));
    for (let i = 0; i < 3; i++) {
      calls[i]!.finish();
      await Promise.resolve();
      await Promise.resolve();
    }
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [4, 5]]);
    expect(await Promise.all(all)).toHaveLength(5);
  });

  it('fails every item of a failed call, and goes on with what queued behind it', async () => {
    const { calls, send } = heldSender();
    const lanes = new LaneBatches(send, 10);
    const first = lanes.submit('a', 1);
    const second = lanes.submit('a', 2);
    const third = lanes.submit('a', 3);
    calls[0]!.finish();
    await first;
    calls[1]!.finish(new Error('Redis went away'));
    await expect(second).rejects.toThrow('Redis went away');
    await expect(third).rejects.toThrow('Redis went away');
    const later = lanes.submit('a', 4);
    calls[2]!.finish();
    expect(await later).toBe('answer 4');
  });

  it('lets an item fail alone when the sender answers it with a promise that rejects', async () => {
    const lanes = new LaneBatches<number, string>(async (items) => items.map((n) => (n === 2 ? Promise.reject(new Error('refused 2')) : `answer ${n}`)), 10);
    const [one, two] = [lanes.submit('a', 1), lanes.submit('a', 2)];
    expect(await one).toBe('answer 1');
    await expect(two).rejects.toThrow('refused 2');
  });

  it('fails the items of a call whose sender throws before it answers', async () => {
    const lanes = new LaneBatches<number, string>(() => {
      throw new Error('no connection');
    }, 10);
    await expect(lanes.submit('a', 1)).rejects.toThrow('no connection');
    await expect(lanes.submit('a', 2)).rejects.toThrow('no connection');
  });
});
