// Preloaded into the gateway by the sockets benchmark (node --expose-gc --import):
// over the IPC channel the benchmark asks for a full GC and reads the memory after it.
// Plain JS so it loads the same way in front of dist/ and tsx.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';

let snapshotAt = 0;
/**
 * BENCH_ALLOC_PROFILE=DIR: V8's sampling heap profiler from the first asked-for GC on, garbage
 * included (what allocates, not what stays), written at each GC after the heap moved by 4 MB.
 */
let sampling;
let profiledAt = 0;
function allocationProfile(heapUsed) {
  const dir = process.env.BENCH_ALLOC_PROFILE;
  if (!dir) return;
  if (!sampling) {
    sampling = new Session();
    sampling.connect();
    sampling.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    profiledAt = heapUsed;
    return;
  }
  if (Math.abs(heapUsed - profiledAt) <= 4 * 2 ** 20) return;
  profiledAt = heapUsed;
  sampling.post('HeapProfiler.getSamplingProfile', (error, result) => {
    if (!error) writeFileSync(`${dir}/gw-${process.pid}-${Date.now()}.heapprofile`, JSON.stringify(result.profile));
  });
}

if (process.send && typeof globalThis.gc === 'function') {
  process.on('message', (message) => {
    if (message?.type !== 'gc') return;
    globalThis.gc();
    globalThis.gc();
    // BENCH_HEAP_SNAPSHOTS=DIR: a heap snapshot after each asked-for GC, to attribute memory by constructor.
    // Only when the heap moved by 4 MB since the last one: the baseline's repeated GCs take one snapshot, not thirty.
    const heapUsed = process.memoryUsage().heapUsed;
    if (process.env.BENCH_HEAP_SNAPSHOTS && Math.abs(heapUsed - snapshotAt) > 4 * 2 ** 20) {
      snapshotAt = heapUsed;
      writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOTS}/gw-${process.pid}-${Date.now()}.heapsnapshot`);
    }
    allocationProfile(heapUsed);
    process.send({ type: 'gc', id: message.id, memory: process.memoryUsage() });
  });
  // The channel must not keep the gateway alive on its own.
  process.channel?.unref();
}
