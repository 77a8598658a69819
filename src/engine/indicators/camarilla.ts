/**
 * Camarilla pivots from the previous day's high H, low L and close C:
 *   R1..R4 = C + (H-L)*1.1/12, 1.1/6, 1.1/4, 1.1/2;  S1..S4 = C minus the same.
 *   pivot  = (H+L+C)/3.
 *   R5 = (H/L)*C and S5 = C - (R5 - C): the R5/S5 form most widely published
 *   (another one, R4 + 1.168*(R4-R3), also circulates; callers who do not
 *   trade R5/S5 can ignore them).
 *
 * The series form takes daily bars and aligns each bar with the levels in force
 * on it, i.e. computed from the bar before (bar 0 is NaN). For intraday use,
 * call `camarillaLevels` with the previous daily bar.
 */
import { checkLengths, type Hlc, type HlcCandle } from "./types.js";

export interface CamarillaLevels {
  pivot: number;
  r1: number;
  r2: number;
  r3: number;
  r4: number;
  r5: number;
  s1: number;
  s2: number;
  s3: number;
  s4: number;
  s5: number;
}

export type CamarillaSeries = { [K in keyof CamarillaLevels]: Float64Array };

/** Levels for the day after the given day's high, low and close. */
export function camarillaLevels(high: number, low: number, close: number): CamarillaLevels {
  const out: CamarillaLevels = { pivot: 0, r1: 0, r2: 0, r3: 0, r4: 0, r5: 0, s1: 0, s2: 0, s3: 0, s4: 0, s5: 0 };
  fill(out, high, low, close);
  return out;
}

function fill(out: CamarillaLevels, high: number, low: number, close: number): void {
  const range = high - low;
  const r5 = (high / low) * close;
  out.pivot = (high + low + close) / 3;
  out.r1 = close + (range * 1.1) / 12;
  out.r2 = close + (range * 1.1) / 6;
  out.r3 = close + (range * 1.1) / 4;
  out.r4 = close + (range * 1.1) / 2;
  out.r5 = r5;
  out.s1 = close - (range * 1.1) / 12;
  out.s2 = close - (range * 1.1) / 6;
  out.s3 = close - (range * 1.1) / 4;
  out.s4 = close - (range * 1.1) / 2;
  out.s5 = close - (r5 - close);
}

/** Streaming form: `next(day)` returns the levels in force on that day (from the day before). */
export class Camarilla {
  /** Levels for the bar last fed in; NaN before the second bar. */
  readonly levels: CamarillaLevels = camarillaLevels(NaN, NaN, NaN);
  private prevHigh = NaN;
  private prevLow = NaN;
  private prevClose = NaN;

  update(high: number, low: number, close: number): void {
    fill(this.levels, this.prevHigh, this.prevLow, this.prevClose);
    this.prevHigh = high;
    this.prevLow = low;
    this.prevClose = close;
  }

  next(c: HlcCandle): CamarillaLevels {
    this.update(c.high, c.low, c.close);
    return { ...this.levels };
  }

  /** Levels for the bar after the last one fed in. */
  get upcoming(): CamarillaLevels {
    return camarillaLevels(this.prevHigh, this.prevLow, this.prevClose);
  }
}

export function camarilla(c: Hlc): CamarillaSeries {
  const n = checkLengths(c.high, c.low, c.close);
  const out: CamarillaSeries = {
    pivot: new Float64Array(n),
    r1: new Float64Array(n),
    r2: new Float64Array(n),
    r3: new Float64Array(n),
    r4: new Float64Array(n),
    r5: new Float64Array(n),
    s1: new Float64Array(n),
    s2: new Float64Array(n),
    s3: new Float64Array(n),
    s4: new Float64Array(n),
    s5: new Float64Array(n),
  };
  const s = new Camarilla();
  const lv = s.levels;
  for (let i = 0; i < n; i++) {
    s.update(c.high[i]!, c.low[i]!, c.close[i]!);
    out.pivot[i] = lv.pivot;
    out.r1[i] = lv.r1;
    out.r2[i] = lv.r2;
    out.r3[i] = lv.r3;
    out.r4[i] = lv.r4;
    out.r5[i] = lv.r5;
    out.s1[i] = lv.s1;
    out.s2[i] = lv.s2;
    out.s3[i] = lv.s3;
    out.s4[i] = lv.s4;
    out.s5[i] = lv.s5;
  }
  return out;
}
