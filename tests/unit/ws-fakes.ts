import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** What the WebSocket parts touch on a `ws` socket, and no more. */
export class FakeSocket extends EventEmitter {
  readonly OPEN = 1 as const;
  readyState: 0 | 1 | 2 | 3 = 1;
  bufferedAmount = 0;
  readonly closes: Array<{ code: number | undefined; reason: string | undefined }> = [];
  readonly close = vi.fn((code?: number, reason?: string) => {
    this.closes.push({ code, reason });
    this.readyState = 2;
  });
  readonly terminate = vi.fn(() => {
    this.readyState = 3;
  });
}
