/**
 * A large daily universe from the real shipped series: each synthetic symbol is
 * one of the 50 real stocks, tiled end to end (each copy rescaled to continue
 * from the last close) and perturbed by a small deterministic noise, so the
 * indicators see real market shapes at benchmark scale.
 */
import type { Candle } from "../src/engine/market/candle.js";
import { loadShippedDaily, NIFTY50_DIR, shippedSymbols } from "../src/engine/market/shipped-data.js";
import { addDays, fromIst, weekday, type IstDate } from "../src/engine/time/ist.js";

/** Weekdays ending at `last`, oldest first (holidays do not matter to a benchmark). */
function weekdaysEnding(last: IstDate, n: number): IstDate[] {
  const out: IstDate[] = [];
  for (let d = last; out.length < n; d = addDays(d, -1)) if (weekday(d) >= 1 && weekday(d) <= 5) out.push(d);
  return out.reverse();
}

/** Deterministic noise in [-1, 1) from two integers. */
function noise(a: number, b: number): number {
  let x = (a * 374761393 + b * 668265263) | 0;
  x = Math.imul(x ^ (x >>> 13), 1274126177);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 31 - 1;
}

/** Symbols `first` .. `first + symbols - 1` of the synthetic universe (a worker builds its own share). */
export function syntheticUniverse(symbols: number, barsEach: number, first = 0): Candle[][] {
  const bySymbol = new Map<string, Candle[]>();
  for (const c of loadShippedDaily(NIFTY50_DIR, shippedSymbols()).candles) {
    const list = bySymbol.get(c.symbol);
    if (list) list.push(c);
    else bySymbol.set(c.symbol, [c]);
  }
  const bases = [...bySymbol.values()];
  const dates = weekdaysEnding("2025-09-30", barsEach).map((d) => fromIst(d, "09:15"));
  const out: Candle[][] = [];
  for (let s = first; s < first + symbols; s++) {
    const base = bases[s % bases.length]!;
    const name = `SYN${String(s).padStart(3, "0")}`;
    const bars: Candle[] = new Array(barsEach);
    let scale = 1;
    for (let i = 0; i < barsEach; i++) {
      const j = i % base.length;
      if (j === 0 && i > 0) scale *= bars[i - 1]!.close / base[0]!.open / scale;
      const b = base[j]!;
      const f = scale * (1 + 0.004 * noise(s, i));
      const open = Math.max(5, Math.round(b.open * f));
      const close = Math.max(5, Math.round(b.close * f));
      const high = Math.max(open, close, Math.round(b.high * f));
      const low = Math.max(1, Math.min(open, close, Math.round(b.low * f)));
      bars[i] = { symbol: name, timeframe: "1d", time: dates[i]!, open, high, low, close, volume: Math.round(b.volume * (1 + 0.1 * noise(i, s))) };
    }
    out.push(bars);
  }
  return out;
}
