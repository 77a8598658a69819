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
 * - rollover: due three trading days before a monthly expiry.
 */
import type { Store } from "../db/store.js";
import type { NseCalendar } from "./market/calendar.js";
import { nextMonthlyExpiry } from "./market/expiry.js";
import type { Paise } from "./money.js";
import { ledger, type LedgerSnapshot } from "./portfolio/ledger.js";
import type { PositionLine } from "./reports.js";
import { addDays, fromIst, istDate, istTime, weekday, type IstDate } from "./time/ist.js";
import { averagePrice, unrealized, type PositionView, type TradeView } from "./views.js";

export const DIGEST_UNDERLYINGS = ["NIFTY", "BANKNIFTY"] as const;
export type DigestUnderlying = (typeof DIGEST_UNDERLYINGS)[number];

/** Trading days of notice before a monthly expiry that a rollover is due. */
export const ROLLOVER_NOTICE_TRADING_DAYS = 3;

export interface DigestPosition extends PositionLine {
  /** Loss to the stop from the entry, ≥ 0; null without a stop. */
  riskToStop: Paise | null;
}

export type TomorrowEvent =
  /** An exchange holiday on a weekday between today and the next trading day. */
  | { kind: "closed"; date: IstDate; reason: string }
  /** A special session between today and the next trading day (Muhurat, a Budget Saturday). */
  | { kind: "special-session"; date: IstDate; windows: string[]; description: string }
  | { kind: "expiry"; underlying: DigestUnderlying; date: IstDate }
  | { kind: "rollover"; underlying: DigestUnderlying; expiry: IstDate };

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
    unstopped: openPositions.filter((p) => p.riskToStop === null).map((p) => p.symbol),
    capitalDeployed,
    capitalDeployedPct: ofEquity(capitalDeployed),
    breaker: d.breaker,
    tomorrow: tomorrowFor(d.date, d.calendar, d.expiriesFromMaster),
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
 * NIFTY/BANKNIFTY monthly expiries on it, rollovers due on it.
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
      else if (calendar.addTradingDays(expiry, -ROLLOVER_NOTICE_TRADING_DAYS) === next) events.push({ kind: "rollover", underlying: u, expiry });
    }
  } catch (err) {
    if (err instanceof RangeError) return { date: next, events, note: `expiries not checked: ${err.message}` };
    throw err;
  }
  return { date: next, events };
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
