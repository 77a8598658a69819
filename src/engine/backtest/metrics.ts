/**
 * Performance metrics of a run (backtest or live book), from its daily equity
 * curve and closed trades. Pure: plain data in, a plain report out.
 *
 * Conventions (where the textbooks disagree, this is what we do):
 * - The equity series is one marked-to-market row per trading day, oldest
 *   first, and its first row is the starting point of the run (a backtest
 *   emits a row with equity = startingCapital before/at its first bar).
 *   Daily returns are taken between consecutive rows, so n rows give n − 1
 *   returns; drawdowns are measured against the series' own running peak.
 * - CAGR = (endingCapital / startingCapital)^(365 / days) − 1, with `days` the
 *   calendar days between the first and last equity rows. Over a few days this
 *   extrapolates wildly; it is a rate, not a forecast.
 * - Drawdown per row is (equity / running peak − 1) × 100, so it is ≤ 0
 *   ("−2.5" = 2.5 % below the high). maxDrawdownPct is the depth as a positive
 *   number (2.5 means a 2.5 % fall), so Calmar = CAGR / maxDrawdownPct.
 * - maxDrawdownDays counts rows (trading days) from the peak row to the first
 *   row back at or above that peak; a drawdown still open at the end counts
 *   to the last row. A dip on Tuesday recovered on Wednesday after a Monday
 *   high is 2 days.
 * - Sharpe = mean(r − rf) / sd(r − rf) × √252, sd the sample standard
 *   deviation (n − 1). Sortino = mean(r − rf) / dd × √252 with the textbook
 *   target downside deviation dd = √(Σ min(0, r − rf)² / n) over ALL days
 *   (days above the target count as zero shortfall), divided by n, not n − 1.
 *   Both need at least two daily returns.
 * - The annual risk-free rate becomes daily by compounding over 252 trading
 *   days: (1 + rf)^(1/252) − 1.
 * - A win is a trade with net > 0; a breakeven trade counts as a non-win and
 *   adds nothing to either side of the profit factor.
 * - avgR averages only the trades that have an R (a stop); null if none do.
 * - exposurePct = exposureDays / number of equity rows × 100; null when the
 *   caller did not say how many days had a position open.
 * - turnover, when not given, is the traded value of both legs of the closed
 *   trades (entry price × qty + exit price × qty).
 * Any ratio with nothing to divide by is null, never Infinity or NaN.
 * Output is rounded: percentages and ratios to 4 decimals, rupees to 2.
 */
import { toRupees, type Paise } from "../money.js";
import { fromIst, isIstDate, type IstDate } from "../time/ist.js";
import type { TradeView } from "../views.js";

export const TRADING_DAYS_PER_YEAR = 252;
const DAY_MS = 86_400_000;

/** A closed trade as the metrics and the CSV need it (a TradeView fits). */
export type TradeLike = Pick<
  TradeView,
  "symbol" | "side" | "entryTime" | "entryPrice" | "exitTime" | "exitPrice" | "qty" | "gross" | "charges" | "net" | "r" | "exitReason"
>;

export interface EquityRow {
  date: IstDate;
  /** Equity at the day's close, marked to market. */
  equity: Paise;
}

export interface MetricsInput {
  startingCapital: Paise;
  /** One row per trading day, oldest first; the first row is the start. */
  equity: readonly EquityRow[];
  trades: readonly TradeLike[];
  /** Annual risk-free rate in percent (7 = 7 % a year); default 0. */
  riskFreePct?: number;
  /** Trading days with any position open. */
  exposureDays?: number;
  /** Traded value over the run; defaults to both legs of the closed trades. */
  turnover?: Paise;
}

