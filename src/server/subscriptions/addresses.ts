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
  /**
   * As take, without the release closure: true when a slot was taken, which the caller gives
   * back with `give(ip)` exactly once. For the WebSockets, which hold thousands of slots at once.
   */
  claim(ip: string): boolean;
  give(ip: string): void;
}

export function createAddressSlots(max: number): AddressSlots {
  const held = new Map<string, number>();
  const claim = (ip: string): boolean => {
    const n = held.get(ip) ?? 0;
    if (n >= max) return false;
    held.set(ip, n + 1);
    return true;
  };
  const give = (ip: string): void => {
    const left = (held.get(ip) ?? 1) - 1;
    if (left > 0) held.set(ip, left);
    else held.delete(ip);
  };
  return {
    max,
    claim,
    give,
    take(ip) {
      if (!claim(ip)) return undefined;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        give(ip);
      };
    },
  };
}
