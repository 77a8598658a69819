/**
 * The sentiment service against the LLM stand-in through the real openai SDK,
 * on PGlite: a well-formed answer (cached), every way an answer fails (each a
 * neutral fallback stored with its reason; the service never throws), the
 * daily token budget running out and coming back the next IST day, and no key.
 * The API key appears in no reason and no log line.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";
import { NewsRepo } from "../../src/db/news-repo.js";
import { articleSentiments } from "../../src/db/schema.js";
import { ManualClock } from "../../src/engine/clock.js";
import { toNewArticle } from "../../src/engine/intelligence/article.js";
import { OpenAiSentimentScorer } from "../../src/engine/intelligence/llm-scorer.js";
import { SentimentService, type SentimentLog } from "../../src/engine/intelligence/sentiment.js";
import { fromIst } from "../../src/engine/time/ist.js";
import { startLlmStandIn, type LlmStandIn } from "../stand-ins/llm/server.js";

const MIN = 60_000;

describe("news sentiment through the model", () => {
  let database: Database;
  let store: NewsRepo;
  let llm: LlmStandIn;
  const logged: string[] = [];
  const log: SentimentLog = { info: (m, d) => void logged.push(`${m} ${JSON.stringify(d)}`), warn: (m, d) => void logged.push(`${m} ${JSON.stringify(d)}`) };

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    store = new NewsRepo(database.db);
    llm = await startLlmStandIn({ usage: { prompt: 200, completion: 40 } });
  });
  beforeEach(() => llm.reset());
  afterAll(async () => {
    await llm?.close();
    await database?.close();
  });

  function service(o: { clock: ManualClock; budget?: number; apiKey?: string | null; baseURL?: string }) {
    const key = o.apiKey === undefined ? llm.apiKey : o.apiKey;
    const scorer = key ? new OpenAiSentimentScorer({ apiKey: key, baseURL: o.baseURL ?? llm.url, model: "gpt-4o-mini", timeoutSeconds: 1 }) : null;
    return new SentimentService({ store, scorer, clock: o.clock, dailyTokenBudget: o.budget ?? 200_000, lookbackHours: 24, log });
  }

  async function article(symbol: string, title: string, at: Date) {
    return (await store.insertArticle(toNewArticle({ title, url: null, summary: "", publishedAt: at, source: "https://feeds.example.com/rss", symbols: [symbol] }, at))).id;
  }

  it("scores an article once: the second ask is answered from the cache", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "10:00"));
    const s = service({ clock });
    const id = await article("INFY", "Infosys wins record order from European bank", clock.now());
    const first = await s.scoreArticle(id);
    expect(first).toMatchObject({ outcome: "scored", score: 0.7, confidence: 0.8, tokens: 240, fallbackReason: null, model: "gpt-4o-mini" });
    expect(first.reasoning).toContain("Positive news");
    clock.advance(5 * MIN);
    expect(await s.scoreArticle(id)).toEqual(first);
    const agg = await s.forSymbol("INFY");
    expect(agg).toMatchObject({ symbol: "INFY", score: 0.7, confidence: 0.8, articleCount: 1, fallbacks: 0 });
    expect(agg.reason).toBe("1 article on INFY or the market in the last 24 h: mean score +0.70, mean confidence 0.80");
    expect(llm.requests).toHaveLength(1);
    // The request carried the strict JSON schema of the answer.
    const format = llm.requests[0]!.body?.["response_format"] as { type: string; json_schema: { strict: boolean; schema: { required: string[] } } };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema.required).toEqual(["score", "confidence", "reasoning", "topics"]);
    expect(await store.usage("2025-01-06")).toMatchObject({ requests: 1, promptTokens: 200, completionTokens: 40 });
  });

  it("asks once more after malformed JSON, then stores the neutral fallback for good", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "11:00"));
    const s = service({ clock });
    llm.mode = { kind: "malformed" };
    const id = await article("WIPRO", "Wipro quarterly update", clock.now());
    const f = await s.scoreArticle(id);
    expect(f).toMatchObject({ outcome: "fallback", score: 0, confidence: 0, tokens: 480 });
    expect(f.fallbackReason).toMatch(/^malformed JSON: .*; the answer began "\{\\"score\\": 0\.4.*\(asked twice\)$/);
    expect(llm.requests).toHaveLength(2);
    clock.advance(60 * MIN);
    llm.mode = { kind: "answer" };
    const agg = await s.forSymbol("WIPRO");
    expect(agg).toMatchObject({ score: 0, confidence: 0, articleCount: 1, fallbacks: 1 });
    expect(agg.articles[0]).toMatchObject({ outcome: "fallback", fallbackReason: f.fallbackReason });
    expect(llm.requests).toHaveLength(2);
    expect(await store.sentiment(id)).toEqual(f);
  });

  it("keeps the second answer when only the first was malformed", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "11:05"));
    const s = service({ clock });
    llm.next({ kind: "malformed" });
    const id = await article("HCLTECH", "HCLTech profit beats estimates", clock.now());
    expect(await s.scoreArticle(id)).toMatchObject({ outcome: "scored", score: 0.7, tokens: 480 });
    expect(llm.requests).toHaveLength(2);
  });

  it("names the field of a schema mismatch", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "11:10"));
    const s = service({ clock });
    llm.mode = { kind: "mismatch" };
    const id = await article("TCS", "TCS board meets on buyback", clock.now());
    const f = await s.scoreArticle(id);
    expect(f.outcome).toBe("fallback");
    expect(f.fallbackReason).toBe("schema mismatch: score: expected a number from -1 to 1, got 3 (asked twice)");
    llm.mode = { kind: "mismatch", body: { score: 0.2, confidence: 0.5, reasoning: "ok" } };
    const g = await s.scoreArticle(await article("TCS", "TCS names new CFO", clock.now()));
    expect(g.fallbackReason).toBe("schema mismatch: topics: expected a list of strings (missing) (asked twice)");
  });

  it("says the model refused", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "11:15"));
    llm.mode = { kind: "refusal" };
    const f = await service({ clock }).scoreArticle(await article("ITC", "ITC hotel demerger", clock.now()));
    expect(f.fallbackReason).toBe("the model refused: I'm sorry, but I can't help with that request. (asked twice)");
  });

  it("falls back after the timeout, asks no more in that round, and scores the article when asked again later", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "12:00"));
    const s = service({ clock });
    llm.mode = { kind: "slow" };
    for (const t of ["SBI raises deposit rates", "SBI opens 500 branches", "SBI bond issue"]) await article("SBIN", t, clock.now());
    const agg = await s.forSymbol("SBIN");
    expect(agg).toMatchObject({ articleCount: 3, fallbacks: 3, score: 0, confidence: 0 });
    for (const a of agg.articles) expect(a.fallbackReason).toBe("timeout after 1 s: the model server did not answer in time");
    // One request waited; the other two were not sent to a server that is not answering.
    expect(llm.requests).toHaveLength(1);
    llm.mode = { kind: "answer" };
    clock.advance(5 * MIN);
    expect((await s.forSymbol("SBIN")).fallbacks).toBe(3);
    expect(llm.requests).toHaveLength(1);
    clock.advance(15 * MIN);
    const later = await s.forSymbol("SBIN");
    expect(later).toMatchObject({ fallbacks: 0, articleCount: 3 });
    expect(llm.requests).toHaveLength(4);
  });

  it("waits out a rate limit (429 with retry-after) before asking again", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "13:00"));
    const s = service({ clock });
    llm.next({ kind: "rate-limit", retryAfter: 30 });
    const a = await article("LT", "L&T wins order for metro line", clock.now());
    const b = await article("LT", "L&T to sell stake in unit", clock.now());
    const agg = await s.forSymbol("LT");
    const reasons = agg.articles.map((x) => x.fallbackReason);
    expect(reasons).toContain(
      "rate-limited (429), retry after 30 s: Rate limit reached for gpt-4o-mini in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 30s. Visit https:...",
    );
    expect(reasons).toContain("rate-limited (429): waiting until 13:00:30 IST before asking again");
    expect(llm.requests).toHaveLength(1);
    clock.advance(15 * MIN);
    expect((await s.forSymbol("LT")).fallbacks).toBe(0);
    expect((await store.sentiments([a, b])).size).toBe(2);
    expect(llm.requests).toHaveLength(3);
  });

  it("falls back on an HTTP 500 and on an unreachable server", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "14:00"));
    llm.mode = { kind: "error", status: 500 };
    const f = await service({ clock }).scoreArticle(await article("ONGC", "ONGC output update", clock.now()));
    expect(f.fallbackReason).toBe("HTTP 500 from the model server: The server had an error while processing your request. Sorry about that!");
    expect(llm.requests).toHaveLength(1);
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const down = service({ clock, baseURL: `http://127.0.0.1:${port}/v1` });
    const g = await down.scoreArticle(await article("ONGC", "ONGC gas find", clock.now()));
    expect(g.fallbackReason).toBe("model server unreachable (ECONNREFUSED)");
  });

  it("never shows the key, even when the server refuses it", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "14:30"));
    const wrongKey = "sk-live-abcdefghijklmnop0123456789";
    const f = await service({ clock, apiKey: wrongKey }).scoreArticle(await article("BPCL", "BPCL refinery expansion", clock.now()));
    expect(f.fallbackReason).toBe("the model server refused the API key (HTTP 401)");
    const all = await database.db.select().from(articleSentiments);
    const text = JSON.stringify(all) + logged.join("\n");
    for (const secret of [wrongKey, llm.apiKey, wrongKey.slice(-8), llm.apiKey.slice(-8)]) expect(text).not.toContain(secret);
  });

  it("scores until the day's token budget is used up, then neutral with the budget's reason until the next IST day", async () => {
    const clock = new ManualClock(fromIst("2025-02-10", "09:30"));
    const s = service({ clock, budget: 480 });
    for (let i = 1; i <= 4; i++) {
      await article("MARUTI", `Maruti record sales in month ${i}`, clock.now());
      clock.advance(MIN);
    }
    const agg = await s.forSymbol("MARUTI");
    // Oldest first: the first two fit the budget (240 tokens each).
    const byTitle = new Map(agg.articles.map((a) => [a.title, a]));
    expect(byTitle.get("Maruti record sales in month 1")).toMatchObject({ outcome: "scored", score: 0.7 });
    expect(byTitle.get("Maruti record sales in month 2")).toMatchObject({ outcome: "scored", score: 0.7 });
    for (const t of ["Maruti record sales in month 3", "Maruti record sales in month 4"]) {
      expect(byTitle.get(t)).toMatchObject({ outcome: "fallback", score: 0, confidence: 0, fallbackReason: "daily token budget of 480 tokens used up (480 used on 2025-02-10 IST)" });
    }
    expect(agg).toMatchObject({ score: 0.35, confidence: 0.4, fallbacks: 2 });
    expect(llm.requests).toHaveLength(2);
    expect(await store.usage("2025-02-10")).toMatchObject({ requests: 2, promptTokens: 400, completionTokens: 80, fallbacks: 2 });
    // Still today: nothing more is asked, nothing changes.
    clock.set(fromIst("2025-02-10", "23:59"));
    expect((await s.forSymbol("MARUTI")).fallbacks).toBe(2);
    expect(llm.requests).toHaveLength(2);
    // The next IST day (18:30 UTC) has a fresh budget.
    clock.set(fromIst("2025-02-11", "00:01"));
    const next = await s.forSymbol("MARUTI");
    expect(next).toMatchObject({ fallbacks: 0, score: 0.7, confidence: 0.8 });
    expect(llm.requests).toHaveLength(4);
    expect(await store.usage("2025-02-11")).toMatchObject({ requests: 2, promptTokens: 400 });
  });

  it("scores neutral without a key, sending nothing", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "15:00"));
    const s = service({ clock, apiKey: null });
    await article("AXISBANK", "Axis Bank profit surges", clock.now());
    const agg = await s.forSymbol("AXISBANK");
    expect(agg).toMatchObject({ score: 0, confidence: 0, fallbacks: 1 });
    expect(agg.articles[0]!.fallbackReason).toBe("no OPENAI_API_KEY set");
    expect(llm.requests).toHaveLength(0);
  });

  it("says there is no news for a symbol without articles", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "15:00"));
    const agg = await service({ clock }).forSymbol("zomato");
    expect(agg).toMatchObject({ symbol: "ZOMATO", score: 0, confidence: 0, articleCount: 0, fallbacks: 0, articles: [], reason: "no news for ZOMATO in the last 24 h" });
  });
});
