/**
 * The intake's queues on a real desk (in-memory store, paper broker): copies
 * and pyramids arriving together are settled one at a time in call order, the
 * caller is answered once the signal is recorded (the desk takes it after), a
 * recorded signal the desk never got is taken once when re-sent or at the next
 * start (or reported, when too old), and refusals are audited without ever
 * throwing.
 */
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../../src/db/memory-store.js";
import type { Store } from "../../../src/db/store.js";
import { ManualClock } from "../../../src/engine/clock.js";
import { deliveryFillCharges } from "../../../src/engine/costs/index.js";
import { Desk } from "../../../src/engine/desk.js";
import { PaperBroker } from "../../../src/engine/execution/paper-broker.js";
import { optionSymbol } from "../../../src/engine/fno/option-contract.js";
import { dedupKey, tradingViewSignalId } from "../../../src/engine/intake/identity.js";
import { TradingViewIntake, type IntakeAnswer } from "../../../src/engine/intake/intake.js";
import type { TradingViewSignal } from "../../../src/engine/intake/tradingview-schema.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { smaCross } from "../../../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../../../src/engine/strategies/strategy.js";
import { tradingView } from "../../../src/engine/strategies/tradingview.js";

const WALL = new Date("2026-01-05T04:00:00Z");
const FROM = { address: "127.0.0.1", forwardedFor: null };

async function setup(opts: { strategies?: Strategy<unknown>[]; store?: Store; auto?: boolean; resumeWithinMs?: number } = {}) {
  const store = opts.store ?? new MemoryStore();
  const wall = new ManualClock(WALL);
  const desk = new Desk({
    repo: store,
    broker: new PaperBroker(),
    marketClock: new ManualClock(new Date("2025-01-02T10:00:00Z")),
    wallClock: wall,
    capital: 400_000_000,
    riskPct: 1.5,
    signalTtlMinutes: 15,
    strategies: opts.strategies ?? [tradingView as Strategy<unknown>],
    autoAccept: opts.auto ? ["tradingview"] : [],
    charges: deliveryFillCharges,
    mode: "paper",
  });
  const bar: Candle = { symbol: "SBIN", timeframe: "1d", time: new Date("2025-01-02T03:45:00Z"), open: 76_000, high: 77_000, low: 75_500, close: 76_400, volume: 1_000_000 };
  if (!opts.store) await desk.init(); // a spent store (the last test) cannot be read
  desk.addHistory([bar]);
  const warnings: string[] = [];
  const intake = new TradingViewIntake({ desk, clock: wall, log: { info() {}, warn: (m) => void warnings.push(m) }, ...(opts.resumeWithinMs !== undefined ? { resumeWithinMs: opts.resumeWithinMs } : {}) });
  return { store, desk, intake, warnings, wall };
}

/** The body as stored: seed 002's fields, without the secret. */
const payloadOf = (s: TradingViewSignal): Record<string, unknown> => ({
  timestamp: s.timestamp.toISOString(),
  signal_type: s.signalType,
  symbol: s.symbol,
  price: s.price,
  conditions: s.conditions,
  theoretical_lots: s.theoreticalLots,
  stop_loss: s.stopLoss,
});

const sig = (over: Partial<TradingViewSignal> = {}): TradingViewSignal => ({
  timestamp: new Date("2025-01-02T04:45:00Z"),
  signalType: "BASE_ENTRY",
  symbol: "SBIN",
  price: 764,
  conditions: {},
  theoreticalLots: 1,
  stopLoss: 750,
  ...over,
});

