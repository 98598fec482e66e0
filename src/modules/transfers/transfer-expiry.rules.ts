/** The longest wait between two expiry sweeps: a proposal past its expiry is recorded EXPIRED at most this late. */
const MAX_SWEEP_MS = 10_000;

/** Every TTL, between once a second and every MAX_SWEEP_MS. */
export function expirySweepMs(ttlSec: number): number {
  return Math.min(MAX_SWEEP_MS, Math.max(1_000, ttlSec * 1000));
}
