import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../src/pubsub/async-queue.js';
import { Channels } from '../../src/pubsub/channels.js';

const take = (queue: AsyncQueue<unknown>) => {
  const items: unknown[] = [];
  queue.forward({ accept: (item) => items.push(item), ended: () => items.push('ended') });
  return items;
};

describe('the channels of a pub/sub', () => {
  it('delivers to one subscriber or several, and tells when a channel opens and when its last subscriber leaves', () => {
    const channels = new Channels();
    const [a, b, c] = [new AsyncQueue<unknown>(), new AsyncQueue<unknown>(), new AsyncQueue<unknown>()];
    const [seenA, seenB, seenC] = [take(a), take(b), take(c)];
    expect(channels.add('run:1', a)).toBe(true);
    channels.push('run:1', 1);
    expect(channels.add('run:1', b)).toBe(false);
    expect(channels.add('run:1', c)).toBe(false);
    expect(channels.count('run:1')).toBe(3);
    channels.push('run:1', 2);
    expect(channels.remove('run:1', b)).toBe(false);
    expect(channels.remove('run:1', b)).toBe(false);
    channels.push('run:1', 3);
    channels.push('run:2', 'elsewhere');
    expect(seenA).toEqual([1, 2, 3]);
    expect(seenB).toEqual([2]);
    expect(seenC).toEqual([2, 3]);
    expect(channels.remove('run:1', a)).toBe(false);
    expect(channels.remove('run:1', c)).toBe(true);
    expect(channels.has('run:1')).toBe(false);
    expect(channels.count('run:1')).toBe(0);
  });

  it('keeps a lone subscriber apart from one that never joined, and ends them all at once', () => {
    const channels = new Channels();
    const [a, b, stranger] = [new AsyncQueue<unknown>(), new AsyncQueue<unknown>(), new AsyncQueue<unknown>()];
    const [seenA, seenB] = [take(a), take(b)];
    channels.add('run:1', a);
    channels.add('run:2', b);
    expect(channels.remove('run:1', stranger)).toBe(false);
    expect(channels.count('run:1')).toBe(1);
    expect([...channels.keys()]).toEqual(['run:1', 'run:2']);
    channels.endAll();
    expect(seenA).toEqual(['ended']);
    expect(seenB).toEqual(['ended']);
    expect([...channels.keys()]).toEqual([]);
  });
});