describe("TradingViewIntake", () => {
  it("settles copies that arrive together one at a time: one taken, the rest duplicates", async () => {
    const { store, intake } = await setup();
    const answers = await Promise.all(Array.from({ length: 5 }, () => intake.receive(sig(), { copy: true }, FROM)));
    await intake.idle();
    const id = tradingViewSignalId(dedupKey(sig()));
    expect(answers).toEqual<IntakeAnswer[]>([
      { kind: "accepted", signalId: id },
      ...Array.from({ length: 4 }, () => ({ kind: "duplicate" as const, signalId: id })),
    ]);
    expect(await store.webhookSignals()).toHaveLength(1);
    expect(await store.events("webhook.duplicate")).toHaveLength(4);
    expect((await store.signalsByStatus(["proposed"])).map((s) => s.id)).toEqual([id]);
  });

  it("numbers pyramids arriving together after the highest unit held or still on its way", async () => {
    const { store, intake } = await setup();
    await store.insertPosition({
      symbol: "SBIN",
      strategy: "tradingview",
      side: "long",
      qty: 10,
      costBasis: 764_000,
      openCharges: 0,
      initialStop: 75_000,
      stop: 75_000,
      targets: [],
      lastPrice: 76_400,
      signalId: null,
      unit: 0,
      openedAt: new Date("2025-01-02T03:45:00Z"),
    });
    const at = (m: number) => new Date(Date.parse("2025-01-02T05:00:00Z") + m * 60_000);
    const answers = await Promise.all([0, 1, 2].map((m) => intake.receive(sig({ signalType: "PYRAMID", timestamp: at(m) }), {}, FROM)));
    await intake.idle();
    const units = await Promise.all(answers.map(async (a) => (a.kind === "accepted" ? (await store.signal(a.signalId))?.unit : null)));
    expect(units).toEqual([1, 2, 3]);
  });

  it("counts an index unit held as option legs under its underlying, and nobody else's units", async () => {
    const { store, desk, intake } = await setup();
    desk.addHistory([{ symbol: "BANKNIFTY", timeframe: "75m", time: new Date("2025-01-02T03:45:00Z"), open: 5_000_000, high: 5_010_000, low: 4_990_000, close: 5_000_000, volume: 0 }]);
    const leg = (symbol: string, side: "long" | "short", unit: number, strategy = "tradingview") =>
      store.insertPosition({ symbol, strategy, side, qty: 30, costBasis: 30 * 40_000, openCharges: 0, initialStop: null, stop: null, targets: [], lastPrice: null, signalId: null, unit, openedAt: new Date("2025-01-02T03:45:00Z") });
    const ce = optionSymbol("BANKNIFTY", "2025-01-29", 5_000_000, "CE");
    const pe = optionSymbol("BANKNIFTY", "2025-01-29", 5_000_000, "PE");
    for (const u of [0, 1]) {
      await leg(ce, "long", u);
      await leg(pe, "short", u);
    }
    await leg(ce, "long", 4, "banknifty-trend"); // another strategy's unit
    await leg("SBIN", "long", 6); // another symbol's unit
    const a = await intake.receive(sig({ symbol: "BANKNIFTY", signalType: "PYRAMID", price: 50_100, stopLoss: 49_800 }), {}, FROM);
    await intake.idle();
    expect(a.kind).toBe("accepted");
    expect((await store.signal(a.kind === "accepted" ? a.signalId : ""))?.unit).toBe(2);
  });

  it("takes once a signal that was recorded but never reached the desk", async () => {
    const { store, intake } = await setup();
    const s = sig();
    await store.insertWebhookSignal({ ...dedupKey(s), signalId: tradingViewSignalId(dedupKey(s)), payload: {}, receivedAt: WALL });
    const first = await intake.receive(s, {}, FROM);
    expect(first).toMatchObject({ kind: "accepted" });
    // A copy arriving while the first waits for the desk is a duplicate too.
    expect(await intake.receive(s, {}, FROM)).toMatchObject({ kind: "duplicate" });
    await intake.idle();
    expect(await intake.receive(s, {}, FROM)).toMatchObject({ kind: "duplicate" });
    expect(await store.webhookSignals()).toHaveLength(1);
    expect((await store.signalsByStatus(["proposed"])).map((x) => x.id)).toEqual([tradingViewSignalId(dedupKey(s))]);
  });

  it("is off while the tradingview strategy is not enabled, and refuses what the desk cannot take", async () => {
    const off = await setup({ strategies: [smaCross as Strategy<unknown>] });
    expect(await off.intake.receive(sig(), {}, FROM)).toEqual({ kind: "off", message: expect.stringMatching(/tradingview strategy is not enabled/) });
    expect(await off.store.webhookSignals()).toEqual([]);
    expect((await off.store.events("webhook.rejected"))[0]?.detail).toMatchObject({ status: 503, symbol: "SBIN", signalType: "BASE_ENTRY" });

    const { store, intake } = await setup();
    expect(await intake.receive(sig({ symbol: "INFY" }), {}, FROM)).toEqual({ kind: "invalid", field: "symbol", message: expect.stringMatching(/^symbol: the desk has no prices for "INFY"/) });
    expect(await intake.receive(sig({ timestamp: new Date(WALL.getTime() + 25 * 3_600_000) }), {}, FROM)).toEqual({ kind: "invalid", field: "timestamp", message: expect.stringMatching(/25 hours ahead/) });
    // A day ahead is still taken (a clock a little off, a bar's close time).
    expect(await intake.receive(sig({ timestamp: new Date(WALL.getTime() + 23 * 3_600_000) }), {}, FROM)).toMatchObject({ kind: "accepted" });
    expect((await store.events("webhook.rejected")).map((e) => (e.detail as { status: number }).status)).toEqual([400, 400]);
  });

  it("answers once the signal is recorded; the desk takes it (auto-accepted: ordered) just after", async () => {
    const { store, intake } = await setup({ auto: true });
    const a = await intake.receive(sig(), {}, FROM);
    expect(a).toMatchObject({ kind: "accepted" });
    const signalId = a.kind === "accepted" ? a.signalId : "";
    expect(await store.webhookSignals()).toHaveLength(1);
    expect(await store.signal(signalId)).toBeUndefined();
    await intake.idle();
    expect((await store.signal(signalId))?.status).toBe("ordered");
    const orders = await store.ordersByStatus(["submitted"]);
    expect(orders.map((o) => o.signalId)).toEqual([signalId]);
  });

  it("at a start, gives the desk what was recorded before a stop and never taken, in arrival order", async () => {
    const { store, intake } = await setup();
    const at = (i: number) => new Date(Date.parse("2025-01-02T05:00:00Z") + i * 60_000);
    for (const i of [0, 1, 2]) {
      const s = sig({ timestamp: at(i) });
      await store.insertWebhookSignal({ ...dedupKey(s), signalId: tradingViewSignalId(dedupKey(s)), payload: payloadOf(s), receivedAt: new Date(WALL.getTime() - (3 - i) * 60_000) });
    }
    expect(await intake.resume()).toEqual({ taken: 3, expired: 0 });
    const ids = [0, 1, 2].map((i) => tradingViewSignalId(dedupKey(sig({ timestamp: at(i) }))));
    expect((await store.signalsByStatus(["proposed"])).map((x) => x.id).sort()).toEqual([...ids].sort());
    // Taken once: a second start finds nothing to do.
    expect(await intake.resume()).toEqual({ taken: 0, expired: 0 });
  });

  it("at a start, reports a recorded signal too old to act on, once, and does not act on it", async () => {
    const { store, intake, warnings } = await setup({ resumeWithinMs: 15 * 60_000 });
    const s = sig();
    await store.insertWebhookSignal({ ...dedupKey(s), signalId: tradingViewSignalId(dedupKey(s)), payload: payloadOf(s), receivedAt: new Date(WALL.getTime() - 16 * 60_000) });
    expect(await intake.resume()).toEqual({ taken: 0, expired: 1 });
    expect(await store.signalsByStatus(["proposed"])).toEqual([]);
    const [e] = await store.events("webhook.expired");
    expect(e?.message).toMatch(/^TradingView BASE_ENTRY SBIN of .*received 16 minutes ago, before Dalal stopped, and never acted on; too old to act on now$/);
    expect(warnings).toEqual(["webhook signal not acted on"]);
    expect(await intake.resume()).toEqual({ taken: 0, expired: 0 });
    expect(await store.events("webhook.expired")).toHaveLength(1);
  });

  it("records a burst together and answers it at once; the desk then takes it in order, giving the event loop a turn each", async () => {
    const { store, intake } = await setup();
    const at = (i: number) => new Date(Date.parse("2025-01-02T05:00:00Z") + i * 1_000);
    const ids = Array.from({ length: 500 }, (_, i) => tradingViewSignalId(dedupKey(sig({ timestamp: at(i) }))));
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => intake.receive(sig({ timestamp: at(i) }), {}, FROM)));
    expect(answers.map((a) => (a.kind === "accepted" ? a.signalId : a.kind))).toEqual(ids);
    expect((await store.webhookSignals({ limit: 1_000 })).map((w) => w.signalId)).toEqual(ids);
    // A timer stands for the socket reads waiting behind the desk's backlog: it runs before the backlog is through.
    const taken = async () => (await Promise.all(ids.map((id) => store.signal(id)))).filter((x) => x !== undefined).length;
    const seenByTimer = await new Promise<number>((resolve) => setTimeout(() => void taken().then(resolve), 0));
    expect(seenByTimer).toBeLessThan(500);
    await intake.idle();
    // The desk stores a signal for each (proposed, or refused with its reason).
    expect(await taken()).toBe(500);
  });

  it("never throws when the audit log cannot be written: it says so in the log", async () => {
    const store = new MemoryStore();
    let spent: Store | undefined;
    await store.tx(async (s) => void (spent = s));
    const { intake, warnings } = await setup({ store: spent! });
    await expect(intake.recordRefusal(401, "secret: does not match WEBHOOK_SECRET", FROM)).resolves.toBeUndefined();
    expect(warnings).toEqual(["webhook refusal not written to the audit log"]);
  });
});
