import type { Candle, Timeframe } from "./candle.js";

/**
 * Bars per symbol and timeframe in time order, as the engine has seen them so far.
 * Appending an already-seen bar replaces it (an upsert), so replaying a day twice
 * never duplicates a bar.
 */
export class CandleSeries {
  private readonly bySymbol = new Map<string, Candle[]>();

  private key(symbol: string, tf: Timeframe): string {
    return `${symbol}\u0000${tf}`;
  }

  add(c: Candle): void {
    const k = this.key(c.symbol, c.timeframe);
    let arr = this.bySymbol.get(k);
    if (!arr) this.bySymbol.set(k, (arr = []));
    const last = arr[arr.length - 1];
    const t = c.time.getTime();
    if (!last || last.time.getTime() < t) {
      arr.push(c);
      return;
    }
    // Out of order or a repeat: find its place.
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid]!.time.getTime() < t) lo = mid + 1;
      else hi = mid;
    }
    if (arr[lo] && arr[lo]!.time.getTime() === t) {
      // Copy on replace: a series handed out earlier (and arrays derived from it) stays as it was.
      const copy = arr.slice();
      copy[lo] = c;
      this.bySymbol.set(k, copy);
    } else arr.splice(lo, 0, c);
  }

  bars(symbol: string, tf: Timeframe): readonly Candle[] {
    return this.bySymbol.get(this.key(symbol, tf)) ?? [];
  }

  last(symbol: string, tf: Timeframe): Candle | undefined {
    const arr = this.bySymbol.get(this.key(symbol, tf));
    return arr?.[arr.length - 1];
  }

  symbols(tf: Timeframe): string[] {
    const out: string[] = [];
    for (const [k, arr] of this.bySymbol) if (k.endsWith(`\u0000${tf}`) && arr.length) out.push(arr[0]!.symbol);
    return out.sort();
  }
}
