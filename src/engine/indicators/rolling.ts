/**
 * Rolling maximum or minimum over the last N values in amortised O(1) per value
 * (monotonic deque on fixed ring buffers, so no allocation after construction).
 */
import { checkPeriod } from "./types.js";

export class RollingExtreme {
  private readonly vals: Float64Array;
  private readonly idxs: Float64Array;
  private head = 0; // ring position of the front (the current extreme)
  private size = 0;
  private seen = 0; // values pushed so far

  constructor(
    readonly period: number,
    private readonly isMax: boolean,
  ) {
    checkPeriod(period);
    this.vals = new Float64Array(period);
    this.idxs = new Float64Array(period);
  }

  /** Values pushed so far. */
  get count(): number {
    return this.seen;
  }

  /** Extreme of the last min(count, N) values; NaN before the first push. */
  get value(): number {
    return this.size === 0 ? NaN : this.vals[this.head]!;
  }

  push(x: number): void {
    const cap = this.period;
    const i = this.seen++;
    // Drop the front if it has left the window, so at most N-1 entries remain.
    if (this.size > 0 && this.idxs[this.head]! <= i - cap) {
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.size--;
    }
    // Drop entries from the back that x dominates; they can never be the extreme again.
    while (this.size > 0) {
      let back = this.head + this.size - 1;
      if (back >= cap) back -= cap;
      const v = this.vals[back]!;
      if (this.isMax ? v > x : v < x) break;
      this.size--;
    }
    let slot = this.head + this.size;
    if (slot >= cap) slot -= cap;
    this.vals[slot] = x;
    this.idxs[slot] = i;
    this.size++;
  }
}
