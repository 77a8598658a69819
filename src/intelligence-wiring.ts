/**
 * Builds the intelligence layer from the settings: the news sentiment service
 * (neutral without OPENAI_API_KEY), the news poller over NEWS_FEEDS, the regime
 * detector (when a model is trained) and the allocator over the strategies that
 * share CAPITAL.
 */
import type { Config } from "./config.js";
import type { Db } from "./db/connection.js";
import { NewsRepo } from "./db/news-repo.js";
import type { Store } from "./db/store.js";
import type { Clock } from "./engine/clock.js";
import { Intelligence, type RegimePort, type SentimentPort } from "./engine/intelligence/intelligence.js";
import { NewsPoller } from "./engine/intelligence/news-poller.js";
import { SentimentService, type SentimentLog } from "./engine/intelligence/sentiment.js";
import { sentimentAdjustment } from "./engine/intelligence/trade-adjustment.js";
import type { NseCalendar } from "./engine/market/calendar.js";
import type { RegimeDetector } from "./engine/intelligence/regime/detector.js";
import { toPaise } from "./engine/money.js";
import type { IstDate } from "./engine/time/ist.js";

/** Strategies sized on capital of their own (BANKNIFTY_CAPITAL), outside the allocator. */
const OWN_CAPITAL = new Set(["banknifty-trend"]);

/**
 * The desk reads sentiment from the cache only: scoring is the poller's and
 * /news's job, so an order never waits on the model.
 */
export function cachedSentiment(service: SentimentService): SentimentPort {
  return { forSymbol: (symbol, now) => service.forSymbol(symbol, now, { score: false }) };
}

export function isSession(calendar: NseCalendar): (d: IstDate) => boolean {
  // Outside the calendar's years (no holiday file), weekdays stand in for sessions.
  return (d) => (calendar.isCovered(d) ? calendar.isTradingDay(d) : ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
}

export function allocatedStrategies(enabled: readonly string[]): string[] {
  return enabled.filter((s) => !OWN_CAPITAL.has(s));
}

/** The desk asks once a day: the model file is read afresh each time, so a new `dalal regime train` counts from the next day. */
export function dailyRegime(detector: RegimeDetector): RegimePort {
  return {
    call(date, opts) {
      detector.reload();
      return detector.call(date, opts);
    },
  };
}

export interface IntelligenceWiring {
  intelligence: Intelligence | undefined;
  sentiment: SentimentService | null;
  poller: NewsPoller | null;
}

export function buildIntelligence(
  cfg: Config,
  deps: { store: Store; db: Db; calendar: NseCalendar; clock: Clock; log: SentimentLog; regime: RegimePort | null; regimeOff: string },
): IntelligenceWiring {
  if (cfg.INTELLIGENCE === "off") return { intelligence: undefined, sentiment: null, poller: null };
  const news = new NewsRepo(deps.db);
  const sentiment = SentimentService.fromSettings(cfg, { store: news, clock: deps.clock, log: deps.log });
  const poller = cfg.NEWS_FEEDS.length > 0 ? new NewsPoller({ feeds: cfg.NEWS_FEEDS, store: news, sentiment, clock: deps.clock, log: deps.log }) : null;
  const intelligence = new Intelligence({
    sentiment: cachedSentiment(sentiment),
    sentimentRule: sentimentAdjustment,
    regime: deps.regime,
    regimeOff: deps.regimeOff,
    regimeSizing: cfg.REGIME_SIZING,
    performance: deps.store,
    allocated: allocatedStrategies(cfg.ENABLED_STRATEGIES),
    capital: toPaise(cfg.CAPITAL),
    isTradingDay: isSession(deps.calendar),
  });
  return { intelligence, sentiment, poller };
}
