/**
 * A strategy whose per-bar evaluation is looked up in one scan of the whole
 * series. Strategies are causal (a bar's signals depend only on the bars up to
 * it; every strategy's tests check scan = bar-by-bar evaluation), so this gives
 * exactly what evaluating each prefix would, in O(n) instead of O(n²).
 */
import type { Candle } from "../market/candle.js";
import type { SignalDraft } from "../strategies/signal.js";
import type { Strategy } from "../strategies/strategy.js";

export function precomputed<P>(strategy: Strategy<P>, params: P, series: ReadonlyMap<string, readonly Candle[]>): Strategy<P> {
  const bySymbol = new Map<string, Map<number, SignalDraft[]>>();
  const table = (symbol: string): Map<number, SignalDraft[]> => {
    let t = bySymbol.get(symbol);
    if (t) return t;
    t = new Map();
    const bars = series.get(symbol) ?? [];
    for (const d of strategy.scan(bars, params)) {
      const at = (d.firedAt ?? d.barTime).getTime();
      const list = t.get(at);
      if (list) list.push(d);
      else t.set(at, [d]);
    }
    bySymbol.set(symbol, t);
    return t;
  };
  return {
    ...strategy,
    defaults: params,
    evaluate(bars, p) {
      if (p !== params) return strategy.evaluate(bars, p); // other params: the real thing
      const last = bars[bars.length - 1];
      if (!last) return [];
      const full = series.get(last.symbol);
      // Only a prefix of the known series can be looked up; anything else is evaluated.
      if (!full || full.length < bars.length || full[bars.length - 1]!.time.getTime() !== last.time.getTime()) return strategy.evaluate(bars, p);
      return table(last.symbol).get(last.time.getTime()) ?? [];
    },
  };
}
