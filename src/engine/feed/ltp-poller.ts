import type { Quote } from "../execution/broker.js";
import type { Paise } from "../money.js";
import type { LiveTick } from "./live-feed.js";

export interface LtpPollerOptions {
  /** The broker's batched quotes (Angel One: 50 instruments a call). */
  quotes: (symbols: readonly string[]) => Promise<Quote[]>;
  symbols: readonly string[];
  onTick: (t: LiveTick) => Promise<void>;
  /** Whether polling is needed now: while the tick socket is not delivering. */
  needed: () => boolean;
  everyMs: number;
  onError?: (problem: string) => void;
}

/**
 * The fallback feed: while the WebSocket is down, last traded prices are read
 * in batches over REST and handed on as ticks, so stops, marks and bars keep
 * moving. Only a changed price becomes a tick (a poll repeats unchanged ones).
 */
export class LtpPoller {
  private readonly last = new Map<string, Paise>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly opts: LtpPollerOptions) {}

  /** One poll, if needed; the number of ticks handed on. A failed read is reported and skipped. */
  poll(): Promise<number> {
    // One poll at a time: a slow answer is not overtaken by the next timer.
    this.running ??= this.pollOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.opts.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async pollOnce(): Promise<number> {
    if (!this.opts.needed() || this.opts.symbols.length === 0) return 0;
    let quotes: Quote[];
    try {
      quotes = await this.opts.quotes(this.opts.symbols);
    } catch (err) {
      this.opts.onError?.(`LTP poll failed: ${(err as Error).message}`);
      return 0;
    }
    let n = 0;
    for (const q of quotes) {
      if (!(Number.isInteger(q.ltp) && q.ltp > 0) || this.last.get(q.symbol) === q.ltp) continue;
      this.last.set(q.symbol, q.ltp);
      await this.opts.onTick({ symbol: q.symbol, price: q.ltp, at: q.at });
      n++;
    }
    return n;
  }
}
