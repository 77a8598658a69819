/**
 * Seed 000's strategy allocator: capital shared among the strategies by their
 * rolling 30-day Sharpe ratio. With at least four strategies of 10 or more closed
 * trades, the best four by Sharpe get 40%, 30%, 20% and 10% of capital and the
 * rest nothing; otherwise every strategy gets an equal share.
 *
 * Choices where the seed is silent, each for a careful trader:
 * - The window is the 30 calendar days before the day sized (today's trades are
 *   not in yet), and its returns are every trading day's net P&L over CAPITAL:
 *   a day a strategy was flat counts as 0, so a strategy that traded once in a
 *   month is not mistaken for a steady one.
 * - "At least 10 trades" counts closed trades over the strategy's whole record
 *   up to the window's end: 30 days is too short for slow strategies to reach 10,
 *   and the count is there to keep a lucky handful of trades from ranking.
 * - Sharpe = mean / sample sd × √252, as the backtest reports it; a strategy
 *   with no variation in the window (flat all month) ranks as Sharpe 0.
 *   Ties go to the strategy with more trades, then by name, so the order is stable.
 */
import type { Paise } from "../money.js";
import type { IstDate } from "../time/ist.js";

export const ALLOCATOR_WINDOW_DAYS = 30;
export const ALLOCATOR_MIN_TRADES = 10;
export const RANKED_SHARES: readonly number[] = Object.freeze([0.4, 0.3, 0.2, 0.1]);
const TRADING_DAYS_PER_YEAR = 252;

export interface StrategyDay {
  strategy: string;
  date: IstDate;
  trades: number;
  net: Paise;
}

export interface AllocationInput {
  /** The strategies sharing CAPITAL, in the order the desk lists them. */
  strategies: readonly string[];
  /** Per-strategy day rows; rows outside `tradingDays` are ignored. */
  days: readonly StrategyDay[];
  /** The window's trading days (the NSE calendar's sessions in it). */
  tradingDays: readonly IstDate[];
  /** Closed trades per strategy up to the window's end. */
  tradeCounts: ReadonlyMap<string, number>;
  capital: Paise;
  minTrades?: number;
}

export interface StrategyShare {
  strategy: string;
  /** Fraction of capital, 0..1. */
  share: number;
  /** 1-based rank by Sharpe among the eligible strategies; null when not eligible. */
  rank: number | null;
  /** Annualised Sharpe of the window's daily returns; null with no variation. */
  sharpe: number | null;
  trades: number;
  eligible: boolean;
  reason: string;
}

export interface Allocation {
  rule: "ranked" | "equal";
  windowFrom: IstDate | null;
  windowTo: IstDate | null;
  shares: StrategyShare[];
  reason: string;
}

/** mean / sample sd × √252 of the daily returns; null when every day is the same. */
export function annualisedSharpe(returns: readonly number[]): number | null {
  const n = returns.length;
  if (n < 2) return null;
  const mean = returns.reduce((a, b) => a + b, 0) / n;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1);
  const sd = Math.sqrt(variance);
  if (!(sd > 1e-12)) return null;
  return (mean / sd) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

function pct(x: number): string {
  return `${Math.round(x * 10_000) / 100}%`;
}

function fmtSharpe(s: number | null): string {
  return s === null ? "no variation" : s.toFixed(2);
}

export function allocate(input: AllocationInput): Allocation {
  const minTrades = input.minTrades ?? ALLOCATOR_MIN_TRADES;
  const days = new Set(input.tradingDays);
  const sorted = [...input.tradingDays].sort();
  const windowFrom = sorted[0] ?? null;
  const windowTo = sorted.at(-1) ?? null;
  const netByStrategyDay = new Map<string, Map<IstDate, number>>();
  for (const d of input.days) {
    if (!days.has(d.date)) continue;
    const m = netByStrategyDay.get(d.strategy) ?? new Map<IstDate, number>();
    m.set(d.date, (m.get(d.date) ?? 0) + d.net);
    netByStrategyDay.set(d.strategy, m);
  }
  const stats = input.strategies.map((strategy) => {
    const nets = netByStrategyDay.get(strategy);
    const returns = input.tradingDays.map((day) => (nets?.get(day) ?? 0) / input.capital);
    const trades = input.tradeCounts.get(strategy) ?? 0;
    return { strategy, sharpe: annualisedSharpe(returns), trades, eligible: trades >= minTrades };
  });
  const eligible = stats
    .filter((s) => s.eligible)
    .sort((a, b) => (b.sharpe ?? 0) - (a.sharpe ?? 0) || b.trades - a.trades || (a.strategy < b.strategy ? -1 : 1));
  const window = windowFrom && windowTo ? `${windowFrom} to ${windowTo}` : "no trading days";

  if (eligible.length >= RANKED_SHARES.length) {
    const rank = new Map(eligible.map((s, i) => [s.strategy, i + 1]));
    const shares = stats.map((s): StrategyShare => {
      const r = rank.get(s.strategy) ?? null;
      const share = r !== null && r <= RANKED_SHARES.length ? RANKED_SHARES[r - 1]! : 0;
      const reason = !s.eligible
        ? `${s.strategy} has ${s.trades} closed trades, under the ${minTrades} the allocator needs, so it gets no capital while four strategies qualify`
        : share > 0
          ? `${s.strategy} ranks ${r} of ${eligible.length} by 30-day Sharpe (${fmtSharpe(s.sharpe)}, ${window}): ${pct(share)} of capital`
          : `${s.strategy} ranks ${r} of ${eligible.length} by 30-day Sharpe (${fmtSharpe(s.sharpe)}): only the top four get capital`;
      return { ...s, share, rank: r, reason };
    });
    return { rule: "ranked", windowFrom, windowTo, shares, reason: `${eligible.length} strategies have ${minTrades}+ closed trades: the top four by 30-day Sharpe get 40/30/20/10%` };
  }

  const n = input.strategies.length;
  const share = n > 0 ? 1 / n : 0;
  const shares = stats.map((s): StrategyShare => ({
    ...s,
    share,
    rank: null,
    reason: `equal shares: only ${eligible.length} of ${n} strategies have ${minTrades}+ closed trades (four needed to rank), so ${s.strategy} gets 1/${n} = ${pct(share)} of capital`,
  }));
  return { rule: "equal", windowFrom, windowTo, shares, reason: `fewer than four strategies have ${minTrades}+ closed trades: equal shares of 1/${n}` };
}
