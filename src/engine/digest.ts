/**
 * The end-of-day digest as data: the day's P&L, what is open and at risk, and
 * what the next trading day brings (holidays, monthly expiries, rollovers).
 * The chat text is src/bot/digest-format.ts.
 *
 * Definitions (all money in paise, sums exact):
 * - realizedToday: Σ net of the trades that closed today (each net of its entry
 *   share and exit charges); chargesToday: Σ of those trades' charges.
 * - unrealized: the open positions marked at their last price, before exit charges.
 * - netToday: equity now − equity at the last close booked before today (the
 *   capital when none): the day's change marked to market, net of charges.
 * - winRatePct: today's closed trades with net > 0, in percent; null with none.
 * - openRisk: Σ qty × (entry − stop) for longs (stop − entry for shorts), from
 *   the exact cost basis; a stop past the entry (profit locked) counts 0, and a
 *   position without a stop is left out and named in `unstopped`.
 * - openRiskPct, capitalDeployedPct: over equity; null when equity ≤ 0.
 * - rollovers: synthetic futures roll ROLLOVER_DAYS_BEFORE_EXPIRY trading days
 *   before their monthly expiry at ROLLOVER_AT (fno/rollover-calendar.ts); the
 *   digest gives notice on each of the ROLLOVER_NOTICE_TRADING_DAYS trading days
 *   before that day, with the units held in the expiry that rolls.
 */
import type { Store } from "../db/store.js";
import type { NseCalendar } from "./market/calendar.js";
import { nextMonthlyExpiry, type ExpiryUnderlying } from "./market/expiry.js";
import { parseOptionSymbol } from "./fno/option-contract.js";
import { ROLLOVER_AT, rolloverDay } from "./fno/rollover-calendar.js";
import type { Paise } from "./money.js";
import { ledger, type LedgerSnapshot } from "./portfolio/ledger.js";
import type { PositionLine } from "./reports.js";
import { addDays, fromIst, istDate, istTime, weekday, type IstDate } from "./time/ist.js";
import { averagePrice, unrealized, type PositionView, type TradeView } from "./views.js";

export const DIGEST_UNDERLYINGS = ["NIFTY", "BANKNIFTY"] as const;
export type DigestUnderlying = (typeof DIGEST_UNDERLYINGS)[number];

/** Trading days of notice the digest gives before a rollover day. */
export const ROLLOVER_NOTICE_TRADING_DAYS = 3;

/** Which indices roll, and when (the desk's synthetic settings). */
export interface RolloverNoticeSettings {
  underlyings: readonly ExpiryUnderlying[];
  /** ROLLOVER_DAYS_BEFORE_EXPIRY: trading days before expiry that units roll. */
  daysBefore: number;
}

/** The rollover rule of a desk's synthetic futures (desk.fno), or none when no index trades as one. */
export function rolloverSettingsOf(fno: { settings: { underlyings: readonly ExpiryUnderlying[]; rolloverDaysBefore: number } } | null): RolloverNoticeSettings | undefined {
  return fno ? { underlyings: fno.settings.underlyings, daysBefore: fno.settings.rolloverDaysBefore } : undefined;
}

/** A rollover coming within the notice window. */
export interface RolloverNotice {
  underlying: string;
  /** The monthly expiry rolled out of. */
  expiry: IstDate;
  /** The rollover day, and its time of day (IST). */
  day: IstDate;
  at: string;
  /** Trading days from the digest's day to the rollover day (1 to ROLLOVER_NOTICE_TRADING_DAYS). */
  tradingDaysAway: number;
  /** Synthetic units (strategy and unit number) held in that expiry now. */
  units: number;
}

export interface DigestPosition extends PositionLine {
  /** Loss to the stop from the entry, ≥ 0; null without a stop. */
  riskToStop: Paise | null;
}

export type TomorrowEvent =
  /** An exchange holiday on a weekday between today and the next trading day. */
  | { kind: "closed"; date: IstDate; reason: string }
  /** A special session between today and the next trading day (Muhurat, a Budget Saturday). */
  | { kind: "special-session"; date: IstDate; windows: string[]; description: string }
  | { kind: "expiry"; underlying: DigestUnderlying; date: IstDate };

export interface DigestTomorrow {
  /** The next trading day; null when it lies beyond the holiday data. */
  date: IstDate | null;
  events: TomorrowEvent[];
  /** Why something could not be worked out (holiday data ends). */
  note?: string;
}

