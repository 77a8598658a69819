/**
 * The news store on every database (PGlite always, PostgreSQL when
 * TEST_DATABASE_URL is set) and in memory: articles stored once by URL hash or
 * title hash, a duplicate from another feed key adding its symbol, the window
 * of a symbol's articles (its own and MARKET's), sentiments as a cache, and the
 * daily usage counters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryNewsStore } from "../../src/db/news-memory-store.js";
import { NewsRepo } from "../../src/db/news-repo.js";
import { toNewArticle, type ArticleDraft } from "../../src/engine/intelligence/article.js";
import type { NewsStore } from "../../src/engine/intelligence/news-store.js";
import { testDatabases } from "../helpers/databases.js";

const T0 = new Date("2025-01-06T04:30:00Z"); // 10:00 IST
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const draft = (d: Partial<ArticleDraft> & { title: string }): ArticleDraft => ({ url: null, summary: "", publishedAt: T0, source: "https://feeds.example.com/rss", symbols: ["RELIANCE"], ...d });

const targets: Array<{ name: string; open(): Promise<{ store: NewsStore; drop(): Promise<void> }> }> = [
  { name: "memory", open: async () => ({ store: new MemoryNewsStore(), drop: async () => {} }) },
  ...testDatabases().map((t) => ({
    name: t.name,
    open: async () => {
      const d = await t.open();
      return { store: new NewsRepo(d.db), drop: d.drop };
    },
  })),
];

describe.each(targets)("news store on $name", (target) => {
  let store: NewsStore;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ store, drop } = await target.open());
  });
  afterAll(async () => {
    await drop?.();
  });

  it("stores an article once by its URL, and a duplicate from another feed key adds its symbol", async () => {
    const first = await store.insertArticle(toNewArticle(draft({ title: "Reliance Jio adds 5 million users", url: "https://news.example.com/jio?utm_source=rss" }), at(1)));
    expect(first.duplicate).toBe(false);
    // Same story, other tracking parameters and a different headline, from the MARKET feed.
    const again = await store.insertArticle(
      toNewArticle(draft({ title: "Jio user base grows by 5 mn", url: "https://NEWS.example.com/jio/#top", symbols: ["MARKET"] }), at(2)),
    );
    expect(again).toEqual({ id: first.id, duplicate: true, symbols: ["RELIANCE", "MARKET"] });
    const stored = await store.article(first.id);
    expect(stored).toMatchObject({ title: "Reliance Jio adds 5 million users", symbols: ["RELIANCE", "MARKET"], url: "https://news.example.com/jio?utm_source=rss" });
  });

  it("stores an article once by its title, whatever its case and punctuation", async () => {
    const first = await store.insertArticle(toNewArticle(draft({ title: "TCS bags $2 bn deal from UK insurer", url: "https://a.example.com/tcs-deal", symbols: ["TCS"] }), at(3)));
    const other = await store.insertArticle(toNewArticle(draft({ title: "TCS bags $2-bn deal from UK insurer!", url: "https://b.example.com/x/123", symbols: ["INFY"] }), at(4)));
    expect(other).toEqual({ id: first.id, duplicate: true, symbols: ["TCS", "INFY"] });
    // Without a URL the title is the only key.
    const bare = await store.insertArticle(toNewArticle(draft({ title: "tcs bags $2 bn deal from uk insurer", symbols: ["TCS"] }), at(5)));
    expect(bare).toEqual({ id: first.id, duplicate: true, symbols: ["TCS", "INFY"] });
    const fresh = await store.insertArticle(toNewArticle(draft({ title: "TCS bags $3 bn deal from UK insurer", symbols: ["TCS"] }), at(5)));
    expect(fresh.duplicate).toBe(false);
  });

  it("lists a symbol's own and MARKET's articles of a window, newest first", async () => {
    const old = await store.insertArticle(toNewArticle(draft({ title: "Old Reliance story", publishedAt: at(-60 * 30) }), at(6)));
    const market = await store.insertArticle(toNewArticle(draft({ title: "Sensex ends flat", symbols: ["MARKET"], publishedAt: at(-30) }), at(6)));
    const other = await store.insertArticle(toNewArticle(draft({ title: "HDFC Bank deposits rise", symbols: ["HDFCBANK"], publishedAt: at(-20) }), at(6)));
    const since = at(-60 * 24);
    const rel = await store.articlesFor("reliance", since, at(10));
    const titles = rel.map((a) => a.title);
    expect(titles).toContain("Sensex ends flat");
    expect(titles).toContain("Reliance Jio adds 5 million users");
    expect(titles).not.toContain("Old Reliance story");
    expect(titles).not.toContain("HDFC Bank deposits rise");
    expect(rel.map((a) => a.publishedAt.getTime())).toEqual([...rel.map((a) => a.publishedAt.getTime())].sort((a, b) => b - a));
    const hdfc = await store.articlesFor("HDFCBANK", since, at(10));
    // The Jio story (filed under MARKET too by the first test), this one, and the market's.
    expect(hdfc.map((a) => a.title)).toEqual(["Reliance Jio adds 5 million users", "HDFC Bank deposits rise", "Sensex ends flat"]);
    expect(hdfc.slice(1).map((a) => a.id)).toEqual([other.id, market.id]);
    expect(hdfc.every((a) => a.symbols.includes("HDFCBANK") || a.symbols.includes("MARKET"))).toBe(true);
    // The upper bound holds too.
    expect((await store.articlesFor("HDFCBANK", since, at(-25))).map((a) => a.id)).toEqual([market.id]);
    expect((await store.recentArticles(at(-60 * 31), at(10))).map((a) => a.id)).toContain(old.id);
  });

  it("keeps one sentiment per article, replaced on a re-score", async () => {
    const { id } = await store.insertArticle(toNewArticle(draft({ title: "Reliance retail arm raises funds" }), at(7)));
    expect(await store.sentiment(id)).toBeNull();
    const fallback = { articleId: id, outcome: "fallback" as const, score: 0, confidence: 0, reasoning: "", topics: [], fallbackReason: "timeout after 1 s: the model server did not answer in time", model: "gpt-4o-mini", tokens: 0, scoredAt: at(8) };
    await store.saveSentiment(fallback);
    expect(await store.sentiment(id)).toEqual(fallback);
    const scored = { ...fallback, outcome: "scored" as const, score: 0.55, confidence: 0.8, reasoning: "Fresh capital.", topics: ["funding", "retail"], fallbackReason: null, tokens: 150, scoredAt: at(9) };
    await store.saveSentiment(scored);
    expect(await store.sentiment(id)).toEqual(scored);
    const map = await store.sentiments([id, 999_999]);
    expect([...map.keys()]).toEqual([id]);
  });

  it("adds up the day's usage", async () => {
    expect(await store.usage("2025-01-06")).toEqual({ date: "2025-01-06", requests: 0, promptTokens: 0, completionTokens: 0, fallbacks: 0 });
    await store.addUsage("2025-01-06", { requests: 1, promptTokens: 120, completionTokens: 30 });
    const u = await store.addUsage("2025-01-06", { requests: 1, promptTokens: 100, completionTokens: 20, fallbacks: 1 });
    expect(u).toEqual({ date: "2025-01-06", requests: 2, promptTokens: 220, completionTokens: 50, fallbacks: 1 });
    expect(await store.usage("2025-01-07")).toMatchObject({ requests: 0 });
  });
});
