/**
 * Plain reference implementations of the Wilder indicators, written straight
 * from the textbook definitions with whole arrays and no shared code with
 * src/engine/indicators, so the library can be checked against them.
 * Every output is aligned with the input; warm-up bars are NaN.
 */

export interface Bars {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

function nans(n: number): number[] {
  return new Array<number>(n).fill(NaN);
}

/** RSI: first averages = means of the first N changes, then (prev*(N-1)+x)/N. */
export function refRsi(close: number[], N: number): number[] {
  const out = nans(close.length);
  const gains: number[] = [0];
  const losses: number[] = [0];
  for (let i = 1; i < close.length; i++) {
    const d = close[i]! - close[i - 1]!;
    gains.push(d > 0 ? d : 0);
    losses.push(d < 0 ? -d : 0);
  }
  let avgGain = 0;
  let avgLoss = 0;
  for (let i = N; i < close.length; i++) {
    if (i === N) {
      let g = 0;
      let l = 0;
      for (let j = 1; j <= N; j++) {
        g += gains[j]!;
        l += losses[j]!;
      }
      avgGain = g / N;
      avgLoss = l / N;
    } else {
      avgGain = (avgGain * (N - 1) + gains[i]!) / N;
      avgLoss = (avgLoss * (N - 1) + losses[i]!) / N;
    }
    if (avgLoss === 0) out[i] = avgGain === 0 ? 50 : 100;
    else out[i] = 100 - 100 / (1 + avgGain / avgLoss);
  }
  return out;
}

/** True range with TR[0] = high - low. */
export function refTrueRange(b: Pick<Bars, "high" | "low" | "close">): number[] {
  const tr: number[] = [];
  for (let i = 0; i < b.high.length; i++) {
    if (i === 0) {
      tr.push(b.high[0]! - b.low[0]!);
      continue;
    }
    const pc = b.close[i - 1]!;
    tr.push(Math.max(b.high[i]! - b.low[i]!, Math.abs(b.high[i]! - pc), Math.abs(b.low[i]! - pc)));
  }
  return tr;
}

/** ATR: first value (bar N-1) = mean of TR[0..N-1], then (prev*(N-1)+tr)/N. */
export function refAtr(b: Pick<Bars, "high" | "low" | "close">, N: number): number[] {
  const tr = refTrueRange(b);
  const out = nans(tr.length);
  for (let i = N - 1; i < tr.length; i++) {
    if (i === N - 1) {
      let s = 0;
      for (let j = 0; j < N; j++) s += tr[j]!;
      out[i] = s / N;
    } else {
      out[i] = (out[i - 1]! * (N - 1) + tr[i]!) / N;
    }
  }
  return out;
}

/** ATR seeded the TA-Lib way (no TR for bar 0; first value at bar N = mean of TR[1..N]). */
export function refAtrTaLibSeed(b: Pick<Bars, "high" | "low" | "close">, N: number): number[] {
  const tr = refTrueRange(b);
  const out = nans(tr.length);
  for (let i = N; i < tr.length; i++) {
    if (i === N) {
      let s = 0;
      for (let j = 1; j <= N; j++) s += tr[j]!;
      out[i] = s / N;
    } else {
      out[i] = (out[i - 1]! * (N - 1) + tr[i]!) / N;
    }
  }
  return out;
}

export interface RefDmi {
  plusDi: number[];
  minusDi: number[];
  dx: number[];
  adx: number[];
}

/** Wilder's directional movement system, steps numbered as in his worksheet. */
export function refDmi(b: Pick<Bars, "high" | "low" | "close">, N: number): RefDmi {
  const n = b.high.length;
  const tr = refTrueRange(b);
  // 1. +DM and -DM from bar 1.
  const pdm = nans(n);
  const mdm = nans(n);
  for (let i = 1; i < n; i++) {
    const up = b.high[i]! - b.high[i - 1]!;
    const down = b.low[i - 1]! - b.low[i]!;
    pdm[i] = up > down && up > 0 ? up : 0;
    mdm[i] = down > up && down > 0 ? down : 0;
  }
  // 2. Wilder sums: first = sum over bars 1..N, then s - s/N + x.
  const sTr = nans(n);
  const sP = nans(n);
  const sM = nans(n);
  for (let i = N; i < n; i++) {
    if (i === N) {
      let t = 0;
      let p = 0;
      let m = 0;
      for (let j = 1; j <= N; j++) {
        t += tr[j]!;
        p += pdm[j]!;
        m += mdm[j]!;
      }
      sTr[i] = t;
      sP[i] = p;
      sM[i] = m;
    } else {
      sTr[i] = sTr[i - 1]! - sTr[i - 1]! / N + tr[i]!;
      sP[i] = sP[i - 1]! - sP[i - 1]! / N + pdm[i]!;
      sM[i] = sM[i - 1]! - sM[i - 1]! / N + mdm[i]!;
    }
  }
  // 3. DI and DX.
  const plusDi = nans(n);
  const minusDi = nans(n);
  const dx = nans(n);
  for (let i = N; i < n; i++) {
    plusDi[i] = sTr[i] === 0 ? 0 : (100 * sP[i]!) / sTr[i]!;
    minusDi[i] = sTr[i] === 0 ? 0 : (100 * sM[i]!) / sTr[i]!;
    const sum = plusDi[i]! + minusDi[i]!;
    dx[i] = sum === 0 ? 0 : (100 * Math.abs(plusDi[i]! - minusDi[i]!)) / sum;
  }
  // 4. ADX: mean of the first N DX values, then (prev*(N-1)+dx)/N.
  const adx = nans(n);
  for (let i = 2 * N - 1; i < n; i++) {
    if (i === 2 * N - 1) {
      let s = 0;
      for (let j = N; j <= 2 * N - 1; j++) s += dx[j]!;
      adx[i] = s / N;
    } else {
      adx[i] = (adx[i - 1]! * (N - 1) + dx[i]!) / N;
    }
  }
  return { plusDi, minusDi, dx, adx };
}
