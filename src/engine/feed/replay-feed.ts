import type { Store } from "../../db/store.js";
import type { Desk } from "../desk.js";
import { barClose, type Candle } from "../market/candle.js";
import { fromIst, istDate, type IstDate } from "../time/ist.js";

export interface ReplayOptions {
  from: IstDate;
  to?: IstDate;
  /** Wall-clock milliseconds between replayed days. */
  paceMs: number;
  /** The market-day schedule on the simulated clock: told as market time moves. */
  schedule?: { advanceTo(t: Date): Promise<unknown> };
}

const CURSOR_KEY = "replay.cursor";
/** The last step played inside a day not yet closed: a restart goes on after it instead of playing it again. */
const STEP_KEY = "replay.step";

interface StepCursor {
  date: IstDate;
  /** 0 the open, 1..n the intraday bars. */
  part: number;
}

/** The timeframes the replay plays: daily bars for the stocks, 75-minute bars for Bank Nifty. */
const INTRADAY = "75m";

interface ReplayDay {
  date: IstDate;
  daily: Candle[];
  /** Intraday bars in time order. */
  intraday: Candle[];
}

export class ReplayRangeError extends Error {
  override name = "ReplayRangeError";
}

/**
 * Plays stored daily bars as if live, one trading day per step, and remembers
 * the last day played so a restart resumes where it stopped.
 */
export class ReplayFeed {
  private stopping = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private days: ReplayDay[] = [];
  private idx = 0;
  /** Within the current day: 0 the open, 1..n its intraday bars, n+1 the close. */
  private part = 0;
  first: IstDate | null = null;
  last: IstDate | null = null;

  constructor(
    private readonly repo: Store,
    private readonly desk: Desk,
    private readonly opts: ReplayOptions,
  ) {}

  /** Loads the bars, gives the desk its warm-up history, and finds where to resume. */
  async prepare(): Promise<{ resumeFrom: IstDate | null; days: number; dataFrom: IstDate; dataTo: IstDate }> {
    const all = await this.repo.loadCandles("1d");
    const intraday = await this.repo.loadCandles(INTRADAY);
    if (all.length === 0 && intraday.length === 0) throw new ReplayRangeError("no daily or 75-minute candles in the database to replay");
    // The range of the daily bars, or of the intraday ones when there are no daily bars (a Bank Nifty backtest).
    const span = all.length ? all : intraday;
    const dataFrom = istDate(span[0]!.time);
    const dataTo = istDate(span[span.length - 1]!.time);
    if (this.opts.from > dataTo) throw new ReplayRangeError(`REPLAY_FROM=${this.opts.from} is after the data, which ends ${dataTo}`);
    if (this.opts.to && this.opts.to < dataFrom) throw new ReplayRangeError(`REPLAY_TO=${this.opts.to} is before the data, which starts ${dataFrom}`);
    const cursor = await this.repo.getSetting<IstDate>(CURSOR_KEY);
    const startAfter = cursor && cursor >= this.opts.from ? cursor : null;
    const history: Candle[] = [];
    const byDay = new Map<IstDate, ReplayDay>();
    const place = (c: Candle, into: "daily" | "intraday") => {
      const d = istDate(c.time);
      const played = d < this.opts.from || (startAfter !== null && d <= startAfter);
      if (played) history.push(c);
      else if (!this.opts.to || d <= this.opts.to) {
        let day = byDay.get(d);
        if (!day) byDay.set(d, (day = { date: d, daily: [], intraday: [] }));
        day[into].push(c);
      }
    };
    for (const c of all) place(c, "daily");
    for (const c of intraday) place(c, "intraday");
    this.desk.addHistory(history);
    this.days = [...byDay.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    this.first = this.days[0]?.date ?? null;
    this.last = this.days[this.days.length - 1]?.date ?? null;
    if (startAfter) this.desk.feed.at = fromIst(startAfter, "15:30");
    await this.resumeInsideDay();
    this.desk.feed.finished = this.days.length === 0;
    return { resumeFrom: this.first, days: this.days.length, dataFrom, dataTo };
  }

  /**
   * A day cut short after some of its steps: those are not played again. Their
   * bars met the orders of that moment; played again they would meet orders
   * changed since (a stop moved at the close would meet the day's own bar).
   */
  private async resumeInsideDay(): Promise<void> {
    const day = this.days[0];
    const step = await this.repo.getSetting<StepCursor>(STEP_KEY);
    if (!day || !step || step.date !== day.date) return;
    const done = Math.min(step.part, day.intraday.length);
    this.desk.addHistory([...day.daily, ...day.intraday.slice(0, done)]);
    const last = day.intraday[done - 1];
    this.desk.feed.at = last ? barClose(last) : fromIst(day.date, "09:15");
    this.part = done + 1;
  }

  /** Plays in the background; `stop()` ends it between days. */
  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /**
   * Plays the next step now (tests, and the loop itself): a day's open, one of its
   * intraday bars, or its close. False when nothing is left. The cursor moves once
   * a day has closed and a step cursor after each earlier step, so a restart plays
   * again at most the step it stopped in.
   */
  async stepPart(): Promise<boolean> {
    const day = this.days[this.idx];
    if (!day) return false;
    const part = this.part++;
    const schedule = this.opts.schedule;
    if (part === 0) {
      // The morning's jobs (08:30) run before the open.
      await schedule?.advanceTo(fromIst(day.date, "09:14"));
      await this.desk.openDay(day.date, day.daily);
      await this.stepDone(day.date, part);
      return true;
    }
    if (part <= day.intraday.length) {
      await this.desk.onIntradayBar(day.intraday[part - 1]!);
      await schedule?.advanceTo(this.desk.opts.marketClock.now());
      await this.stepDone(day.date, part);
      return true;
    }
    await this.desk.closeDay(day.date, day.daily);
    // The evening's jobs (the 15:35 digest) see the day's books.
    await schedule?.advanceTo(fromIst(day.date, "23:59"));
    await this.repo.setSetting(CURSOR_KEY, day.date, this.desk.opts.wallClock.now());
    this.idx++;
    this.part = 0;
    if (this.idx >= this.days.length) {
      this.desk.feed.finished = true;
      this.desk.bus.emit("replay.finished", { date: day.date });
    }
    return true;
  }

  private stepDone(date: IstDate, part: number): Promise<void> {
    return this.repo.setSetting(STEP_KEY, { date, part } satisfies StepCursor, this.desk.opts.wallClock.now());
  }

  /** Plays the rest of the current day (or the next whole day). False when nothing is left. */
  async step(): Promise<boolean> {
    if (!this.days[this.idx]) return false;
    const idx = this.idx;
    while (this.idx === idx && (await this.stepPart()));
    return true;
  }

  /** Days not yet closed. */
  remaining(): number {
    return this.days.length - this.idx;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      // As if live: the market does not run on while a signal waits for its decision
      // (at most SIGNAL_TTL_MINUTES), so an approval fills at the bar after the signal.
      while (!this.stopping && (await this.desk.pendingSignals()).length > 0) await this.sleep(250);
      if (this.stopping) break;
      const dayBefore = this.idx;
      if (!(await this.stepPart())) break;
      // Pace by the day; the steps inside a day follow each other at once.
      if (this.opts.paceMs > 0 && this.idx !== dayBefore) await this.sleep(this.opts.paceMs);
      else await new Promise((r) => setImmediate(r));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }
}