export interface Metrics {
  /** Rupees. */
  startingCapital: number;
  /** Rupees: the last equity row (startingCapital when there are none). */
  endingCapital: number;
  cagrPct: number | null;
  /** Depth of the worst fall from a high, as a positive percent. */
  maxDrawdownPct: number;
  maxDrawdownDays: number;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  winRatePct: number | null;
  profitFactor: number | null;
  /** Rupees of net P&L per trade. */
  expectancy: number | null;
  avgR: number | null;
  exposurePct: number | null;
  trades: number;
  /** Rupees. */
  totalCharges: number;
  /** Rupees. */
  turnover: number;
}

export function computeMetrics(input: MetricsInput): Metrics {
  const { startingCapital, equity, trades } = input;
  const riskFreePct = input.riskFreePct ?? 0;
  if (!Number.isInteger(startingCapital) || startingCapital <= 0) {
    throw new RangeError(`starting capital must be a positive whole number of paise, got ${startingCapital}`);
  }
  if (!Number.isFinite(riskFreePct) || riskFreePct <= -100) {
    throw new RangeError(`risk-free rate must be a percent above -100, got ${riskFreePct}`);
  }
  checkEquity(equity);
  trades.forEach(checkTrade);
  if (input.exposureDays !== undefined) {
    const d = input.exposureDays;
    if (!Number.isInteger(d) || d < 0 || d > equity.length) {
      throw new RangeError(`exposure days must be a whole number from 0 to ${equity.length} (the trading days in the run), got ${d}`);
    }
  }
  if (input.turnover !== undefined && (!Number.isInteger(input.turnover) || input.turnover < 0)) {
    throw new RangeError(`turnover must be a non-negative whole number of paise, got ${input.turnover}`);
  }

  const first = equity[0];
  const last = equity[equity.length - 1];
  const ending = last?.equity ?? startingCapital;

  // CAGR over calendar days between the first and last rows.
  let cagr: number | null = null;
  if (first && last) {
    const days = Math.round((fromIst(last.date).getTime() - fromIst(first.date).getTime()) / DAY_MS);
    if (days > 0) cagr = (Math.pow(ending / startingCapital, 365 / days) - 1) * 100;
  }

  const dd = drawdownSeries(equity);
  let maxDd = 0;
  for (const x of dd) if (-x > maxDd) maxDd = -x;

  // Risk-adjusted returns from daily returns in excess of the daily risk-free rate.
  const rfDaily = Math.pow(1 + riskFreePct / 100, 1 / TRADING_DAYS_PER_YEAR) - 1;
  const excess: number[] = [];
  for (let i = 1; i < equity.length; i++) excess.push(equity[i]!.equity / equity[i - 1]!.equity - 1 - rfDaily);
  let sharpe: number | null = null;
  let sortino: number | null = null;
  if (excess.length >= 2) {
    const n = excess.length;
    const mean = excess.reduce((a, b) => a + b, 0) / n;
    const variance = excess.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
    const downside = Math.sqrt(excess.reduce((a, x) => a + Math.min(0, x) ** 2, 0) / n);
    const sd = Math.sqrt(variance);
    // Returns that only differ by float noise are flat, not infinitely good.
    if (sd > 1e-12) sharpe = (mean / sd) * Math.sqrt(TRADING_DAYS_PER_YEAR);
    if (downside > 1e-12) sortino = (mean / downside) * Math.sqrt(TRADING_DAYS_PER_YEAR);
  }

  // Trade statistics in integer paise.
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let netSum = 0;
  let chargeSum = 0;
  let rSum = 0;
  let rCount = 0;
  let legs = 0n;
  for (const t of trades) {
    netSum += t.net;
    chargeSum += t.charges;
    if (t.net > 0) {
      wins++;
      grossProfit += t.net;
    } else if (t.net < 0) grossLoss -= t.net;
    if (t.r !== null) {
      rSum += t.r;
      rCount++;
    }
    legs += BigInt(t.entryPrice) * BigInt(t.qty) + BigInt(t.exitPrice) * BigInt(t.qty);
  }
  const n = trades.length;
  const turnover = input.turnover ?? Number(legs);

  return {
    startingCapital: rupees(startingCapital),
    endingCapital: rupees(ending),
    cagrPct: roundOrNull(cagr, 4),
    maxDrawdownPct: round(maxDd, 4),
    maxDrawdownDays: maxDrawdownDays(equity),
    sharpe: roundOrNull(sharpe, 4),
    sortino: roundOrNull(sortino, 4),
    calmar: cagr !== null && maxDd > 0 ? round(cagr / maxDd, 4) : null,
    winRatePct: n > 0 ? round((wins / n) * 100, 4) : null,
    profitFactor: grossLoss > 0 ? round(grossProfit / grossLoss, 4) : null,
    expectancy: n > 0 ? round(netSum / n / 100, 2) : null,
    avgR: rCount > 0 ? round(rSum / rCount, 4) : null,
    exposurePct: input.exposureDays !== undefined && equity.length > 0 ? round((input.exposureDays / equity.length) * 100, 4) : null,
    trades: n,
    totalCharges: rupees(chargeSum),
    turnover: rupees(turnover),
  };
}

