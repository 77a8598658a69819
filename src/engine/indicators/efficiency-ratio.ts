/**
 * Kaufman efficiency ratio over N bars:
 *   ER = |close - close[N bars ago]| / sum of |close[i] - close[i-1]| over the last N changes.
 * 1 = a straight line, near 0 = noise. First value at bar N.
 * A window with no movement at all gives 0 (no directional efficiency).
 * The change sum is kept as a running sum, so float residue could push the ratio
 * a hair past 1 on straight lines; it is clamped to [0, 1], its true range.
 */
import { checkPeriod, type Series } from "./types.js";

export class EfficiencyRatio {
  private readonly closes: Float64Array; // last N+1 closes
  private readonly moves: Float64Array; // last N absolute changes
  private pos = 0; // next slot in `closes`
  private movePos = 0;
  private count = 0; // closes seen
  private pathSum = 0;

  constructor(readonly period: number) {
    checkPeriod(period);
    this.closes = new Float64Array(period + 1);
    this.moves = new Float64Array(period);
  }

  next(close: number): number {
    const n = this.period;
    const size = n + 1;
    if (this.count > 0) {
      const last = this.closes[this.pos === 0 ? n : this.pos - 1]!;
      const move = Math.abs(close - last);
      // The slot being overwritten holds the move that leaves the window (0 until full).
      this.pathSum = this.pathSum - this.moves[this.movePos]! + move;
      this.moves[this.movePos] = move;
      this.movePos = this.movePos + 1 === n ? 0 : this.movePos + 1;
    }
    this.closes[this.pos] = close;
    this.pos = this.pos + 1 === size ? 0 : this.pos + 1;
    this.count++;
    if (this.count < size) return NaN;
    // After the write, `pos` points at the oldest close: the one N bars ago.
    const net = Math.abs(close - this.closes[this.pos]!);
    if (!(this.pathSum > 0) || net === 0) return 0;
    const er = net / this.pathSum;
    return er > 1 ? 1 : er;
  }
}

export function efficiencyRatio(values: Series, period = 10): Float64Array {
  const s = new EfficiencyRatio(period);
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s.next(values[i]!);
  return out;
}
