/**
 * `dalal backtest --intelligence on`: the same run with the intelligence layer
 * sizing and filtering it. Sentiment replays from the stored cache (the
 * articles and their scores in Dalal's database, read at each bar's time; the
 * model is never asked); without stored sentiment every reading is neutral and
 * the report says so. The regime comes from the trained model, the allocation
 * from the run's own record.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../config.js";
import { openDatabase, type Database } from "../db/connection.js";
import { acquireHomeLock, LockHeldError } from "../db/lock.js";
import { NewsRepo } from "../db/news-repo.js";
import type { Store } from "../db/store.js";
import { systemClock } from "../engine/clock.js";
import { Intelligence, type IntelligenceRecord } from "../engine/intelligence/intelligence.js";
import { RegimeDetector } from "../engine/intelligence/regime/detector.js";
import { SentimentService } from "../engine/intelligence/sentiment.js";
import { sentimentAdjustment } from "../engine/intelligence/trade-adjustment.js";
import type { NseCalendar } from "../engine/market/calendar.js";
import type { Paise } from "../engine/money.js";
import { istDate } from "../engine/time/ist.js";
import type { SignalView } from "../engine/views.js";
import { cachedSentiment, isSession } from "../intelligence-wiring.js";

export interface BacktestIntelligence {
  /** Builds the layer on the run's own store. */
  build(store: Store): Intelligence;
  /** Where sentiment came from, for the report. */
  sentimentSource: string;
  modelPath: string;
  close(): Promise<void>;
}

/** Opens the stored sentiment cache if there is one to read; never creates a database. */
async function openCache(cfg: Config): Promise<{ database: Database; release: () => void } | { reason: string }> {
  if (cfg.DATABASE_URL) return { database: await openDatabase({ url: cfg.DATABASE_URL }), release: () => {} };
  const home = resolve(cfg.DALAL_HOME);
  if (!existsSync(join(home, "pgdata"))) return { reason: `no database under ${cfg.DALAL_HOME} yet, so no stored sentiment` };
  let release: () => void;
  try {
    release = acquireHomeLock(home);
  } catch (err) {
    if (err instanceof LockHeldError) return { reason: "the embedded database is in use by a running Dalal (stop it, or use DATABASE_URL), so no stored sentiment was read" };
    throw err;
  }
  return { database: await openDatabase({ dataDir: join(home, "pgdata") }), release };
}

export async function backtestIntelligence(cfg: Config, o: { strategy: string; capital: Paise; calendar: NseCalendar }): Promise<BacktestIntelligence> {
  const modelPath = cfg.REGIME_MODEL ?? join(resolve(cfg.DALAL_HOME), "regime-model.json");
  const detector = new RegimeDetector({ modelPath, calendar: o.calendar });
  const cache = await openCache(cfg);
  const sentiment =
    "database" in cache
      ? // No scorer: the backtest reads what was stored and never asks the model.
        new SentimentService({ store: new NewsRepo(cache.database.db), scorer: null, clock: systemClock, dailyTokenBudget: 0, lookbackHours: cfg.SENTIMENT_LOOKBACK_HOURS })
      : null;
  return {
    sentimentSource: "database" in cache ? "the stored sentiment cache, read at each bar's time" : `neutral: ${cache.reason}`,
    modelPath,
    build: (store) =>
      new Intelligence({
        sentiment: sentiment ? cachedSentiment(sentiment) : null,
        sentimentOff: "database" in cache ? "" : cache.reason,
        sentimentRule: sentimentAdjustment,
        regime: detector,
        regimeSizing: cfg.REGIME_SIZING,
        performance: store,
        allocated: [o.strategy],
        capital: o.capital,
        isTradingDay: isSession(o.calendar),
      }),
    close: async () => {
      if ("database" in cache) {
        await cache.database.close();
        cache.release();
      }
    },
  };
}

export interface IntelligenceSummary {
  mode: "on";
  sentimentSource: string;
  regimeModel: string;
  entries: number;
  withNews: number;
  sentimentSkipped: number;
  sentimentRaised: number;
  regimeKnownDays: number;
  regimeUnknownDays: number;
  regimeDays: Record<string, number>;
  regimeSkipped: number;
  regimeUnknownReason: string | null;
  note: string;
}

/** What the layer did over the run, from the records it left on the entry signals. */
export function summariseIntelligence(signals: readonly SignalView[], src: { sentimentSource: string; modelPath: string }): IntelligenceSummary {
  const entries = signals.filter((s) => s.kind === "entry" && s.intelligence);
  const recs = entries.map((s) => ({ s, r: s.intelligence as IntelligenceRecord }));
  const days = new Map<string, string | null>();
  let unknownReason: string | null = null;
  for (const { s, r } of recs) {
    const day = istDate(s.barTime);
    days.set(day, r.regime.dayType);
    if (!r.regime.dayType) unknownReason = r.regime.reason;
  }
  const regimeDays: Record<string, number> = {};
  for (const t of days.values()) if (t) regimeDays[t] = (regimeDays[t] ?? 0) + 1;
  const withNews = recs.filter(({ r }) => r.sentiment.articles.length > 0).length;
  const summary: IntelligenceSummary = {
    mode: "on",
    sentimentSource: src.sentimentSource,
    regimeModel: src.modelPath,
    entries: recs.length,
    withNews,
    sentimentSkipped: recs.filter(({ r }) => !r.sentiment.trade).length,
    sentimentRaised: recs.filter(({ r }) => r.sentiment.multiplier > 1).length,
    regimeKnownDays: [...days.values()].filter((t) => t !== null).length,
    regimeUnknownDays: [...days.values()].filter((t) => t === null).length,
    regimeDays,
    regimeSkipped: recs.filter(({ r }) => r.regime.factor === 0).length,
    regimeUnknownReason: unknownReason,
    note: "",
  };
  const notes: string[] = [];
  if (withNews === 0) notes.push("no stored sentiment for this period: every sentiment reading was neutral (×1)");
  if (summary.regimeKnownDays === 0) notes.push(`the regime was unknown on every signal day${unknownReason ? ` (${unknownReason})` : ""}, so it sized ×1`);
  summary.note = notes.join("; ");
  return summary;
}

export function intelligenceRows(s: IntelligenceSummary): Array<[string, string]> {
  const types = Object.entries(s.regimeDays).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    ["Intelligence", `on · sentiment: ${s.sentimentSource}`],
    ["Sentiment", `${s.withNews} of ${s.entries} entries had stored news; ${s.sentimentSkipped} skipped, ${s.sentimentRaised} sized ×1.2`],
    ["Regime", `${s.regimeKnownDays} signal days called${types ? ` (${types})` : ""}, ${s.regimeUnknownDays} unknown; ${s.regimeSkipped} entries kept out by REGIME_SIZING`],
    ...(s.note ? ([["Note", s.note]] as Array<[string, string]>) : []),
  ];
}
