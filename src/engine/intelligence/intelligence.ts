/**
 * The intelligence layer as the desk sees it: one call per entry signal that
 * answers whether to trade, the three size factors (allocation share, sentiment,
 * regime) and a record of every input behind them, kept on the signal so the
 * signal message and /why can say why.
 *
 * It reads three sources through small ports, so each may be missing: no news
 * model (sentiment neutral), no regime model (regime unknown, factor 1).
 */
import type { Regime } from "../../config.js";
import type { Paise } from "../money.js";
import { addDays, istDate, type IstDate } from "../time/ist.js";
import { allocate, ALLOCATOR_WINDOW_DAYS, type Allocation, type StrategyDay, type StrategyShare } from "./allocator.js";

/** What the sentiment service tells about a symbol. */
export interface SentimentReading {
  score: number;
  confidence: number;
  articles: ReadonlyArray<{ id: number; title: string; score: number; confidence: number; outcome: string; fallbackReason?: string | null }>;
  reason: string;
}

export interface SentimentPort {
  forSymbol(symbol: string, now: Date): Promise<SentimentReading>;
}

/** Seed 000's trade adjustment for a side and a reading. */
export type SentimentRule = (side: "long" | "short", s: { score: number; confidence: number }) => { trade: boolean; multiplier: number; reason: string };

export type RegimeReading =
  | { unknown?: false; dayType: Regime; confidence: number; reason: string; features?: object }
  | { unknown: true; reason: string };

export interface RegimePort {
  call(date: IstDate, opts: { sentiment?: number }): RegimeReading | Promise<RegimeReading>;
}

/** What the allocator reads: the per-strategy day rows and trade counts. */
export interface PerformanceSource {
  strategyDays(from: string, to: string): Promise<StrategyDay[]>;
  strategyTradeCounts(to: string): Promise<Map<string, number>>;
}

export interface RegimeSizingRule {
  regime: Regime;
  /** A strategy name, or * for every strategy. */
  strategy: string;
  factor: number;
}

export interface IntelligenceOptions {
  sentiment: SentimentPort | null;
  /** Why there is no sentiment service (e.g. "no OPENAI_API_KEY set"), for the record. */
  sentimentOff?: string;
  sentimentRule: SentimentRule;
  regime: RegimePort | null;
  regimeOff?: string;
  regimeSizing: readonly RegimeSizingRule[];
  performance: PerformanceSource;
  /** The strategies sharing CAPITAL (index strategies on their own capital are not among them). */
  allocated: readonly string[];
  capital: Paise;
  /** The window's trading days; the NSE calendar's sessions. */
  isTradingDay: (d: IstDate) => boolean;
}

export interface Assessment {
  /** False: the signal is not traded; `skipReason` says why. */
  trade: boolean;
  skipReason: string | null;
  allocationWeight: number;
  sentimentMultiplier: number;
  regimeMultiplier: number;
  /** Kept on the signal (signals.intelligence). */
  record: IntelligenceRecord;
}

export interface IntelligenceRecord {
  [key: string]: unknown;
  sentiment: {
    symbol: string;
    score: number;
    confidence: number;
    multiplier: number;
    trade: boolean;
    reason: string;
    articles: Array<{ id: number; title: string; score: number; confidence: number; outcome: string; fallbackReason: string | null }>;
  };
  regime: { dayType: Regime | null; confidence: number | null; factor: number; reason: string };
  allocation: { share: number; rank: number | null; sharpe: number | null; trades: number; rule: "ranked" | "equal" | "unallocated"; reason: string };
}

export const MARKET_KEY = "MARKET";

/** The REGIME_SIZING factor for a regime and strategy: the strategy's own rule first, then *, else 1. */
export function regimeFactor(rules: readonly RegimeSizingRule[], regime: Regime, strategy: string): { factor: number; rule: string | null } {
  const own = rules.find((r) => r.regime === regime && r.strategy === strategy);
  const any = rules.find((r) => r.regime === regime && r.strategy === "*");
  const hit = own ?? any;
  return hit ? { factor: hit.factor, rule: `${hit.regime}:${hit.strategy}=${hit.factor}` } : { factor: 1, rule: null };
}

export class Intelligence {
  private allocationDay: IstDate | null = null;
  private allocation: Allocation | null = null;
  private regimeDay: IstDate | null = null;
  private regimeReading: RegimeReading | null = null;

  constructor(readonly opts: IntelligenceOptions) {}

  /** The allocation for a day, from the 30 calendar days before it (computed once a day). */
  async allocationFor(day: IstDate): Promise<Allocation> {
    if (this.allocation && this.allocationDay === day) return this.allocation;
    const from = addDays(day, -ALLOCATOR_WINDOW_DAYS);
    const to = addDays(day, -1);
    const tradingDays: IstDate[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) if (this.opts.isTradingDay(d)) tradingDays.push(d);
    const [days, tradeCounts] = await Promise.all([this.opts.performance.strategyDays(from, to), this.opts.performance.strategyTradeCounts(to)]);
    this.allocation = allocate({ strategies: this.opts.allocated, days, tradingDays, tradeCounts, capital: this.opts.capital });
    this.allocationDay = day;
    return this.allocation;
  }

