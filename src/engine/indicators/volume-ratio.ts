/**
 * Volume ratio: today's volume / the average volume over N bars (default 20).
 *
 * By default the average is over the N bars BEFORE the current one (first
 * value at bar N): "volume today vs the average of the previous 20 days" is
 * what breakout filters mean, and including today would dilute a spike.
 * `includeCurrent: true` averages the N bars ending at the current one (first
 * value at bar N-1).
 * An average of 0 gives Infinity for a positive volume and NaN for 0 volume.
 */
import { Sma } from "./moving-averages.js";
import { checkPeriod, type Series } from "./types.js";

export interface VolumeRatioOptions {
  /** Average the N bars ending at the current bar (default false). */
  includeCurrent?: boolean;
}

export class VolumeRatio {
  private readonly avg: Sma;
  private prevAvg = NaN;
  readonly includeCurrent: boolean;

  constructor(
    readonly period = 20,
    opts: VolumeRatioOptions = {},
  ) {
    checkPeriod(period);
    this.avg = new Sma(period);
    this.includeCurrent = opts.includeCurrent ?? false;
  }

  next(volume: number): number {
    if (this.includeCurrent) return volume / this.avg.next(volume);
    const prior = this.prevAvg;
    this.prevAvg = this.avg.next(volume);
    return volume / prior;
  }
}

export function volumeRatio(volume: Series, period = 20, opts: VolumeRatioOptions = {}): Float64Array {
  const s = new VolumeRatio(period, opts);
  const n = volume.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s.next(volume[i]!);
  return out;
}
