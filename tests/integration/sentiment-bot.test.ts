/**
 * /news and /sentiment through grammY: a bot of its own (registerNewsHandlers
 * and the page buttons only) long polling the Telegram stand-in, the sentiment
 * service scoring through the LLM stand-in. Bad arguments answer the usage and
 * name what was wrong; everything dynamic is escaped (the stand-in rejects
 * unescaped HTML); a long list comes in pages.
 */
import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DalalContext } from "../../src/bot/access.js";
import { NEWS_COMMANDS, registerNewsHandlers } from "../../src/bot/news-handlers.js";
import { registerPageButtons } from "../../src/bot/notify-handlers.js";
import { MemoryNewsStore } from "../../src/db/news-memory-store.js";
import { ManualClock } from "../../src/engine/clock.js";
import { toNewArticle } from "../../src/engine/intelligence/article.js";
import { OpenAiSentimentScorer } from "../../src/engine/intelligence/llm-scorer.js";
import { SentimentService } from "../../src/engine/intelligence/sentiment.js";
import { fromIst } from "../../src/engine/time/ist.js";
import { startLlmStandIn, type LlmStandIn } from "../stand-ins/llm/server.js";
import { startTelegramStandIn, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const CHAT = 4242;
const USER = 42;

async function startBot(tg: TelegramStandIn, sentiment: SentimentService | null) {
  const bot = new Bot<DalalContext>(tg.token, { client: { apiRoot: tg.apiRoot } });
  registerNewsHandlers(bot, { sentiment, mode: "paper" });
  registerPageButtons(bot);
  const polling = bot.start({ drop_pending_updates: true });
  await tg.waitFor(() => tg.callsTo("getUpdates").length > 0, 20_000);
  return { bot, polling };
}

describe("/news and /sentiment in the chat", () => {
  let tg: TelegramStandIn;
  let llm: LlmStandIn;
  let bot: Bot<DalalContext>;
  let polling: Promise<void>;
  const store = new MemoryNewsStore();
  const clock = new ManualClock(fromIst("2025-01-06", "10:00"));

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    llm = await startLlmStandIn();
    const scorer = new OpenAiSentimentScorer({ apiKey: llm.apiKey, baseURL: llm.url, model: "gpt-4o-mini", timeoutSeconds: 5 });
    const sentiment = new SentimentService({ store, scorer, clock, dailyTokenBudget: 200_000, lookbackHours: 24 });
    ({ bot, polling } = await startBot(tg, sentiment));
  }, 30_000);

  afterAll(async () => {
    await bot?.stop();
    await polling;
    await tg?.close();
    await llm?.close();
  });

  const last = () => tg.messages(CHAT).at(-1)?.message_id ?? 0;
  async function say(text: string) {
    const after = last();
    tg.sendText({ chatId: CHAT, userId: USER, text });
    // The user's own message comes first; the bot's answer after it.
    return tg.waitForMessage(CHAT, (m) => m.from_bot, { afterMessageId: after + 1, timeoutMs: 10_000 });
  }

  it("lists both commands for /help", () => {
    expect(NEWS_COMMANDS.map((c) => c.usage)).toEqual(["/news SYMBOL text", "/sentiment SYMBOL"]);
  });

  it("answers a bad or missing argument with the usage, naming what was wrong", async () => {
    expect((await say("/news")).text).toBe("Missing the symbol and the news text.\nUsage: /news SYMBOL text");
    expect((await say("/news RELIANCE")).text).toBe("Missing the news text after RELIANCE.\nUsage: /news SYMBOL text");
    expect((await say("/news <b>RIL</b> up")).text).toBe(
      '"<b>RIL</b>" is not a symbol: it has characters a symbol cannot have. A symbol is letters, digits, & and - (e.g. RELIANCE, M&M, BAJAJ-AUTO).\nUsage: /news SYMBOL text',
    );
    expect((await say("/sentiment")).text).toBe("Missing the symbol.\nUsage: /sentiment SYMBOL");
    expect((await say("/sentiment TCS INFY")).text).toBe("/sentiment takes one symbol; got 2 words.\nUsage: /sentiment SYMBOL");
    expect((await say(`/sentiment ${"A".repeat(31)}`)).text).toContain("is 31 characters long (at most 30)");
    expect(llm.requests).toHaveLength(0);
  });

  it("adds a news item from the chat, scores it at once and shows the score", async () => {
    const m = await say("/news m&m M&M <wins> record tractor order https://news.example.in/mm-order?utm_source=tg");
    expect(m.text).toBe(
      [
        "📝 PAPER · 📰 Added to M&M as article #1.",
        "M&M <wins> record tractor order",
        "Score +0.70 · confidence 0.80",
        'Positive news: "M&M <wins> record tractor order".',
        "Topics: earnings",
        "See /sentiment M&M for the symbol's sentiment.",
      ].join("\n"),
    );
    // The link is the article's URL, kept as a link.
    expect(m.source).toContain('<a href="https://news.example.in/mm-order?utm_source=tg">');
    expect(llm.requests).toHaveLength(1);
    const again = await say("/news BAJAJ-AUTO M&M <wins> record tractor order!");
    expect(again.text).toContain("📝 PAPER · 📰 Already stored as article #1; now filed under BAJAJ-AUTO too (M&M, BAJAJ-AUTO).");
    expect(llm.requests).toHaveLength(1);
  });

  it("shows a symbol's sentiment, the decision for a BUY and each article with the model's reading or its fallback", async () => {
    llm.next({ kind: "mismatch" }, { kind: "mismatch" });
    const f = await say("/news SBIN SBI board to consider bond issue");
    expect(f.text).toContain("Neutral fallback (score 0, confidence 0): schema mismatch: score: expected a number from -1 to 1, got 3 (asked twice)");
    await store.insertArticle(
      toNewArticle({ title: "SBI faces RBI penalty & probe", url: "https://news.example.in/sbi-probe", summary: "", publishedAt: clock.now(), source: "https://news.example.in/rss", symbols: ["SBIN"] }, clock.now()),
    );
    const m = await say("/sentiment sbin");
    const text = m.text!;
    expect(text).toContain("📝 PAPER · 📰 SBIN news sentiment, last 24 h");
    expect(text).toContain("Score -0.35 · confidence 0.40 · 2 articles (1 neutral fallback)");
    expect(text).toContain("2 articles on SBIN or the market in the last 24 h: mean score -0.35, mean confidence 0.40 (1 neutral fallback counted as 0)");
    expect(text).toContain("A BUY now: BUY sized ×1: news sentiment score -0.35, confidence 0.40 (confidence not above 0.6)");
    expect(text).toContain("🔴 SBI faces RBI penalty & probe");
    expect(text).toContain('Negative news: "SBI faces RBI penalty & probe".');
    expect(text).toContain("⚪ SBI board to consider bond issue\n06 Jan 2025 10:00 IST · added in the chat\nNeutral fallback (score 0, confidence 0): schema mismatch");
    expect(m.source).toContain('<a href="https://news.example.in/sbi-probe"><b>SBI faces RBI penalty &amp; probe</b></a>');
  });

  it("says a BUY would be skipped on clearly bad news", async () => {
    await say("/news YESBANK Yes Bank fraud probe widens");
    const m = await say("/sentiment YESBANK");
    expect(m.text).toContain("A BUY now: ⛔ BUY skipped: news sentiment score -0.70, confidence 0.80 (score < -0.3 with confidence > 0.6)");
  });

  it("says when there is no news", async () => {
    const m = await say("/sentiment ZOMATO");
    expect(m.text).toBe(
      [
        "📝 PAPER · 📰 ZOMATO news sentiment, last 24 h",
        "Score 0.00 · confidence 0.00 · 0 articles",
        "no news for ZOMATO in the last 24 h",
        "A BUY now: BUY sized ×1: news sentiment score 0.00, confidence 0.00 (confidence not above 0.6)",
      ].join("\n"),
    );
  });

  it("pages a long list and turns the page with the buttons", async () => {
    for (let i = 1; i <= 9; i++) {
      await store.insertArticle(
        toNewArticle({ title: `Tata Steel update number ${i}`, url: `https://news.example.in/ts/${i}`, summary: "", publishedAt: new Date(clock.now().getTime() - i * 60_000), source: "s", symbols: ["TATASTEEL"] }, clock.now()),
      );
    }
    const m = await say("/sentiment TATASTEEL");
    expect(m.text).toContain("Page 1 of 2");
    expect(m.text).toContain("1. 🟡 Tata Steel update number 1");
    expect(m.text).not.toContain("update number 7");
    tg.pressButton({ chatId: CHAT, userId: USER, messageId: m.message_id, text: "▶" });
    await tg.waitFor(() => tg.message(CHAT, m.message_id)?.text?.includes("Page 2 of 2"));
    const page2 = tg.message(CHAT, m.message_id)!.text!;
    expect(page2).toContain("7. 🟡 Tata Steel update number 7");
    expect(page2).toContain("TATASTEEL news sentiment");
  });
});

describe("/news and /sentiment with intelligence off", () => {
  it("says sentiment is off, after checking the arguments", async () => {
    const tg = await startTelegramStandIn();
    const { bot, polling } = await startBot(tg, null);
    try {
      tg.sendText({ chatId: CHAT, userId: USER, text: "/sentiment RELIANCE" });
      const m = await tg.waitForMessage(CHAT, (x) => x.from_bot);
      expect(m.text).toBe("📝 PAPER · News sentiment is off on this desk (INTELLIGENCE=off), so there is nothing to add or show.");
      tg.sendText({ chatId: CHAT, userId: USER, text: "/news" });
      await tg.waitForMessage(CHAT, "Missing the symbol and the news text.");
    } finally {
      await bot.stop();
      await polling;
      await tg.close();
    }
  });
});