  /** Today's regime call (once a day; the morning features do not change during the day). */
  async regimeFor(day: IstDate, now: Date): Promise<RegimeReading> {
    if (this.regimeReading && this.regimeDay === day) return this.regimeReading;
    let reading: RegimeReading;
    if (!this.opts.regime) reading = { unknown: true, reason: this.opts.regimeOff ?? "no regime detector" };
    else {
      const market = this.opts.sentiment ? await this.opts.sentiment.forSymbol(MARKET_KEY, now).catch(() => null) : null;
      try {
        reading = await this.opts.regime.call(day, market && market.confidence > 0 ? { sentiment: market.score } : {});
      } catch (err) {
        reading = { unknown: true, reason: `the regime detector failed: ${(err as Error).message}` };
      }
    }
    this.regimeReading = reading;
    this.regimeDay = day;
    return reading;
  }

  /** Whether and how large: the entry's strategy, symbol and side at market time `now`. */
  async assess(d: { strategy: string; symbol: string; side: "long" | "short" }, now: Date): Promise<Assessment> {
    const day = istDate(now);
    const [sentimentRec, regimeRec, allocationRec] = await Promise.all([this.sentimentOf(d, now), this.regimeOf(d.strategy, day, now), this.allocationOf(d.strategy, day)]);
    const record: IntelligenceRecord = { sentiment: sentimentRec, regime: regimeRec, allocation: allocationRec };
    const skipReason = !sentimentRec.trade
      ? sentimentRec.reason
      : regimeRec.factor === 0
        ? regimeRec.reason
        : allocationRec.share === 0
          ? allocationRec.reason
          : null;
    return {
      trade: skipReason === null,
      skipReason,
      allocationWeight: allocationRec.share,
      sentimentMultiplier: sentimentRec.multiplier,
      regimeMultiplier: regimeRec.factor,
      record,
    };
  }

  private async sentimentOf(d: { symbol: string; side: "long" | "short" }, now: Date): Promise<IntelligenceRecord["sentiment"]> {
    if (!this.opts.sentiment) {
      return { symbol: d.symbol, score: 0, confidence: 0, multiplier: 1, trade: true, reason: `sentiment neutral: ${this.opts.sentimentOff ?? "no sentiment service"}`, articles: [] };
    }
    let reading: SentimentReading;
    try {
      reading = await this.opts.sentiment.forSymbol(d.symbol, now);
    } catch (err) {
      // The service answers neutral itself; this is the last line if it ever throws.
      reading = { score: 0, confidence: 0, articles: [], reason: `sentiment neutral: the sentiment service failed (${(err as Error).message})` };
    }
    const rule = this.opts.sentimentRule(d.side, reading);
    return {
      symbol: d.symbol,
      score: reading.score,
      confidence: reading.confidence,
      multiplier: rule.trade ? rule.multiplier : 0,
      trade: rule.trade,
      reason: `${rule.reason} (${reading.reason})`,
      articles: reading.articles.map((a) => ({ id: a.id, title: a.title, score: a.score, confidence: a.confidence, outcome: a.outcome, fallbackReason: a.fallbackReason ?? null })),
    };
  }

  private async regimeOf(strategy: string, day: IstDate, now: Date): Promise<IntelligenceRecord["regime"]> {
    const r = await this.regimeFor(day, now);
    if (r.unknown) return { dayType: null, confidence: null, factor: 1, reason: `regime unknown (${r.reason}): size ×1` };
    const f = regimeFactor(this.opts.regimeSizing, r.dayType, strategy);
    const conf = `${Math.round(r.confidence * 100)}% confidence`;
    const reason =
      f.rule === null
        ? `regime ${r.dayType} (${conf}): no REGIME_SIZING rule for ${strategy}, size ×1`
        : f.factor === 0
          ? `regime ${r.dayType} (${conf}): REGIME_SIZING ${f.rule} keeps ${strategy} out today`
          : `regime ${r.dayType} (${conf}): REGIME_SIZING ${f.rule}, size ×${f.factor}`;
    return { dayType: r.dayType, confidence: r.confidence, factor: f.factor, reason };
  }

  private async allocationOf(strategy: string, day: IstDate): Promise<IntelligenceRecord["allocation"]> {
    if (!this.opts.allocated.includes(strategy)) {
      return { share: 1, rank: null, sharpe: null, trades: 0, rule: "unallocated", reason: `${strategy} is sized on its own capital, outside the allocator` };
    }
    const a = await this.allocationFor(day);
    const s: StrategyShare = a.shares.find((x) => x.strategy === strategy)!;
    return { share: s.share, rank: s.rank, sharpe: s.sharpe, trades: s.trades, rule: a.rule, reason: s.reason };
  }
}