export interface Digest {
  date: IstDate;
  capital: Paise;
  startEquity: Paise;
  equity: Paise;
  openPositions: DigestPosition[];
  /** Oldest exit first. */
  closedToday: TradeView[];
  realizedToday: Paise;
  chargesToday: Paise;
  wins: number;
  winRatePct: number | null;
  unrealized: Paise;
  netToday: Paise;
  openRisk: Paise;
  openRiskPct: number | null;
  unstopped: string[];
  capitalDeployed: Paise;
  capitalDeployedPct: number | null;
  breaker: string;
  tomorrow: DigestTomorrow;
  /** Rollovers within the notice window, soonest first (none when no index is traded as synthetic futures). */
  rollovers: RolloverNotice[];
  /** Why rollovers could not be worked out (holiday data ends). */
  rolloverNote?: string;
}

export interface DigestData {
  date: IstDate;
  capital: Paise;
  /** Equity at the last close booked before `date` (dailyBefore), or the capital. */
  startEquity: Paise;
  book: LedgerSnapshot;
  positions: readonly PositionView[];
  /** Trades that closed on `date`, any order. */
  trades: readonly TradeView[];
  /** desk.controls.describeBreaker(). */
  breaker: string;
  calendar: NseCalendar;
  /** Expiry dates from the instrument master, when loaded: they win over the rules. */
  expiriesFromMaster?: Partial<Record<DigestUnderlying, readonly IstDate[]>>;
  /** Synthetic futures' rollover rule; absent, no rollover notice. */
  rollover?: RolloverNoticeSettings;
}

export interface BuildDigestInput {
  date: IstDate;
  store: Store;
  capital: Paise;
  calendar: NseCalendar;
  breaker: string;
  /** The books now (desk.ledger()); read from the store when absent. */
  book?: LedgerSnapshot;
  expiriesFromMaster?: Partial<Record<DigestUnderlying, readonly IstDate[]>>;
  /** Synthetic futures' rollover rule (desk.fno.settings); absent, no rollover notice. */
  rollover?: RolloverNoticeSettings;
}

/** Reads what the digest needs from the store, then composes it. */
export async function buildDigest(input: BuildDigestInput): Promise<Digest> {
  const { date, store, capital } = input;
  const positions = await store.openPositions();
  const book = input.book ?? (await ledger(store, capital, positions));
  const trades = await store.trades({ from: fromIst(date), to: new Date(fromIst(addDays(date, 1)).getTime() - 1) });
  const before = await store.dailyBefore(date);
  return composeDigest({
    date,
    capital,
    startEquity: before?.endingEquity ?? capital,
    book,
    positions,
    trades,
    breaker: input.breaker,
    calendar: input.calendar,
    ...(input.expiriesFromMaster ? { expiriesFromMaster: input.expiriesFromMaster } : {}),
    rollover: input.rollover,
  });
}

/** The digest from plain data. */
export function composeDigest(d: DigestData): Digest {
  const closedToday = [...d.trades].sort((a, b) => a.exitTime.getTime() - b.exitTime.getTime() || a.id - b.id);
  const realizedToday = sum(closedToday.map((t) => t.net));
  const chargesToday = sum(closedToday.map((t) => t.charges));
  const wins = closedToday.filter((t) => t.net > 0).length;

  const today = fromIst(d.date).getTime();
  const openPositions: DigestPosition[] = d.positions.map((p) => {
    const u = unrealized(p);
    return {
      ...p,
      avgPrice: averagePrice(p),
      unrealized: u,
      unrealizedPct: p.costBasis > 0 ? (u / p.costBasis) * 100 : 0,
      daysHeld: Math.max(0, Math.round((today - fromIst(istDate(p.openedAt)).getTime()) / 86_400_000)),
      riskToStop: riskToStop(p),
    };
  });
  const openRisk = sum(openPositions.map((p) => p.riskToStop ?? 0));
  const capitalDeployed = sum(d.positions.map((p) => p.costBasis));
  const equity = d.book.equity;
  const ofEquity = (x: Paise): number | null => (equity > 0 ? (x / equity) * 100 : null);

  return {
    date: d.date,
    capital: d.capital,
    startEquity: d.startEquity,
    equity,
    openPositions,
    closedToday,
    realizedToday,
    chargesToday,
    wins,
    winRatePct: closedToday.length > 0 ? (wins / closedToday.length) * 100 : null,
    unrealized: d.book.unrealized,
    netToday: equity - d.startEquity,
    openRisk,
    openRiskPct: ofEquity(openRisk),
    // A synthetic unit's option legs carry no stop of their own: the unit's stop is on the index close.
    unstopped: openPositions.filter((p) => p.riskToStop === null && !parseOptionSymbol(p.symbol)).map((p) => p.symbol),
    capitalDeployed,
    capitalDeployedPct: ofEquity(capitalDeployed),
    breaker: d.breaker,
    tomorrow: tomorrowFor(d.date, d.calendar, d.expiriesFromMaster),
    ...rolloverNotices(d.date, d.positions, d.calendar, d.rollover),
  };
}