/**
 * Per row, how far equity sits below its running high, in percent: ≤ 0
 * (0 at a new high, −2.5 when 2.5 % below it). Unrounded; aligned with the rows.
 */
export function drawdownSeries(equity: readonly Pick<EquityRow, "equity">[]): number[] {
  const out: number[] = [];
  let peak = -Infinity;
  for (const row of equity) {
    if (row.equity > peak) peak = row.equity;
    // The integer difference keeps a row at its peak at exactly 0.
    out.push(row.equity === peak ? 0 : ((row.equity - peak) / peak) * 100);
  }
  return out;
}

/** Longest stretch, in rows, from a high to the first row back at or above it (or to the end). */
function maxDrawdownDays(equity: readonly EquityRow[]): number {
  let longest = 0;
  let peak = -Infinity;
  let peakIndex = 0;
  let underwater = false;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!.equity;
    if (e >= peak) {
      if (underwater) longest = Math.max(longest, i - peakIndex);
      underwater = false;
      peak = e;
      peakIndex = i;
    } else underwater = true;
  }
  // Still under water at the end: count to the last row.
  if (underwater) longest = Math.max(longest, equity.length - 1 - peakIndex);
  return longest;
}

function checkEquity(equity: readonly EquityRow[]): void {
  let prev: IstDate | null = null;
  for (const [i, row] of equity.entries()) {
    if (typeof row.date !== "string" || !isIstDate(row.date)) {
      throw new RangeError(`equity row ${i + 1}: date must be YYYY-MM-DD, got ${JSON.stringify(row.date)}`);
    }
    if (!Number.isInteger(row.equity) || row.equity <= 0) {
      throw new RangeError(`equity row ${i + 1} (${row.date}): equity must be a positive whole number of paise, got ${row.equity}`);
    }
    if (prev !== null && row.date <= prev) {
      throw new RangeError(`equity row ${i + 1} (${row.date}) is not after the row before it (${prev}): one row per trading day, oldest first`);
    }
    prev = row.date;
  }
}

function checkTrade(t: TradeLike, i: number): void {
  const what = `trade ${i + 1} (${t.symbol})`;
  for (const k of ["entryPrice", "exitPrice", "gross", "charges", "net"] as const) {
    if (!Number.isInteger(t[k])) throw new RangeError(`${what}: ${k} must be a whole number of paise, got ${t[k]}`);
  }
  if (!Number.isInteger(t.qty) || t.qty < 0) throw new RangeError(`${what}: qty must be a whole number ≥ 0, got ${t.qty}`);
  if (t.r !== null && !Number.isFinite(t.r)) throw new RangeError(`${what}: r must be a number or null, got ${t.r}`);
}

function rupees(p: Paise): number {
  return round(toRupees(p), 2);
}

/** Rounds half away from zero; never returns −0. */
export function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
  return r === 0 ? 0 : r;
}

function roundOrNull(x: number | null, decimals: number): number | null {
  return x === null || !Number.isFinite(x) ? null : round(x, decimals);
}
