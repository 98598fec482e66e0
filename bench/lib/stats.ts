/** Nearest-rank percentile of an unsorted sample (0 for an empty one). */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export interface LoopResult {
  ops: number;
  errors: number;
  firstErrors: string[];
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * A closed loop: `concurrency` workers each run `op` back to back for `durationMs`.
 * Latency is per op in milliseconds; a thrown op is an error (and not a latency sample).
 */
export async function closedLoop(concurrency: number, durationMs: number, op: (worker: number, i: number) => Promise<void>): Promise<LoopResult> {
  const latencies: number[] = [];
  const firstErrors: string[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          await op(worker, i);
          latencies.push(performance.now() - t);
        } catch (error) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    ops: latencies.length,
    errors,
    firstErrors,
    seconds: round(seconds),
    perSecond: round(latencies.length / seconds, 1),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(percentile(latencies, 100)),
  };
}