/** qty × (entry − stop) for a long, qty × (stop − entry) for a short, from the exact cost; never below 0. */
export function riskToStop(p: Pick<PositionView, "side" | "qty" | "costBasis" | "stop">): Paise | null {
  if (p.stop === null) return null;
  const atStop = BigInt(p.qty) * BigInt(p.stop);
  const cost = BigInt(p.costBasis);
  const risk = p.side === "long" ? cost - atStop : atStop - cost;
  return risk > 0n ? Number(risk) : 0;
}

/**
 * What the next trading day brings: holidays and special sessions before it,
 * NIFTY/BANKNIFTY monthly expiries on it. (Rollovers: rolloverNotices.)
 */
export function tomorrowFor(date: IstDate, calendar: NseCalendar, master?: Partial<Record<DigestUnderlying, readonly IstDate[]>>): DigestTomorrow {
  let next: IstDate;
  try {
    next = calendar.nextTradingDay(date);
  } catch (err) {
    if (err instanceof RangeError) return { date: null, events: [], note: err.message };
    throw err;
  }
  const events: TomorrowEvent[] = [];
  for (let d = addDays(date, 1); d < next; d = addDays(d, 1)) {
    const s = calendar.session(d);
    if (s?.kind === "special") {
      events.push({ kind: "special-session", date: d, windows: s.segments.map((w) => `${istTime(w.open)}–${istTime(w.close)}`), description: s.description ?? "special session" });
    }
    const holiday = calendar.holiday(d);
    const wd = weekday(d);
    if (holiday !== undefined && wd !== 0 && wd !== 6) events.push({ kind: "closed", date: d, reason: holiday });
  }
  try {
    for (const u of DIGEST_UNDERLYINGS) {
      const expiry = nextMonthlyExpiry(u, next, calendar, master?.[u]);
      if (expiry === next) events.push({ kind: "expiry", underlying: u, date: expiry });
    }
  } catch (err) {
    if (err instanceof RangeError) return { date: next, events, note: `expiries not checked: ${err.message}` };
    throw err;
  }
  return { date: next, events };
}

/**
 * Rollovers whose day is 1 to ROLLOVER_NOTICE_TRADING_DAYS trading days after
 * `date`, with the synthetic units held in the expiry that rolls. The expiries
 * looked at are the rule's next two monthlies and any a held leg is in (a unit
 * rolled by hand may sit further out). The roll day itself gets no notice: the
 * digest comes after the 15:00 roll.
 */
export function rolloverNotices(
  date: IstDate,
  positions: readonly PositionView[],
  calendar: NseCalendar,
  settings: RolloverNoticeSettings | undefined,
): { rollovers: RolloverNotice[]; rolloverNote?: string } {
  if (!settings) return { rollovers: [] };
  const out: RolloverNotice[] = [];
  try {
    for (const u of settings.underlyings) {
      const unitsIn = new Map<IstDate, Set<string>>();
      for (const p of positions) {
        const c = parseOptionSymbol(p.symbol);
        if (!c || c.underlying !== u) continue;
        const set = unitsIn.get(c.expiry) ?? new Set<string>();
        set.add(`${p.strategy}\u0000${p.unit ?? 0}`);
        unitsIn.set(c.expiry, set);
      }
      const thisMonth = nextMonthlyExpiry(u, date, calendar);
      const expiries = new Set([thisMonth, nextMonthlyExpiry(u, addDays(thisMonth, 1), calendar), ...unitsIn.keys()]);
      for (const expiry of expiries) {
        if (expiry < date) continue;
        const day = rolloverDay(expiry, settings.daysBefore, calendar);
        if (day <= date) continue;
        const away = calendar.tradingDaysBetween(date, day);
        if (away > ROLLOVER_NOTICE_TRADING_DAYS) continue;
        out.push({ underlying: u, expiry, day, at: ROLLOVER_AT, tradingDaysAway: away, units: unitsIn.get(expiry)?.size ?? 0 });
      }
    }
  } catch (err) {
    if (err instanceof RangeError) return { rollovers: out, rolloverNote: `rollovers not checked: ${err.message}` };
    throw err;
  }
  return { rollovers: out.sort((a, b) => a.day.localeCompare(b.day) || a.underlying.localeCompare(b.underlying)) };
}

/**
 * Daily equity rows up to and including `upTo`, oldest first, at most `maxDays`
 * (the daily performance table). One query per row: the store has no range read.
 */
export async function equityHistory(store: Pick<Store, "daily" | "dailyBefore">, upTo: IstDate, maxDays = 60): Promise<Array<{ date: IstDate; equity: Paise }>> {
  const rows: Array<{ date: IstDate; equity: Paise }> = [];
  let row = (await store.daily(upTo)) ?? (await store.dailyBefore(upTo));
  while (row && rows.length < maxDays) {
    rows.push({ date: row.date, equity: row.endingEquity });
    row = await store.dailyBefore(row.date);
  }
  return rows.reverse();
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
