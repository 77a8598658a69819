/**
 * A news round over real HTTP: RSS and Atom feeds served locally, broken feeds
 * (HTTP 500, not XML, no items, no answer, nothing listening) reported by name
 * and never thrown, new articles stored once (a story in two feeds gains both
 * keys) and scored through the LLM stand-in; a second round adds nothing and
 * asks nothing.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryNewsStore } from "../../src/db/news-memory-store.js";
import { ManualClock } from "../../src/engine/clock.js";
import { OpenAiSentimentScorer } from "../../src/engine/intelligence/llm-scorer.js";
import { NewsPoller } from "../../src/engine/intelligence/news-poller.js";
import { SentimentService } from "../../src/engine/intelligence/sentiment.js";
import { fromIst } from "../../src/engine/time/ist.js";
import { startLlmStandIn, type LlmStandIn } from "../stand-ins/llm/server.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/news/${name}`, import.meta.url), "utf8");

describe("news poller", () => {
  let feeds: Server;
  let base: string;
  let closedPort: number;
  let llm: LlmStandIn;
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    llm = await startLlmStandIn();
    feeds = createServer((req, res) => {
      const send = (status: number, type: string, body: string) => {
        res.writeHead(status, { "content-type": type });
        res.end(body);
      };
      switch (req.url) {
        case "/markets.rss":
          return send(200, "application/rss+xml", fixture("markets-rss.xml"));
        case "/company.atom":
          return send(200, "application/atom+xml", fixture("company-atom.xml"));
        case "/down":
          return send(503, "text/html", "<html><body>Service Unavailable</body></html>");
        case "/garbage":
          return send(200, "text/html", "<html><body>Please enable JavaScript");
        case "/empty":
          return send(200, "application/rss+xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>`);
        case "/slow":
          held.push(res);
          return;
        default:
          return send(404, "text/plain", "not found");
      }
    });
    await new Promise<void>((r) => feeds.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
  });

  afterAll(async () => {
    for (const r of held) r.destroy();
    feeds?.closeAllConnections();
    await new Promise<void>((r) => feeds.close(() => r()));
    await llm?.close();
  });

  it("stores and scores the good feeds' articles and reports each bad feed with its reason", async () => {
    const clock = new ManualClock(fromIst("2025-01-06", "10:10"));
    const store = new MemoryNewsStore();
    const scorer = new OpenAiSentimentScorer({ apiKey: llm.apiKey, baseURL: llm.url, model: "gpt-4o-mini", timeoutSeconds: 5 });
    const sentiment = new SentimentService({ store, scorer, clock, dailyTokenBudget: 200_000, lookbackHours: 24 });
    const warnings: string[] = [];
    const poller = new NewsPoller({
      feeds: [
        { key: "MARKET", url: `${base}/markets.rss` },
        { key: "INFY", url: `${base}/company.atom` },
        { key: "TCS", url: `${base}/down` },
        { key: "WIPRO", url: `${base}/garbage` },
        { key: "ITC", url: `${base}/empty` },
        { key: "SBIN", url: `${base}/slow` },
        { key: "HDFCBANK", url: `http://127.0.0.1:${closedPort}/rss` },
      ],
      store,
      sentiment,
      clock,
      timeoutMs: 500,
      log: { info() {}, warn: (m, d) => void warnings.push(`${m}: ${String(d?.["reason"])}`) },
    });

    const report = await poller.poll();
    expect(report.feeds.map((f) => [f.label, f.ok, f.fetched, f.added, f.duplicates, f.reason])).toEqual([
      [`MARKET feed ${base}/markets.rss`, true, 3, 3, 0, undefined],
      [`INFY feed ${base}/company.atom`, true, 2, 1, 1, undefined],
      [`TCS feed ${base}/down`, false, 0, 0, 0, `TCS feed ${base}/down: HTTP 503 Service Unavailable`],
      [`WIPRO feed ${base}/garbage`, false, 0, 0, 0, expect.stringMatching(new RegExp(`^WIPRO feed ${base}/garbage: not XML \\(line \\d+: .+\\)$`))],
      [`ITC feed ${base}/empty`, false, 0, 0, 0, `ITC feed ${base}/empty: no items (the feed lists no <item>)`],
      [`SBIN feed ${base}/slow`, false, 0, 0, 0, `SBIN feed ${base}/slow: no answer within 0.5 s`],
      [`HDFCBANK feed http://127.0.0.1:${closedPort}/rss`, false, 0, 0, 0, `HDFCBANK feed http://127.0.0.1:${closedPort}/rss: unreachable (ECONNREFUSED)`],
    ]);
    expect(warnings).toHaveLength(5);
    expect(report).toMatchObject({ added: 4, duplicates: 1, scored: 4, fallbacks: 0 });
    expect(llm.requests).toHaveLength(4);

    // The Reliance story came from both feeds: stored once, filed under both keys.
    const infy = await sentiment.forSymbol("INFY", clock.now(), { score: false });
    const ril = infy.articles.find((a) => a.title.startsWith("Reliance Industries shares surge"));
    expect(ril).toMatchObject({ symbols: ["MARKET", "INFY"], outcome: "scored", score: 0.7 });
    expect(infy.articleCount).toBe(4);

    // A second round finds nothing new and asks the model nothing.
    clock.advance(15 * 60_000);
    const again = await poller.poll();
    expect(again).toMatchObject({ added: 0, duplicates: 5, scored: 0, fallbacks: 0 });
    expect(llm.requests).toHaveLength(4);
  });
});
