import type { Desk } from "../desk.js";
import type { Candle } from "../market/candle.js";
import type { NseCalendar } from "../market/calendar.js";
import { TickCandleBuilder } from "../market/tick-candles.js";
import type { Paise } from "../money.js";
import { Serial } from "../serial.js";
import { fromIst, istDate, type IstDate } from "../time/ist.js";
import { ROLLOVER_AT } from "../fno/rollover-calendar.js";

export interface LiveTick {
  symbol: string;
  price: Paise;
  /** The exchange's time of the trade. */
  at: Date;
  /** The day's cumulative volume, when the feed carries it. */
  dayVolume?: number;
}

export interface LiveFeedOptions {
  calendar: NseCalendar;
  /** Bars as they close (1-minute, 75-minute, daily), to be stored. */
  persist: (bars: readonly Candle[]) => Promise<void>;
  /** Wall-clock time: carries market time forward between ticks, so a quiet market still closes its bars. */
  wallNow: () => Date;
  /** How often the heartbeat closes bars that no tick closed. */
  heartbeatMs?: number;
  onError?: (problem: string) => void;
}

export interface LiveFeedState {
  day: IstDate | null;
  open: boolean;
  ticks: number;
  dropped: number;
}

/** Intraday positions are closed 20 minutes before the session ends: 15:10 IST on a regular day. */
export const SQUARE_OFF_BEFORE_CLOSE_MS = 20 * 60_000;

/** The day's last 75-minute bar is read while forming, this long before the close (15:25 IST), so its entries can still go in today (seed 002). */
export const FORMING_LOOK_BEFORE_CLOSE_MS = 5 * 60_000;

/**
 * Live prices into the desk, on exchange time: each tick marks the price and
 * meets the paper broker's working orders; 1-minute and 75-minute bars are built
 * from the ticks (stored as they close), a 75-minute bar runs the intraday
 * strategies, and 15:30 closes the day with daily bars built from the same ticks.
 * Market time is the exchange's (the ticks' timestamps), carried forward by the
 * wall clock between ticks.
 */
export class LiveFeed {
  private readonly builder: TickCandleBuilder;
  private readonly serial = new Serial();
  private day: IstDate | null = null;
  private open = false;
  /** The day whose intraday positions were squared off. */
  private squared: IstDate | null = null;
  /** The day whose synthetic units were checked for their rollover, and whose last bar was read while forming. */
  private rolled: IstDate | null = null;
  private formingRead: IstDate | null = null;
  private marketMs = 0;
  private wallMsAtMarket = 0;
  private ticks = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly desk: Desk,
    private readonly opts: LiveFeedOptions,
  ) {
    this.builder = new TickCandleBuilder({ calendar: opts.calendar });
    desk.feed.kind = "live";
  }

  /** Takes one tick (queued: ticks are handled one at a time, in arrival order). */
  tick(t: LiveTick): Promise<void> {
    return this.serial.run(() => this.onTick(t));
  }

  /** Market time now: the last tick's exchange time plus the wall time since it arrived. */
  marketNow(): Date {
    if (this.marketMs === 0) return this.opts.wallNow();
    return new Date(this.marketMs + Math.max(0, this.opts.wallNow().getTime() - this.wallMsAtMarket));
  }

  /** Closes bars and the day that market time has passed, with no tick to do it. */
  heartbeat(): Promise<void> {
    return this.serial.run(() => this.advance(this.marketNow()));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.heartbeat().catch((err: Error) => this.opts.onError?.(`live feed heartbeat: ${err.message}`));
    }, this.opts.heartbeatMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.serial.idle();
  }

  state(): LiveFeedState {
    return { day: this.day, open: this.open, ticks: this.ticks, dropped: this.dropped };
  }

  private async onTick(t: LiveTick): Promise<void> {
    if (!(Number.isInteger(t.price) && t.price > 0)) {
      // A feed can send 0 before the first trade of the day: not a price.
      this.dropped++;
      return;
    }
    const ms = t.at.getTime();
    if (ms > this.marketMs) {
      this.marketMs = ms;
      this.wallMsAtMarket = this.opts.wallNow().getTime();
    }
    await this.advance(t.at);
    if (!this.open || istDate(t.at) !== this.day) {
      this.dropped++;
      return;
    }
    this.ticks++;
    await this.desk.onTick(t.symbol, t.price, t.at);
    await this.bars(this.builder.addTick(t.symbol, t.price, t.at, t.dayVolume));
  }

  /** Opens the session a time falls in, closes bars it has passed, and the day at its close. */
  private async advance(now: Date): Promise<void> {
    const d = istDate(now);
    if (this.open && this.day !== null && d !== this.day) await this.closeDay(this.day);
    const session = this.opts.calendar.isCovered(d) ? this.opts.calendar.session(d) : null;
    if (!this.open && session && now >= session.open && now < session.close && this.day !== d) {
      this.day = d;
      this.open = true;
      await this.desk.openDay(d, []);
    }
    await this.bars(this.builder.closeUntil(now));
    // Intraday positions go before the broker's own square-off, a set time before the session's end.
    if (this.open && session && this.day === d && this.squared !== d && now.getTime() >= session.close.getTime() - SQUARE_OFF_BEFORE_CLOSE_MS) {
      this.squared = d;
      await this.desk.squareOffIntraday(d);
    }
    // Synthetic units due to roll go at ROLLOVER_AT (15:00 IST) on their day.
    if (this.open && session && this.day === d && this.rolled !== d && now >= fromIst(d, ROLLOVER_AT) && now < session.close) {
      this.rolled = d;
      await this.desk.rollover(false, "schedule");
    }
    // The last 75-minute bar's entries are decided on the forming bar, in time to fill before the close.
    if (this.open && session && this.day === d && this.formingRead !== d && now.getTime() >= session.close.getTime() - FORMING_LOOK_BEFORE_CLOSE_MS && now < session.close) {
      this.formingRead = d;
      for (const symbol of this.desk.fno?.settings.underlyings ?? []) {
        const bar = this.builder.forming(symbol, "75m");
        if (bar) await this.desk.onFormingBar(bar);
      }
    }
    if (this.open && session && this.day === d && now >= session.close) await this.closeDay(d);
  }

  private async closeDay(d: IstDate): Promise<void> {
    this.open = false;
    const closing = this.builder.closeDay(d);
    await this.bars(closing.filter((b) => b.timeframe !== "1d"));
    const daily = closing.filter((b) => b.timeframe === "1d");
    await this.opts.persist(daily);
    await this.desk.closeDay(d, daily);
  }

  private async bars(bars: readonly Candle[]): Promise<void> {
    if (!bars.length) return;
    await this.opts.persist(bars);
    for (const b of bars) if (b.timeframe === "75m") await this.desk.onIntradayBar(b);
  }
}
