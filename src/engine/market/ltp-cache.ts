import type { Paise } from "../money.js";

export interface Ltp {
  price: Paise;
  /** When the price was traded (a bar's close, a tick, a fill). */
  at: Date;
}

/**
 * Last traded price per symbol. An older quote never overwrites a newer one,
 * so out-of-order ticks or a late fill report cannot move the price backwards in time.
 */
export class LtpCache {
  private readonly prices = new Map<string, Ltp>();

  /** Records a price; returns false (and keeps the newer one) when `at` is older than what is held. */
  set(symbol: string, price: Paise, at: Date): boolean {
    if (!Number.isInteger(price) || price <= 0) throw new RangeError(`LTP of ${symbol} must be a positive whole number of paise, got ${price}`);
    const held = this.prices.get(symbol);
    if (held && held.at.getTime() > at.getTime()) return false;
    this.prices.set(symbol, { price, at });
    return true;
  }

  get(symbol: string): Ltp | undefined {
    return this.prices.get(symbol);
  }

  price(symbol: string): Paise | undefined {
    return this.prices.get(symbol)?.price;
  }

  /** Symbols whose last price is older than `maxAgeMs` at `now` (a feed gone quiet). */
  stale(now: Date, maxAgeMs: number): string[] {
    const out: string[] = [];
    for (const [s, l] of this.prices) if (now.getTime() - l.at.getTime() > maxAgeMs) out.push(s);
    return out.sort();
  }

  /** Symbol → price, for marking positions. */
  snapshot(): Map<string, Paise> {
    const out = new Map<string, Paise>();
    for (const [s, l] of this.prices) out.set(s, l.price);
    return out;
  }

  get size(): number {
    return this.prices.size;
  }
}
