import type { Clock } from '../../shared/clock.js';

export interface ExpiryScheduleOptions<S> {
  clock: Clock;
  /** Called once per item at its time; it is already forgotten by then. */
  expire: (item: S) => void;
}

/**
 * Every socket's token expiry on one timer: items due at the same instant (tokens carry whole
 * seconds) share a bucket, and the timer is armed for the earliest bucket only. Thousands of
 * sockets cost a set entry each, not a Timeout, its closure and a timer list of their own.
 */
export function createExpirySchedule<S>({ clock, expire }: ExpiryScheduleOptions<S>) {
  const buckets = new Map<number, Set<S>>();
  let armedFor: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** `now`: the clock's, or the instant just fired when the clock reads earlier (a clock a test holds still). */
  const arm = (now = clock.now().getTime()) => {
    let next = Infinity;
    for (const at of buckets.keys()) if (at < next) next = at;
    if (next === armedFor) return;
    clearTimeout(timer);
    timer = undefined;
    armedFor = undefined;
    if (next === Infinity) return;
    armedFor = next;
    timer = setTimeout(fire, Math.max(0, next - now));
    timer.unref();
  };

  function fire(): void {
    const at = armedFor;
    armedFor = undefined;
    timer = undefined;
    if (at === undefined) return;
    const due = buckets.get(at);
    buckets.delete(at);
    arm(Math.max(clock.now().getTime(), at));
    for (const item of due ?? []) expire(item);
  }

  return {
    /** `at`: epoch milliseconds; in the past, it expires on the next turn of the event loop. */
    add(item: S, at: number): void {
      let bucket = buckets.get(at);
      if (!bucket) {
        buckets.set(at, (bucket = new Set()));
        if (armedFor === undefined || at < armedFor) arm();
      }
      bucket.add(item);
    },

    remove(item: S, at: number): void {
      const bucket = buckets.get(at);
      if (!bucket?.delete(item) || bucket.size > 0) return;
      buckets.delete(at);
      if (at === armedFor) arm();
    },

    /** Items waiting. */
    get size(): number {
      let n = 0;
      for (const bucket of buckets.values()) n += bucket.size;
      return n;
    },
  };
}
