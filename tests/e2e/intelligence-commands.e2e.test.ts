/**
 * The intelligence layer in the chat, end to end: the real bot (createBot) long
 * polling the Telegram stand-in, the notifier sending the desk's signal cards,
 * and a desk whose Intelligence is built from real parts: the sentiment service
 * scoring through the LLM stand-in (read from its cache by the desk), a regime
 * model trained here on the shipped Nifty/VIX history, and the allocator over
 * sma-cross and adx-dma. The market day is Wed 15 Mar 2023, 10:00 IST.
 *
 * - /news TCS with a bullish headline answers with the model's score, and
 *   /sentiment TCS shows it;
 * - a TCS BUY is sized ×1.2 for the news, ×0.5 for the day's regime and 50% for
 *   the allocation: the card says so and the quantity is the one worked out by hand;
 * - /why shows the article, the regime, the allocation and the plan's factors;
 * - bearish INFY news refuses an INFY BUY with the sentiment reason;
 * - the model failing on WIPRO's article: /news still answers (neutral, with the
 *   reason), the BUY is sized at ×1 and /why shows the fallback;
 * - /regime and /strategies; bad /why and /regime arguments get one clear line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, type Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DalalContext } from "../../src/bot/access.js";
import { createBot } from "../../src/bot/create-bot.js";
import { Notifier } from "../../src/bot/notifier.js";
import { runCli } from "../../src/cli.js";
import { REGIMES, type Regime } from "../../src/config.js";
import { MemoryStore } from "../../src/db/memory-store.js";
import { MemoryNewsStore } from "../../src/db/news-memory-store.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { Intelligence, type RegimeSizingRule } from "../../src/engine/intelligence/intelligence.js";
import { OpenAiSentimentScorer } from "../../src/engine/intelligence/llm-scorer.js";
import { RegimeDetector, type RegimeKnown } from "../../src/engine/intelligence/regime/detector.js";
import { SentimentService } from "../../src/engine/intelligence/sentiment.js";
import { sentimentAdjustment } from "../../src/engine/intelligence/trade-adjustment.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";
import { loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { formatRupees, type Paise } from "../../src/engine/money.js";
import { STRATEGIES } from "../../src/engine/strategies/registry.js";
import { signalId, type SignalDraft } from "../../src/engine/strategies/signal.js";
import { fromIst, istDate } from "../../src/engine/time/ist.js";
import type { SignalView } from "../../src/engine/views.js";
import { allocatedStrategies, cachedSentiment, dailyRegime, isSession } from "../../src/intelligence-wiring.js";
import type { Logger } from "../../src/log.js";
import { startLlmStandIn, type LlmStandIn } from "../stand-ins/llm/server.js";
import { startTelegramStandIn, type StandInMessage, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const CHAT = 8008;
const USER = 808;
const DAY = "2023-03-15";
const CAPITAL: Paise = 500_000_000; // ₹50,00,000
/** RISK_PER_TRADE_PCT: 0.2% of ₹50,00,000 is a ₹10,000 budget before the plan. */
const RISK_PCT = 0.2;
const RISK_BUDGET: Paise = 1_000_000;
const SYMBOLS = ["TCS", "INFY", "WIPRO"];
const TCS_NEWS = "TCS wins $2 billion multi-year deal with a UK insurer";
const INFY_NEWS = "Infosys cuts revenue guidance after a client pulls back";
const WIPRO_NEWS = "Wipro names a new head of its consulting arm";
const calendar = loadNseCalendar();

