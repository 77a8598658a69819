import type { Store } from "../db/store.js";
import type { Paise } from "./money.js";
import type { LedgerSnapshot } from "./portfolio/ledger.js";
import { addDays, fromIst, istDate, weekday, type IstDate } from "./time/ist.js";
import { averagePrice, unrealized, type PositionView, type TradeView } from "./views.js";

export type PnlPeriod = "today" | "week" | "month" | "all";
export const PNL_PERIODS: readonly PnlPeriod[] = ["today", "week", "month", "all"];

export interface PnlReport {
  period: PnlPeriod;
  from: IstDate | null;
  to: IstDate;
  realized: Paise;
  charges: Paise;
  trades: number;
  wins: number;
  unrealized: Paise;
  /** Equity change over the period, marked to market. */
  total: Paise;
}

export interface PositionLine extends PositionView {
  avgPrice: Paise;
  unrealized: Paise;
  unrealizedPct: number;
  daysHeld: number;
}

/** Read-side summaries for the chat and the daily digest, in market time. */
export class Reports {
  constructor(
    private readonly repo: Store,
    private readonly today: () => IstDate,
    private readonly capital: Paise,
  ) {}

  /** Writes the day's row: equity at the close, what was realized, what it cost. */
  async closeDay(date: IstDate, book: LedgerSnapshot): Promise<void> {
    const prev = await this.repo.dailyBefore(date);
    const dayTrades = await this.tradesOn(date, date);
    const byStrategy = new Map<string, TradeView[]>();
    for (const t of dayTrades) byStrategy.set(t.strategy, [...(byStrategy.get(t.strategy) ?? []), t]);
    await this.repo.upsertDaily({
      date,
      startingEquity: prev?.endingEquity ?? this.capital,
      endingEquity: book.equity,
      realized: sum(dayTrades.map((t) => t.net)),
      unrealized: book.unrealized,
      charges: sum(dayTrades.map((t) => t.charges)),
      trades: dayTrades.length,
      wins: dayTrades.filter((t) => t.net > 0).length,
    });
    for (const [strategy, list] of byStrategy) {
      await this.repo.upsertStrategyDay({
        strategy,
        date,
        trades: list.length,
        wins: list.filter((t) => t.net > 0).length,
        net: sum(list.map((t) => t.net)),
        rBp: sum(list.map((t) => Math.round((t.r ?? 0) * 10_000))),
      });
    }
  }

  private tradesOn(from: IstDate | null, to: IstDate): Promise<TradeView[]> {
    return this.repo.trades({ ...(from ? { from: fromIst(from) } : {}), to: new Date(fromIst(addDays(to, 1)).getTime() - 1) });
  }

  periodStart(period: PnlPeriod, today: IstDate): IstDate | null {
    switch (period) {
      case "today":
        return today;
      case "week":
        return addDays(today, -((weekday(today) + 6) % 7)); // Monday
      case "month":
        return today.slice(0, 8) + "01";
      case "all":
        return null;
    }
  }

  async pnl(period: PnlPeriod, book: LedgerSnapshot): Promise<PnlReport> {
    const to = this.today();
    const from = this.periodStart(period, to);
    // Summed by the store: "all" over years of trades must still answer at once.
    const summary = await this.repo.tradeSummary({ ...(from ? { from: fromIst(from) } : {}), to: new Date(fromIst(addDays(to, 1)).getTime() - 1) });
    const before = from ? await this.repo.dailyBefore(from) : undefined;
    const startEquity = from ? (before?.endingEquity ?? this.capital) : this.capital;
    return {
      period,
      from,
      to,
      realized: sum(summary.map((x) => x.net)),
      charges: sum(summary.map((x) => x.charges)),
      trades: sum(summary.map((x) => x.trades)),
      wins: sum(summary.map((x) => x.wins)),
      unrealized: book.unrealized,
      total: book.equity - startEquity,
    };
  }

  async positions(now: Date): Promise<PositionLine[]> {
    const open = await this.repo.openPositions();
    const today = istDate(now);
    return open.map((p) => {
      const u = unrealized(p);
      return {
        ...p,
        avgPrice: averagePrice(p),
        unrealized: u,
        unrealizedPct: p.costBasis > 0 ? (u / p.costBasis) * 100 : 0,
        daysHeld: Math.max(0, Math.round((fromIst(today).getTime() - fromIst(istDate(p.openedAt)).getTime()) / 86_400_000)),
      };
    });
  }

  recentTrades(n: number): Promise<TradeView[]> {
    return this.repo.trades({ limit: n });
  }
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
