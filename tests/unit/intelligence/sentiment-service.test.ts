import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryNewsStore } from "../../../src/db/news-memory-store.js";
import { ManualClock } from "../../../src/engine/clock.js";
import { toNewArticle } from "../../../src/engine/intelligence/article.js";
import { isTransientReason } from "../../../src/engine/intelligence/fallback-reasons.js";
import { SentimentService } from "../../../src/engine/intelligence/sentiment.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { startLlmStandIn, type LlmStandIn } from "../../stand-ins/llm/server.js";

const settings = { OPENAI_BASE_URL: "http://127.0.0.1:1/v1", OPENAI_MODEL: "gpt-4o-mini", LLM_TIMEOUT_SECONDS: 1, LLM_DAILY_TOKEN_BUDGET: 1000, SENTIMENT_LOOKBACK_HOURS: 6 };

describe("sentiment service", () => {
  let llm: LlmStandIn;
  beforeAll(async () => {
    llm = await startLlmStandIn();
  });
  afterAll(async () => {
    await llm?.close();
  });

  it("is built from the settings: no key, no scorer", () => {
    const deps = { store: new MemoryNewsStore(), clock: new ManualClock(0) };
    const off = SentimentService.fromSettings(settings, deps);
    expect(off.scorer).toBeNull();
    expect(off.model).toBe("none");
    const on = SentimentService.fromSettings({ ...settings, OPENAI_API_KEY: "sk-abc123456" }, deps);
    expect(on.model).toBe("gpt-4o-mini");
    expect(on).toMatchObject({ dailyTokenBudget: 1000, lookbackHours: 6 });
  });

  it("refuses a bad symbol or empty text from the chat", async () => {
    const s = SentimentService.fromSettings(settings, { store: new MemoryNewsStore(), clock: new ManualClock(0) });
    await expect(s.addFromChat("RIL!", "x")).rejects.toThrow('"RIL!" is not a symbol (letters, digits, & and - only)');
    await expect(s.addFromChat("RIL", "   ")).rejects.toThrow("the news text is empty");
  });

  it("sends at most scoreLimit articles to the model per forSymbol; the rest count as not scored yet", async () => {
    const store = new MemoryNewsStore();
    const clock = new ManualClock(fromIst("2025-01-06", "10:00"));
    const s = SentimentService.fromSettings({ ...settings, OPENAI_API_KEY: llm.apiKey, OPENAI_BASE_URL: llm.url, LLM_DAILY_TOKEN_BUDGET: 100_000 }, { store, clock });
    const limited = new SentimentService({ store, scorer: s.scorer, clock, dailyTokenBudget: 100_000, lookbackHours: 6, scoreLimit: 2 });
    for (let i = 0; i < 3; i++) await store.insertArticle(toNewArticle({ title: `Bharti Airtel profit ${i}`, url: null, summary: "", publishedAt: new Date(clock.now().getTime() - i * 60_000), source: "s", symbols: ["BHARTIARTL"] }, clock.now()));
    const agg = await limited.forSymbol("BHARTIARTL");
    expect(llm.requests).toHaveLength(2);
    expect(agg.articles.map((a) => a.fallbackReason)).toEqual(["not scored yet", null, null]);
    // Nothing was stored for the one left over: the next call scores it.
    expect((await limited.forSymbol("BHARTIARTL")).fallbacks).toBe(0);
    expect(llm.requests).toHaveLength(3);
  });

  it("tells a transient fallback from a final one by its reason", () => {
    for (const r of ["timeout after 20 s: x", "model server unreachable (ECONNREFUSED)", "rate-limited (429)", "HTTP 503 from the model server", "daily token budget of 5 tokens used up (5 used on 2025-01-06 IST)", "no OPENAI_API_KEY set"]) {
      expect(isTransientReason(r)).toBe(true);
    }
    for (const r of ["malformed JSON: x (asked twice)", "schema mismatch: score: y (asked twice)", "the model refused: no (asked twice)", "HTTP 400 from the model server", null]) {
      expect(isTransientReason(r)).toBe(false);
    }
  });
});
