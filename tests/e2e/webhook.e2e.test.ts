/**
 * POST /webhook/tradingview against a real HTTP server, a real desk (paper
 * broker, replayed shipped bars) and a real embedded database: what TradingView
 * sends becomes the desk's own signals, refusals are answered and audited
 * without the secret, duplicates stay duplicates across a restart, and a burst
 * keeps every signal in the order it was taken.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { TradingViewIntake } from "../../src/engine/intake/intake.js";
import { loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { smaCross } from "../../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../../src/engine/strategies/strategy.js";
import { tradingView } from "../../src/engine/strategies/tradingview.js";
import { startHttpServer } from "../../src/http/server.js";
import { tradingViewWebhook, WEBHOOK_PATH } from "../../src/http/webhook.js";

const SECRET = "tv-shared-secret-0123456789";
const SYMBOLS = ["SBIN", "INFY", "RELIANCE", "TCS"];
const WALL = new Date("2026-01-05T04:00:00Z");

interface Stack {
  desk: Desk;
  feed: ReplayFeed;
  intake: TradingViewIntake;
  url: string;
  close(): Promise<void>;
}

describe("the TradingView webhook", () => {
  let database: Database;
  let repo: Repo;
  let stack: Stack;
  const wall = new ManualClock(WALL);
  /** What the webhook logged as its own failure: nothing, in every test. */
  const errors: string[] = [];

  /** Desk, replay (history up to REPLAY_FROM, so the desk has prices), intake and HTTP server on the shared database. */
  async function build(opts: { secret?: string | undefined; strategies?: Strategy<unknown>[]; ready?: () => boolean } = {}): Promise<Stack> {
    const desk = new Desk({
      repo,
      broker: new PaperBroker(),
      // The replay's clock stands at the close of the day before it starts (feed.step moves it).
      marketClock: new ManualClock(new Date("2024-12-31T10:00:00Z")),
      wallClock: wall,
      capital: 400_000_000,
      riskPct: 1.5,
      signalTtlMinutes: 15,
      strategies: opts.strategies ?? [tradingView as Strategy<unknown>],
      autoAccept: [],
      charges: deliveryFillCharges,
      mode: "paper",
    });
    await desk.init();
    const feed = new ReplayFeed(repo, desk, { from: "2025-01-01", to: "2025-03-31", paceMs: 0 });
    await feed.prepare();
    const intake = new TradingViewIntake({ desk, clock: wall });
    const secret = "secret" in opts ? opts.secret : SECRET;
    const server = await startHttpServer("127.0.0.1", 0, { ready: () => true, webhook: tradingViewWebhook({ intake, secret, ready: opts.ready ?? (() => true), log: { info() {}, warn() {}, error: (m, d) => void errors.push(`${m} ${JSON.stringify(d)}`) } }) });
    return { desk, feed, intake, url: `${server.url}${WEBHOOK_PATH}`, close: server.close };
  }

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    repo = new Repo(database.db);
    await repo.upsertCandles(loadShippedDaily(undefined, SYMBOLS).candles);
    stack = await build();
  }, 60_000);
  afterAll(async () => {
    expect(errors).toEqual([]);
    await stack?.close();
    await database?.close();
  });

  /** SBIN closed at ₹764.05 on 31 Dec 2024, the last day before the replay starts. */
  const signal = (over: Record<string, unknown> = {}) => ({
    timestamp: "2025-01-01T04:45:00Z",
    signal_type: "BASE_ENTRY",
    symbol: "SBIN",
    price: 764.03,
    conditions: { rsi: 72.5, adx: 28.5, er: 0.85, doji: false },
    theoretical_lots: 12,
    stop_loss: 748.12,
    secret: SECRET,
    ...over,
  });
  const post = async (body: unknown, init: RequestInit = {}, url = stack.url) => {
    const res = await fetch(url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), ...init });
    const answer = { status: res.status, body: (await res.json()) as Record<string, unknown> };
    // Answered once recorded; the desk takes it just after.
    await stack.intake.idle();
    return answer;
  };
  const events = async (kind: string) => repo.events(kind, 10_000);
  const webhookRows = () => repo.webhookSignals({ limit: 100_000 });

  it("answers 503 naming WEBHOOK_SECRET when it is unset, and audits it", async () => {
    const off = await build({ secret: undefined });
    try {
      const before = (await events("webhook.rejected")).length;
      const res = await post(signal(), {}, off.url);
      expect(res).toEqual({ status: 503, body: { accepted: false, error: "the TradingView intake is off: set WEBHOOK_SECRET (16 characters or more) to turn it on" } });
      const audit = await events("webhook.rejected");
      expect(audit.length).toBe(before + 1);
      expect(audit[0]!.detail).toMatchObject({ status: 503 });
      expect(await webhookRows()).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it("answers 503 while Dalal starts or stops, and takes nothing", async () => {
    const stopping = await build({ ready: () => false });
    try {
      const res = await post(signal(), {}, stopping.url);
      expect(res).toEqual({ status: 503, body: { accepted: false, error: "Dalal is starting or stopping; the signal was not taken, send it again shortly" } });
      expect(await webhookRows()).toEqual([]);
    } finally {
      await stopping.close();
    }
  });

  it("takes a good signal as a proposed tradingview signal, priced on the tick, with its conditions", async () => {
    const res = await post(signal());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: true, signalId: expect.stringMatching(/^tradingview-[a-z2-7]{8}$/) });
    const s = (await repo.signal(res.body.signalId as string))!;
    expect(s).toMatchObject({
      strategy: "tradingview",
      symbol: "SBIN",
      kind: "entry",
      side: "long",
      unit: 0,
      timeframe: "75m",
      barTime: new Date("2025-01-01T04:45:00Z"),
      // ₹764.03 to the nearest 5 paise; the stop ₹748.12 down to ₹748.10.
      entry: 76_405,
      stop: 74_810,
      targets: [],
      // round(50 × 0.85 + 50 × 28.5 / 50) = round(42.5 + 28.5) = 71
      strength: 71,
      conditions: { rsi: 72.5, adx: 28.5, er: 0.85, doji: false, theoretical_lots: 12 },
      status: "proposed",
    });
    expect(s.qty).toBeGreaterThan(0);
    const [row] = await webhookRows();
    expect(row).toMatchObject({ symbol: "SBIN", signalType: "BASE_ENTRY", signalTime: new Date("2025-01-01T04:45:00Z"), signalId: s.id, receivedAt: WALL });
    expect(JSON.stringify(row!.payload)).not.toContain(SECRET);
    expect(row!.payload).toMatchObject({ symbol: "SBIN", price: 764.03 });
  });

  it("answers a duplicate (same symbol, type and time) without acting twice, even with other fields changed", async () => {
    const signalsBefore = (await repo.signalsByStatus(["proposed"])).length;
    const res = await post(signal({ price: 770, conditions: {} }));
    expect(res).toEqual({ status: 200, body: { accepted: false, duplicate: true } });
    expect((await repo.signalsByStatus(["proposed"])).length).toBe(signalsBefore);
    expect(await webhookRows()).toHaveLength(1);
    const [dup] = await events("webhook.duplicate");
    expect(dup).toMatchObject({ actor: "tradingview", detail: { symbol: "SBIN", signalType: "BASE_ENTRY", timestamp: "2025-01-01T04:45:00.000Z" } });
    // The same time with another type is another signal.
    expect((await post(signal({ signal_type: "EXIT", stop_loss: undefined }))).body.accepted).toBe(true);
  });

  it("takes one of several copies sent at the same moment, and answers the rest as duplicates", async () => {
    const copies = await Promise.all(Array.from({ length: 5 }, () => post(signal({ timestamp: "2025-01-01T04:50:00Z", symbol: "INFY", price: 1930, stop_loss: 1900 }))));
    expect(copies.filter((c) => c.body.accepted === true)).toHaveLength(1);
    expect(copies.filter((c) => c.body.duplicate === true)).toHaveLength(4);
    const id = copies.find((c) => c.body.accepted)!.body.signalId as string;
    expect(await repo.signal(id)).toMatchObject({ status: "proposed", symbol: "INFY" });
  });

  it("refuses a bad or missing secret with 401, audits it without the secret, and stores nothing", async () => {
    const rows = (await webhookRows()).length;
    const audited = (await events("webhook.rejected")).length;
    const wrong = "tv-shared-secret-0123456788";
    expect(await post(signal({ secret: wrong, timestamp: "2025-01-01T05:00:00Z" }))).toEqual({
      status: 401,
      body: { accepted: false, error: "secret: does not match WEBHOOK_SECRET", field: "secret" },
    });
    expect((await post(signal({ secret: undefined, timestamp: "2025-01-01T05:00:00Z" }))).status).toBe(401);
    expect((await post(signal({ secret: 12345, timestamp: "2025-01-01T05:00:00Z" }))).status).toBe(401);
    // Fields are not checked for a caller without the secret: a bad one still gets 401.
    expect((await post(signal({ secret: wrong, price: "x" }))).status).toBe(401);
    expect(await webhookRows()).toHaveLength(rows);
    const audit = await events("webhook.rejected");
    expect(audit.length).toBe(audited + 4);
    const text = JSON.stringify(audit);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(wrong);
    expect(audit[0]!.detail).toMatchObject({ status: 401, from: "127.0.0.1" });
  });

  it("refuses malformed bodies with 400 (413 when oversized), naming the field, audited, nothing stored", async () => {
    const rows = (await webhookRows()).length;
    const audited = (await events("webhook.rejected")).length;
    const ts = "2025-01-01T06:00:00Z";
    const cases: Array<[string, unknown, number, string, RegExp]> = [
      ["missing timestamp", signal({ timestamp: undefined }), 400, "timestamp", /^timestamp: required$/],
      ["bad signal_type", signal({ timestamp: ts, signal_type: "BUY" }), 400, "signal_type", /^signal_type: expected one of BASE_ENTRY, PYRAMID, EXIT, STOP, got a string "BUY"$/],
      ["price a string", signal({ timestamp: ts, price: "764.05" }), 400, "price", /^price: expected a number, got a string "764.05"$/],
      ["negative price", signal({ timestamp: ts, price: -5 }), 400, "price", /^price: expected a price in rupees from 0.01 to 10000000, got -5$/],
      ["price off any sane range", signal({ timestamp: ts, price: 5e9 }), 400, "price", /^price: expected a price in rupees/],
      ["entry without a stop", signal({ timestamp: ts, stop_loss: undefined }), 400, "stop_loss", /^stop_loss: required for BASE_ENTRY$/],
      ["stop above the price", signal({ timestamp: ts, stop_loss: 800 }), 400, "stop_loss", /^stop_loss: expected below price \(764.03\)/],
      ["fractional lots", signal({ timestamp: ts, theoretical_lots: 1.5 }), 400, "theoretical_lots", /^theoretical_lots: expected a whole number, got 1.5$/],
      ["an unknown field", signal({ timestamp: ts, stoploss: 700 }), 400, "stoploss", /^stoploss: unknown field/],
      ["a nested condition", signal({ timestamp: ts, conditions: { rsi: { v: 1 } } }), 400, "conditions.rsi", /^conditions\.rsi: expected a number, a string or true\/false, got an object$/],
      ["a symbol the desk cannot price", signal({ timestamp: ts, symbol: "NOSUCH" }), 400, "symbol", /^symbol: the desk has no prices for "NOSUCH"/],
      ["a time from the future", signal({ timestamp: "2026-03-01T04:45:00Z" }), 400, "timestamp", /^timestamp: .* hours ahead of Dalal's clock/],
      ["not JSON", "{timestamp: 2025}", 400, "body", /^body: not valid JSON/],
      ["empty body", "", 400, "body", /^body: empty; expected seed 002's JSON object$/],
      ["an array", [signal()], 400, "body", /^body: expected a JSON object, got an array$/],
      ["a bare string", JSON.stringify("BASE_ENTRY"), 400, "body", /^body: expected a JSON object, got a string$/],
      ["oversized", JSON.stringify({ ...signal({ timestamp: ts }), conditions: { pad: "x".repeat(70_000) } }), 413, "body", /^body: larger than 65536 bytes$/],
    ];
    for (const [what, body, status, field, message] of cases) {
      const res = await post(body);
      expect(res.status, what).toBe(status);
      expect(res.body.accepted, what).toBe(false);
      expect(res.body.field, what).toBe(field);
      expect(res.body.error, what).toMatch(message);
    }
    // Streamed without a length: cut off at the cap all the same.
    const chunk = new TextEncoder().encode("x".repeat(16_384));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 8) c.enqueue(chunk);
        else c.close();
      },
    });
    const chunked = await fetch(stack.url, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toEqual({ accepted: false, error: "body: larger than 65536 bytes", field: "body" });
    expect(await webhookRows()).toHaveLength(rows);
    const audit = await events("webhook.rejected");
    expect(audit.length).toBe(audited + cases.length + 1);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(audit.map((e) => (e.detail as { status: number }).status).sort()).toEqual(expect.arrayContaining([400, 413]));
  });

  it("refuses other methods with 405 and survives any body thrown at it", async () => {
    const get = await fetch(stack.url);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(await get.json()).toEqual({ accepted: false, error: "use POST /webhook/tradingview, not GET" });
    const rows = (await webhookRows()).length;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), fc.string()), async (junk) => {
        const res = await fetch(stack.url, { method: "POST", body: typeof junk === "string" ? junk : JSON.stringify(junk) });
        expect([400, 401]).toContain(res.status);
        expect(((await res.json()) as { accepted: boolean }).accepted).toBe(false);
      }),
      { numRuns: 150 },
    );
    // With the secret too: every field of seed 002's shape, any values.
    await fc.assert(
      fc.asyncProperty(fc.record({ timestamp: fc.jsonValue(), signal_type: fc.jsonValue(), symbol: fc.jsonValue(), price: fc.jsonValue(), conditions: fc.jsonValue(), theoretical_lots: fc.jsonValue(), stop_loss: fc.jsonValue() }, { requiredKeys: [] }), async (junk) => {
        const res = await fetch(stack.url, { method: "POST", body: JSON.stringify({ ...junk, secret: SECRET }) });
        expect(res.status).toBe(400);
        const body = (await res.json()) as { error: string; field: string };
        expect(body.error).toMatch(new RegExp(`^${String(body.field).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
      }),
      { numRuns: 150 },
    );
    expect(await webhookRows()).toHaveLength(rows);
    expect((await fetch(stack.url, { method: "POST", body: JSON.stringify(signal({ timestamp: "2025-01-01T07:00:00Z", symbol: "INFY", price: 1930, stop_loss: 1900 })) })).status).toBe(200);
  });

  it("with /auto tradingview on, a signal becomes an order at once", async () => {
    await stack.desk.setAuto("tradingview", true, "@owner");
    const res = await post(signal({ timestamp: "2025-01-01T08:00:00Z", symbol: "RELIANCE", price: 1215.3, stop_loss: 1190 }));
    expect(res.status).toBe(200);
    const s = (await repo.signal(res.body.signalId as string))!;
    expect(s.status).toBe("ordered");
    expect(s.decidedBy).toBe("auto");
    const orders = (await repo.ordersByStatus(["new", "submitted"])).filter((o) => o.signalId === s.id);
    expect(orders).toMatchObject([{ symbol: "RELIANCE", side: "buy", qty: s.qty, purpose: "entry" }]);
  });

  it("numbers PYRAMID units after the highest held or on its way, and EXIT closes every unit", async () => {
    // Auto-accept is on (previous test). TCS: a base, then fill it at the next day's open.
    const at = (h: number) => `2025-01-01T${String(h).padStart(2, "0")}:15:00Z`;
    const tcs = { symbol: "TCS", price: 4090, stop_loss: 4000 };
    const base = await post(signal({ ...tcs, timestamp: at(4) }));
    const p1 = await post(signal({ ...tcs, signal_type: "PYRAMID", timestamp: at(5) }));
    // The base is ordered, not filled: no position yet, so the desk skips the pyramid (unit 1) with its reason.
    expect((await repo.signal(p1.body.signalId as string))).toMatchObject({ unit: 1, status: "skipped", statusReason: "pyramid unit 1 needs an open tradingview position in TCS" });
    await stack.feed.step(); // 1 Jan 2025 plays: the base fills at its open
    expect((await repo.openPositions()).filter((p) => p.symbol === "TCS").map((p) => p.unit)).toEqual([0]);
    // Both at once: the second is numbered only once the first is stored (ordered, not yet a position), so it takes unit 2.
    const [p2, p3] = await Promise.all([
      post(signal({ ...tcs, signal_type: "PYRAMID", timestamp: at(6), price: 4100 })),
      post(signal({ ...tcs, signal_type: "PYRAMID", timestamp: at(7), price: 4110 })),
    ]);
    const units = [await repo.signal(p2!.body.signalId as string), await repo.signal(p3!.body.signalId as string)];
    expect(units.map((u) => u?.status)).toEqual(["ordered", "ordered"]);
    expect(units.map((u) => u?.unit).sort()).toEqual([1, 2]);
    await stack.feed.step();
    const held = (await repo.openPositions()).filter((p) => p.symbol === "TCS" && p.strategy === "tradingview");
    expect(held.map((p) => p.unit).sort()).toEqual([0, 1, 2]);
    expect(base.body.accepted).toBe(true);

    const exit = await post(signal({ ...tcs, signal_type: "EXIT", timestamp: at(8), stop_loss: undefined, price: 4120 }));
    const ex = (await repo.signal(exit.body.signalId as string))!;
    expect(ex).toMatchObject({ kind: "exit", side: "short", unit: null, status: "ordered", qty: held.reduce((n, p) => n + p.qty, 0) });
    expect(ex.statusReason).toBe("exit: TradingView EXIT at ₹4120");
    await stack.feed.step();
    expect((await repo.openPositions()).filter((p) => p.symbol === "TCS")).toEqual([]);
    const trades = (await repo.trades()).filter((t) => t.symbol === "TCS");
    expect(trades.map((t) => t.exitReason)).toEqual(["signal_exit", "signal_exit", "signal_exit"]);
    // A STOP when nothing is held is still news: stored as an alert.
    const stop = await post(signal({ ...tcs, signal_type: "STOP", timestamp: at(9), stop_loss: undefined }));
    expect(await repo.signal(stop.body.signalId as string)).toMatchObject({ kind: "alert", status: "alerted", statusReason: "TradingView STOP at ₹4090: its stop was hit" });
    await stack.desk.setAuto("tradingview", false, "@owner");
  });

  it("takes a burst of 200 concurrent signals: all accepted, none lost, stored in the order they were taken", async () => {
    const first = (await webhookRows()).at(-1)?.id ?? 0;
    const proposed: string[] = [];
    const off = stack.desk.bus.on("signal.proposed", ({ signal: s }) => void proposed.push(s.id));
    const sent = Array.from({ length: 200 }, (_, i) => {
      // Symbols with nothing held (RELIANCE was bought above): every entry waits for a decision.
      const symbol = ["SBIN", "INFY", "TCS"][i % 3]!;
      const price = { SBIN: 764, INFY: 1930, TCS: 4090 }[symbol]!;
      return signal({ symbol, price, stop_loss: price * 0.98, timestamp: new Date(Date.parse("2025-01-02T04:00:00Z") + i * 60_000).toISOString() });
    });
    const answers = await Promise.all(sent.map((b) => post(b)));
    off();
    expect(answers.every((a) => a.status === 200 && a.body.accepted === true)).toBe(true);
    const ids = answers.map((a) => a.body.signalId as string);
    expect(new Set(ids).size).toBe(200);
    const rows = await repo.webhookSignals({ afterId: first, limit: 1000 });
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => r.signalId))).toEqual(new Set(ids));
    // The desk saw them in the order the intake recorded them.
    expect(proposed).toEqual(rows.map((r) => r.signalId));
    for (const id of ids) expect((await repo.signal(id))?.status).toBe("proposed");
  });

  it("after a restart, duplicates are still duplicates, and a signal recorded but never handed over is taken once", async () => {
    await stack.close();
    stack = await build();
    const signalsBefore = (await repo.signalsByStatus(["proposed", "ordered", "skipped", "alerted", "filled"], 10_000)).length;
    expect(await post(signal())).toEqual({ status: 200, body: { accepted: false, duplicate: true } });
    // As if the process died between recording a signal and handing it to the desk.
    const ts = "2025-01-03T04:00:00Z";
    const key = { symbol: "INFY", signalType: "BASE_ENTRY", signalTime: new Date(ts) };
    const { tradingViewSignalId } = await import("../../src/engine/intake/identity.js");
    await repo.insertWebhookSignal({ ...key, signalId: tradingViewSignalId({ ...key, signalType: "BASE_ENTRY" }), payload: {}, receivedAt: wall.now() });
    const again = await post(signal({ symbol: "INFY", price: 1930, stop_loss: 1900, timestamp: ts }));
    expect(again.body.accepted).toBe(true);
    expect(await repo.signal(again.body.signalId as string)).toMatchObject({ status: "proposed" });
    expect(await post(signal({ symbol: "INFY", price: 1930, stop_loss: 1900, timestamp: ts }))).toEqual({ status: 200, body: { accepted: false, duplicate: true } });
    expect((await repo.signalsByStatus(["proposed", "ordered", "skipped", "alerted", "filled"], 10_000)).length).toBe(signalsBefore + 1);
  });

  it("answers 503 when the tradingview strategy is not enabled", async () => {
    const other = await build({ strategies: [smaCross as Strategy<unknown>] });
    try {
      const res = await post(signal({ timestamp: "2025-01-03T05:00:00Z" }), {}, other.url);
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/the tradingview strategy is not enabled \(add it to ENABLED_STRATEGIES/);
    } finally {
      await other.close();
    }
  });
});