describe("the intelligence layer in the chat", () => {
  let dir: string;
  let tg: TelegramStandIn;
  let llm: LlmStandIn;
  let bot: Bot<DalalContext>;
  let polling: Promise<void>;
  let notifier: Notifier;
  let desk: Desk;
  /** What the trained model calls the desk's day (read by a detector of its own). */
  let called: RegimeKnown;
  let sizing: RegimeSizingRule[];
  const clock = new ManualClock(fromIst(DAY, "10:00"));
  const store = new MemoryStore();
  const failures: string[] = [];
  const bars = loadShippedDaily(undefined, SYMBOLS).candles;
  const barOf = (symbol: string, date: string): Candle => bars.find((b) => b.symbol === symbol && istDate(b.time) === date)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dalal-intel-e2e-"));
    const modelPath = join(dir, "regime-model.json");
    const err: string[] = [];
    const code = await runCli(["regime", "train", "--out", modelPath], { stdout: () => {}, stderr: (t) => err.push(t), env: { DALAL_HOME: join(dir, "home") }, cwd: dir, isTTY: false });
    expect(err.join("")).toBe("");
    expect(code).toBe(0);
    const call = new RegimeDetector({ modelPath, calendar }).call(DAY);
    if ("unknown" in call) throw new Error(`the trained model gives no regime for ${DAY}: ${call.reason}`);
    called = call;
    // Today's regime halves sma-cross; a rule for another regime (keeping everything out) must not apply.
    const other: Regime = REGIMES.find((r) => r !== called.dayType)!;
    sizing = [
      { regime: called.dayType, strategy: "sma-cross", factor: 0.5 },
      { regime: other, strategy: "*", factor: 0 },
    ];

    tg = await startTelegramStandIn();
    llm = await startLlmStandIn();
    llm.scores.set(TCS_NEWS, { score: 0.8, confidence: 0.9, reasoning: "A large multi-year deal lifts the order book.", topics: ["deal win"] });
    llm.scores.set(INFY_NEWS, { score: -0.6, confidence: 0.8, reasoning: "Lower guidance points to weaker growth.", topics: ["guidance"] });

    await store.upsertCandles(bars.filter((b) => istDate(b.time) <= DAY));
    const sentiment = new SentimentService({
      store: new MemoryNewsStore(),
      scorer: new OpenAiSentimentScorer({ apiKey: llm.apiKey, baseURL: llm.url, model: "gpt-4o-mini", timeoutSeconds: 2 }),
      clock,
      dailyTokenBudget: 200_000,
      lookbackHours: 24,
    });
    const strategies = [STRATEGIES.get("sma-cross")!, STRATEGIES.get("adx-dma")!];
    const intelligence = new Intelligence({
      sentiment: cachedSentiment(sentiment),
      sentimentRule: sentimentAdjustment,
      regime: dailyRegime(new RegimeDetector({ modelPath, calendar })),
      regimeSizing: sizing,
      performance: store,
      allocated: allocatedStrategies(strategies.map((s) => s.name)),
      capital: CAPITAL,
      isTradingDay: isSession(calendar),
    });
    desk = new Desk({
      repo: store,
      broker: new PaperBroker(),
      marketClock: clock,
      wallClock: clock,
      capital: CAPITAL,
      riskPct: RISK_PCT,
      signalTtlMinutes: 30,
      strategies,
      autoAccept: [],
      charges: deliveryFillCharges,
      mode: "paper",
      intelligence,
    });
    desk.addHistory(bars.filter((b) => istDate(b.time) < DAY));
    await desk.init();

    const log: Logger = { debug() {}, info() {}, warn() {}, error: (msg, detail) => void failures.push(`${msg} ${JSON.stringify(detail)}`) };
    bot = createBot({
      token: tg.token,
      apiRoot: tg.apiRoot,
      desk,
      mode: "paper",
      access: { allowedChats: new Set([CHAT]), allowedUsers: new Set([USER]) },
      estimateCharges: () => 0,
      log,
      sentiment,
    });
    notifier = new Notifier({ api: new Api(tg.token, { apiRoot: tg.apiRoot }), desk, mode: "paper", chats: [CHAT], estimateCharges: () => 0, log });
    polling = bot.start({ drop_pending_updates: true });
    await tg.waitFor(() => tg.callsTo("getUpdates").length > 0, 20_000);
  }, 60_000);

  afterAll(async () => {
    notifier?.close();
    await bot?.stop();
    await polling;
    await tg?.close();
    await llm?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const last = () => tg.messages(CHAT).at(-1)?.message_id ?? 0;
  /** Sends a command and waits for the bot's first message after it. */
  async function say(text: string): Promise<StandInMessage> {
    const after = last();
    tg.sendText({ chatId: CHAT, userId: USER, text, username: "trader" });
    return tg.waitForMessage(CHAT, (m) => m.from_bot, { afterMessageId: after, timeoutMs: 20_000 });
  }
  /** A BUY of the desk's day, entered at the day's open with the stop at the previous session's low. */
  function buyDraft(strategy: string, symbol: string, strength: number): SignalDraft {
    const bar = barOf(symbol, DAY);
    const prev = barOf(symbol, calendar.previousTradingDay(DAY));
    return {
      id: signalId(strategy, { e2e: true }, symbol, "1d", bar.time),
      strategy,
      symbol,
      timeframe: "1d",
      barTime: bar.time,
      side: "long",
      kind: "entry",
      entry: bar.open,
      stop: prev.low,
      targets: [],
      strength,
      conditions: { note: "submitted by the test" },
    };
  }
  /** What the desk stored, after its card (or refusal) reached the chat. */
  async function submit(d: SignalDraft, shows: RegExp): Promise<{ signal: SignalView; card: StandInMessage }> {
    const after = last();
    const stored = await desk.submitDraft(d);
    expect(stored?.id).toBe(d.id);
    const card = await tg.waitForMessage(CHAT, (m) => m.from_bot && (m.text ?? "").includes(d.id) && shows.test(m.text ?? ""), { afterMessageId: after, timeoutMs: 20_000 });
    return { signal: (await store.signal(d.id))!, card };
  }
  const pctOf = (x: number) => `${Math.round(x * 100)}%`;
  const regimeName = () => `${called.dayType} (${pctOf(called.confidence)})`;

  it("/news scores a bullish headline at once through the model; /sentiment shows it", async () => {
    const added = await say(`/news TCS ${TCS_NEWS}`);
    expect(added.text).toBe(
      [
        "📝 PAPER · 📰 Added to TCS as article #1.",
        TCS_NEWS,
        "Score +0.80 · confidence 0.90",
        "A large multi-year deal lifts the order book.",
        "Topics: deal win",
        "See /sentiment TCS for the symbol's sentiment.",
      ].join("\n"),
    );
    // The model was asked once, with the headline, by the key it was given.
    expect(llm.requests.map((r) => [r.title, r.authorized, r.status])).toEqual([[TCS_NEWS, true, 200]]);

    const shown = await say("/sentiment TCS");
    expect(shown.text).toContain("📝 PAPER · 📰 TCS news sentiment, last 24 h\nScore +0.80 · confidence 0.90 · 1 article\n");
    expect(shown.text).toContain("1 article on TCS or the market in the last 24 h: mean score +0.80, mean confidence 0.90");
    expect(shown.text).toContain("A BUY now: BUY sized ×1.2: news sentiment score 0.80, confidence 0.90 (score > 0.5 with confidence > 0.6)");
    expect(shown.text).toContain(`1. 🟢 ${TCS_NEWS}\n15 Mar 2023 10:00 IST · added in the chat\nScore +0.80 · confidence 0.90`);
    // Already scored: shown from the cache, not asked again.
    expect(llm.requests).toHaveLength(1);
  });

  let tcsId = "";
  it("sizes a TCS BUY ×1.2 for the news, ×0.5 for the regime and at a 50% allocation: the card says so, the quantity is the hand-worked one", async () => {
    clock.advance(5 * 60_000);
    const d = buyDraft("sma-cross", "TCS", 60);
    tcsId = d.id;
    const { signal, card } = await submit(d, /Waiting for a decision/);
    expect(signal.status).toBe("proposed");

    // plan = allocation ½ × strength factor (0.5 + 60/200 = 0.8) × sentiment 1.2 × regime 0.5 × profit scaling 1 = 0.24
    // budget = ₹10,000 × 0.24 = ₹2,400; qty = ⌊₹2,400 / (open − previous low)⌋, below the half-Kelly cap (5% of capital with no trades).
    const perShare = d.entry - d.stop!;
    const budget = (RISK_BUDGET * 24) / 100;
    const qty = Math.floor(budget / perShare);
    const kellyQty = Math.floor((CAPITAL * 0.05) / d.entry);
    expect(qty).toBeLessThan(kellyQty);
    expect(qty).toBeGreaterThan(0);
    expect(signal.qty).toBe(qty);
    expect(signal.sizing).toMatchObject({
      allocationWeight: 0.5,
      strengthFactor: 0.8,
      sentimentMultiplier: 1.2,
      regimeMultiplier: 0.5,
      profitScaling: 1,
      plan: 0.24,
      riskBudget: budget,
      perUnitRisk: perShare,
      qtyByRisk: qty,
      qtyByKelly: kellyQty,
      bindingCap: "risk",
    });

    expect(card.text).toContain(`📝 PAPER · signal ${d.id}\nBUY TCS × ${qty} · sma-cross · 1d bar of 15 Mar 2023\n`);
    expect(card.text).toContain(`Entry ≈ ${formatRupees(d.entry)} · Stop ${formatRupees(d.stop!)}\n`);
    expect(card.text).toContain(`Intelligence: sentiment +0.80 (confidence 0.90, 1 article) ×1.2 · regime ${regimeName()} ×0.5 · allocation 50%. /why ${d.id}\n`);
    expect(card.reply_markup?.inline_keyboard?.flat().map((b) => b.text)).toEqual(expect.arrayContaining([expect.stringMatching(/Approve/), expect.stringMatching(/Reject/)]));
  });

  it("/why shows the article, the regime, the allocation and the plan with the same factors", async () => {
    const s = (await store.signal(tcsId))!;
    const why = await say(`/why ${tcsId}`);
    const lines = (why.text ?? "").split("\n");
    expect(lines[0]).toBe(`📝 PAPER · Why ${tcsId}: BUY TCS × ${s.qty} · sma-cross · proposed`);
    expect(lines).toContain(
      "Sentiment +0.80, confidence 0.90 → ×1.2: BUY sized ×1.2: news sentiment score 0.80, confidence 0.90 (score > 0.5 with confidence > 0.6) " +
        "(1 article on TCS or the market in the last 24 h: mean score +0.80, mean confidence 0.90)",
    );
    expect(lines).toContain(`  • #1 ${TCS_NEWS}: +0.80 (0.90)`);
    expect(lines).toContain(`Regime regime ${called.dayType} (${pctOf(called.confidence)} confidence): REGIME_SIZING ${called.dayType}:sma-cross=0.5, size ×0.5`);
    expect(lines).toContain(
      "Allocation 50% of capital: equal shares: only 0 of 2 strategies have 10+ closed trades (four needed to rank), so sma-cross gets 1/2 = 50% of capital",
    );
    expect(lines).toContain("  plan 0.24 = allocation 0.5 × strength 0.8 × sentiment 1.2 × regime 0.5 × profit scaling 1");
    expect(lines).toContain(
      `  risk budget ${formatRupees(2_400_00)} = 0.2% of ${formatRupees(CAPITAL)} × plan; ${formatRupees(s.entry - s.stop!)} at risk per share → ${s.qty} by risk`,
    );
    expect(lines.some((l) => l.startsWith("  per-stock cap → ") && l.endsWith("the smallest binds: risk"))).toBe(true);
  });

  it("refuses an INFY BUY on bearish news, naming the sentiment rule; /why explains it", async () => {
    const added = await say(`/news INFY ${INFY_NEWS}`);
    expect(added.text).toContain("📝 PAPER · 📰 Added to INFY as article #2.");
    expect(added.text).toContain("Score -0.60 · confidence 0.80");

    const d = buyDraft("sma-cross", "INFY", 60);
    const { signal, card } = await submit(d, /refused/);
    const reason =
      "BUY skipped: news sentiment score -0.60, confidence 0.80 (score < -0.3 with confidence > 0.6) " +
      "(1 article on INFY or the market in the last 24 h: mean score -0.60, mean confidence 0.80)";
    expect(signal).toMatchObject({ status: "refused", statusReason: reason, qty: 0 });
    expect(card.text).toBe(`📝 PAPER · ⛔ signal ${d.id} refused\nBUY INFY (sma-cross) at ≈ ${formatRupees(d.entry)}: ${reason}.`);
    // Refused before it was sized: no order, no Approve button.
    expect(card.reply_markup?.inline_keyboard ?? []).toEqual([]);
    expect(await store.ordersByStatus(["new", "submitted", "filled"])).toEqual([]);

    const why = await say(`/why ${d.id}`);
    const lines = (why.text ?? "").split("\n");
    expect(lines[0]).toBe(`📝 PAPER · Why ${d.id}: BUY INFY × 0 · sma-cross · refused (${reason})`);
    expect(lines).toContain(`Sentiment −0.60, confidence 0.80 → skip: ${reason}`);
    expect(lines).toContain(`  • #2 ${INFY_NEWS}: −0.60 (0.80)`);
    expect(lines.some((l) => l.startsWith(`Regime regime ${called.dayType}`))).toBe(true);
  });

  it("the model failing: /news still answers neutral with the reason, the WIPRO BUY is sized ×1 and /why shows the fallback", async () => {
    llm.next({ kind: "error", status: 500 });
    const added = await say(`/news WIPRO ${WIPRO_NEWS}`);
    expect(added.text).toMatch(/^📝 PAPER · 📰 Added to WIPRO as article #3\.\n/);
    const fallback = /Neutral fallback \(score 0, confidence 0\): (HTTP 500 from the model server[^\n]*)\n/.exec(added.text ?? "");
    expect(fallback, added.text).not.toBeNull();
    const why500 = fallback![1]!;
    expect(llm.requests.at(-1)).toMatchObject({ title: WIPRO_NEWS, status: 500 });

    // adx-dma: the other allocated strategy, which today's REGIME_SIZING leaves alone.
    const d = buyDraft("adx-dma", "WIPRO", 20);
    const { signal, card } = await submit(d, /Waiting for a decision/);
    // plan = ½ × (0.5 + 20/200 = 0.6) × sentiment 1 × regime 1 × 1 = 0.3; budget ₹3,000.
    const budget = (RISK_BUDGET * 30) / 100;
    const qty = Math.floor(budget / (d.entry - d.stop!));
    expect(qty).toBeLessThan(Math.floor((CAPITAL * 0.05) / d.entry));
    expect(signal.qty).toBe(qty);
    expect(signal.sizing).toMatchObject({ allocationWeight: 0.5, strengthFactor: 0.6, sentimentMultiplier: 1, regimeMultiplier: 1, plan: 0.3, riskBudget: budget, bindingCap: "risk" });
    expect(card.text).toContain(`BUY WIPRO × ${qty} · adx-dma`);
    expect(card.text).toContain(`Intelligence: sentiment +0.00 (confidence 0.00, 1 article) ×1 · regime ${regimeName()} ×1 · allocation 50%. /why ${d.id}`);

    const why = await say(`/why ${d.id}`);
    const lines = (why.text ?? "").split("\n");
    expect(lines).toContain(
      "Sentiment +0.00, confidence 0.00 → ×1: BUY sized ×1: news sentiment score 0.00, confidence 0.00 (confidence not above 0.6) " +
        "(1 article on WIPRO or the market in the last 24 h: mean score 0.00, mean confidence 0.00 (1 neutral fallback counted as 0))",
    );
    expect(lines).toContain(`  • #3 ${WIPRO_NEWS}: neutral: ${why500}`);
    expect(lines).toContain(`Regime regime ${called.dayType} (${pctOf(called.confidence)} confidence): no REGIME_SIZING rule for adx-dma, size ×1`);
    expect(lines).toContain("  plan 0.3 = allocation 0.5 × strength 0.6 × sentiment 1 × regime 1 × profit scaling 1");
    // The desk read the cache: the model was not asked again for the signal.
    expect(llm.requests).toHaveLength(3);
  });

  it("/regime shows the day's type, confidence and REGIME_SIZING effect; /strategies shows equal shares of 50%", async () => {
    const regime = await say("/regime");
    const lines = (regime.text ?? "").split("\n");
    expect(lines[0]).toBe(`📝 PAPER · Regime for ${DAY}: ${called.dayType} with ${pctOf(called.confidence)} confidence`);
    expect(lines[1]).toBe(called.reason);
    expect(lines[2]).toMatch(/^Features: gapPct -?[\d.]+ · prevRangePct [\d.]+ · volumeRatio [\d.]+ · vix [\d.]+ · adx14 [\d.]+/);
    expect(lines.at(-1)).toBe("Today: sma-cross ×0.5.");

    const strategies = await say("/strategies");
    const text = strategies.text ?? "";
    expect(text).toContain("sma-cross · 1d · auto-accept off");
    expect(text).toContain("adx-dma · 1d · auto-accept off");
    expect(text).toContain("Allocation (30-day Sharpe, 2023-02-13 to 2023-03-14): fewer than four strategies have 10+ closed trades: equal shares of 1/2");
    expect(text).toContain("  sma-cross: 50% · Sharpe — · 0 trades");
    expect(text).toContain("  adx-dma: 50% · Sharpe — · 0 trades");
  });

  it("answers bad /why and /regime arguments with one clear line and the usage", async () => {
    expect((await say("/why")).text).toBe("Name one signal id (it is on the signal's card).\nUsage: /why ID");
    expect((await say(`/why ${tcsId} extra`)).text).toBe("Name one signal id (it is on the signal's card).\nUsage: /why ID");
    expect((await say("/why NOT_AN_ID!")).text).toBe('"NOT_AN_ID!" is not a signal id: ids are letters, digits and dashes, like sma-cross-1a2b3c4d.\nUsage: /why ID');
    expect((await say("/why unknown-id-1234")).text).toBe("No signal unknown-id-1234. /signals lists the waiting ones.");
    expect((await say("/regime extra")).text).toBe("/regime takes no argument.\nUsage: /regime");
  });

  it("logs no failed update along the way", () => {
    expect(failures).toEqual([]);
    for (const m of tg.messages(CHAT).filter((x) => x.from_bot)) expect(m.text ?? "").not.toMatch(/\n\s+at \S+ \(|Error:|Sorry, that failed/);
  });
});
