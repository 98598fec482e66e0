/**
 * One cap on the streaming connections a client address holds, whatever carries them: a
 * graphql-ws socket, a multipart or SSE stream, and any transport added later, each take a
 * slot here for as long as the connection is open.
 */
export interface AddressSlots {
  /** The cap (STREAMS_MAX_PER_IP). */
  readonly max: number;
  /** A slot for one more connection from `ip`: its release (safe to call twice), or undefined when the address is at the cap. */
  take(ip: string): (() => void) | undefined;
}

export function createAddressSlots(max: number): AddressSlots {
  const held = new Map<string, number>();
  return {
    max,
    take(ip) {
      const n = held.get(ip) ?? 0;
      if (n >= max) return undefined;
      held.set(ip, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(ip) ?? 1) - 1;
        if (left > 0) held.set(ip, left);
        else held.delete(ip);
      };
    },
  };
}
