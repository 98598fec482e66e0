import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../src/pubsub/async-queue.js';
import { mapEvents } from '../../src/server/ws-events.js';

async function drain<T>(iterator: AsyncIterator<T>): Promise<T[]> {
  const out: T[] = [];
  for (let r = await iterator.next(); !r.done; r = await iterator.next()) out.push(r.value);
  return out;
}

describe('AsyncQueue', () => {
  it('hands items over in order, to waiting and to later readers alike', async () => {
    const queue = new AsyncQueue<number>();
    const first = queue.next();
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(await first).toEqual({ value: 1, done: false });
    queue.end();
    expect(await drain(queue)).toEqual([2, 3]);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('answers several waiting readers in the order they asked, then one again', async () => {
    const queue = new AsyncQueue<number>();
    const waiting = [queue.next(), queue.next(), queue.next()];
    queue.push(1);
    queue.push(2);
    const fourth = queue.next();
    queue.push(3);
    queue.push(4);
    expect(await Promise.all([...waiting, fourth])).toEqual([1, 2, 3, 4].map((value) => ({ value, done: false })));
    const alone = queue.next();
    queue.push(5);
    expect(await alone).toEqual({ value: 5, done: false });
    expect(queue.size).toBe(0);
  });

  it('ends every waiting reader, calls onClose once, and ignores pushes after the end', async () => {
    let closes = 0;
    const queue = new AsyncQueue<number>(() => closes++);
    const waiting = [queue.next(), queue.next()];
    queue.end();
    queue.end();
    queue.push(9);
    expect(await Promise.all(waiting)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect(closes).toBe(1);
    expect(queue.closed).toBe(true);
  });

  it('fails after what is queued, once, then is done', async () => {
    const queue = new AsyncQueue<string>();
    queue.push('a');
    queue.fail(new Error('gone'));
    expect(await queue.next()).toEqual({ value: 'a', done: false });
    await expect(queue.next()).rejects.toThrow('gone');
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('fails a reader already waiting', async () => {
    const queue = new AsyncQueue<string>();
    const waiting = queue.next();
    queue.fail(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
  });

  it('drops what is queued when the reader leaves', async () => {
    let closes = 0;
    const queue = new AsyncQueue<number>(() => closes++);
    queue.push(1);
    queue.push(2);
    expect(await queue.return()).toEqual({ value: undefined, done: true });
    expect(queue.size).toBe(0);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(closes).toBe(1);
  });
});

describe('mapEvents', () => {
  it('maps each item, answering at once or later, in order', async () => {
    const source = new AsyncQueue<number>();
    const mapped = mapEvents(source, (n) => (n % 2 === 0 ? Promise.resolve(n * 10) : n * 10));
    for (const n of [1, 2, 3, 4]) source.push(n);
    source.end();
    expect(await drain(mapped)).toEqual([10, 20, 30, 40]);
  });

  it('closes the source when the reader leaves', async () => {
    let closed = false;
    const source = new AsyncQueue<number>(() => (closed = true));
    const mapped = mapEvents(source, (n) => n);
    source.push(1);
    expect(await mapped.next()).toEqual({ value: 1, done: false });
    await mapped.return!();
    expect(closed).toBe(true);
  });

  it('closes the source and rejects when the map throws or rejects', async () => {
    for (const map of [
      (): number => {
        throw new Error('bad event');
      },
      (): Promise<number> => Promise.reject(new Error('bad event')),
    ]) {
      let closed = false;
      const source = new AsyncQueue<number>(() => (closed = true));
      const mapped = mapEvents(source, map);
      source.push(1);
      await expect(mapped.next()).rejects.toThrow('bad event');
      expect(closed).toBe(true);
    }
  });
});
