/**
 * Builds the intelligence layer from the settings: the news sentiment service
 * (when OPENAI_API_KEY is set), the regime detector (when a model is trained)
 * and the allocator over the strategies that share CAPITAL.
 */
import type { Config } from "./config.js";
import type { Store } from "./db/store.js";
import { Intelligence, type SentimentRule } from "./engine/intelligence/intelligence.js";
import type { NseCalendar } from "./engine/market/calendar.js";
import { toPaise } from "./engine/money.js";

/** Strategies sized on capital of their own (BANKNIFTY_CAPITAL), outside the allocator. */
const OWN_CAPITAL = new Set(["banknifty-trend"]);

export interface IntelligenceParts {
  sentimentRule: SentimentRule;
}

export function buildIntelligence(cfg: Config, store: Store, calendar: NseCalendar, parts: IntelligenceParts): Intelligence | undefined {
  if (cfg.INTELLIGENCE === "off") return undefined;
  return new Intelligence({
    sentiment: null,
    sentimentOff: cfg.OPENAI_API_KEY ? "the sentiment service is not running" : "no OPENAI_API_KEY set",
    sentimentRule: parts.sentimentRule,
    regime: null,
    regimeOff: "no regime model: run dalal regime train",
    regimeSizing: cfg.REGIME_SIZING,
    performance: store,
    allocated: cfg.ENABLED_STRATEGIES.filter((s) => !OWN_CAPITAL.has(s)),
    capital: toPaise(cfg.CAPITAL),
    isTradingDay: (d) => (calendar.isCovered(d) ? calendar.isTradingDay(d) : ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())),
  });
}
