import type { Clock } from '../../src/shared/clock.js';

/** A clock the test moves; starts at the real time. */
export class TestClock implements Clock {
  private at = Date.now();

  now(): Date {
    return new Date(this.at);
  }

  set(date: Date | string): void {
    this.at = new Date(date).getTime();
  }

  advance(ms: number): void {
    this.at += ms;
  }

  reset(): void {
    this.at = Date.now();
  }
}
