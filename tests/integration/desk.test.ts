/**
 * The engine end to end in one process, on real shipped bars and a real
 * (embedded) database: replay → signal → decision → order → fill → position.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { ManualClock } from "../../src/engine/clock.js";
import { Desk } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { smaCross } from "../../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../../src/engine/strategies/strategy.js";
import { istDate } from "../../src/engine/time/ist.js";
import type { SignalView } from "../../src/engine/views.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";

const SYMBOLS = ["RELIANCE", "INFY", "M&M", "SBIN", "TCS", "ITC"];

describe("desk on replayed real bars", () => {
  let database: Database;
  let repo: Repo;
  const wall = new ManualClock(new Date("2026-01-05T04:00:00Z"));

  function build(autoAccept: string[] = []) {
    const desk = new Desk({
      repo,
      broker: new PaperBroker(),
      marketClock: new ManualClock(),
      wallClock: wall,
      capital: 40_000_000,
      riskPct: 1.5,
      signalTtlMinutes: 15,
      strategies: [smaCross as Strategy<unknown>],
      autoAccept,
      charges: deliveryFillCharges,
      mode: "paper",
    });
    const feed = new ReplayFeed(repo, desk, { from: "2025-01-01", to: "2025-06-30", paceMs: 0 });
    return { desk, feed };
  }

  /** Steps the feed until `pred` holds on what the desk emitted, at most `max` days. */
  async function stepUntil(feed: ReplayFeed, desk: Desk, pred: (proposed: SignalView[]) => boolean, max = 120) {
    const proposed: SignalView[] = [];
    const off = desk.bus.on("signal.proposed", ({ signal }) => void proposed.push(signal));
    for (let i = 0; i < max && !pred(proposed); i++) if (!(await feed.step())) break;
    off();
    return proposed;
  }

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    repo = new Repo(database.db);
    await repo.upsertCandles(loadShippedDaily(undefined, SYMBOLS).candles);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("proposes a sized signal, fills it at the next bar's open, and keeps it across a restart", async () => {
    const { desk, feed } = build();
    await desk.init();
    await feed.prepare();
    const proposed = await stepUntil(feed, desk, (p) => p.length > 0);
    expect(proposed.length).toBeGreaterThan(0);
    const s = proposed[0]!;
    // Sizing by hand: ₹4,00,000 × 1.5% = ₹6,000 budget × the strength factor (0.5 + strength/200, at most 1),
    // over the per-share risk; capped by the half-Kelly value (5% of capital until 20 trades), the 20% per-stock cap and cash.
    const plan = Math.min(1, 0.5 + s.strength / 200);
    const byRisk = Math.floor(Math.floor(600_000 * plan) / (s.entry - s.stop!));
    const byKelly = Math.floor(2_000_000 / s.entry);
    expect(s.qty).toBe(Math.min(byRisk, byKelly, Math.floor(8_000_000 / s.entry)));
    expect(s.sizing).toMatchObject({ capital: 40_000_000, riskPct: 1.5, qtyByRisk: byRisk, qtyByKelly: byKelly, tradesForKelly: 0 });
    expect(s.status).toBe("proposed");
    expect(s.expiresAt!.getTime() - wall.now().getTime()).toBe(15 * 60_000);

    const decision = await desk.approve(s.id, "@owner");
    expect(decision.ok).toBe(true);
    expect((await repo.signal(s.id))?.status).toBe("ordered");
    // A second press: no second order.
    const again = await desk.approve(s.id, "@someone-else");
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.message).toMatch(/already approved by @owner/);
    expect((await repo.ordersByStatus(["new", "submitted", "filled"])).filter((o) => o.signalId === s.id)).toHaveLength(1);

    // Next replayed day: the paper broker fills at that bar's open.
    const signalDay = istDate(s.barTime);
    await feed.step();
    const filled = await repo.signal(s.id);
    expect(filled?.status).toBe("filled");
    const pos = (await repo.position(filled!.positionId!))!;
    const nextBar = (await repo.loadCandles("1d")).find((c) => c.symbol === s.symbol && istDate(c.time) > signalDay)!;
    expect(pos.qty).toBe(s.qty);
    expect(pos.costBasis).toBe(s.qty * nextBar.open);
    expect(pos.openCharges).toBe(deliveryFillCharges({ side: "buy", value: s.qty * nextBar.open, time: nextBar.time }));
    // On this (fixed) data the fill day's low stays above the stop: still open, its stop working at the broker.
    expect(pos.status).toBe("open");
    const stops = (await repo.ordersByStatus(["submitted"])).filter((o) => o.positionId === pos.id && o.purpose === "stop");
    expect(stops.map((o) => o.limitPrice)).toEqual([s.stop]);

    // Restart: a new desk and feed on the same database resume the position and the replay.
    const cursor = await repo.getSetting<string>("replay.cursor");
    const again2 = build();
    const resumed = await again2.desk.init();
    const prep = await again2.feed.prepare();
    expect(resumed.openPositions).toBe((await repo.openPositions()).length);
    expect(prep.resumeFrom! > cursor!).toBe(true);
    expect((await again2.desk.reports.positions(new Date())).map((p) => p.symbol)).toContain(s.symbol);
  });

  it("expires a signal after the wall-clock TTL and then never orders it", async () => {
    const { desk, feed } = build();
    await desk.init();
    await feed.prepare();
    const decided: SignalView[] = [];
    desk.bus.on("signal.decided", ({ signal }) => void decided.push(signal));
    const proposed = await stepUntil(feed, desk, (p) => p.length > 0);
    const s = proposed[0]!;
    wall.advance(14 * 60_000);
    expect(await desk.expireDue()).toBe(0);
    wall.advance(60_000);
    expect(await desk.expireDue()).toBeGreaterThanOrEqual(1);
    expect((await repo.signal(s.id))?.status).toBe("expired");
    expect(decided.some((d) => d.id === s.id && d.status === "expired")).toBe(true);
    const late = await desk.approve(s.id, "@owner");
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.message).toMatch(/expired/);
    expect((await repo.ordersByStatus(["new", "submitted", "filled"])).some((o) => o.signalId === s.id)).toBe(false);
  });

  it("rejects with a reason, and a reject after approval changes nothing", async () => {
    const { desk, feed } = build();
    await desk.init();
    await feed.prepare();
    const proposed = await stepUntil(feed, desk, (p) => p.length >= 2);
    expect(proposed.length).toBeGreaterThanOrEqual(2);
    const [a, b] = proposed as [SignalView, SignalView];
    expect((await desk.reject(a.id, "@owner", "earnings tomorrow")).ok).toBe(true);
    expect((await repo.signal(a.id))?.statusReason).toBe("earnings tomorrow");
    await desk.approve(b.id, "@owner");
    const r = await desk.reject(b.id, "@owner");
    expect(r.ok).toBe(false);
    expect((await repo.signal(b.id))?.status).toMatch(/ordered|filled/);
    expect((await desk.reject("sma-cross-nosuchid", "@owner")).ok).toBe(false);
  });

  it("auto-accepts, trades through to closed trades, and the ledger adds up to the paisa", async () => {
    const { desk, feed } = build(["sma-cross"]);
    await desk.init();
    await feed.prepare();
    while (await feed.step()) {
      /* play to REPLAY_TO */
    }
    const trades = await repo.trades();
    expect(trades.length).toBeGreaterThan(0);
    for (const t of trades) {
      expect(t.net).toBe(t.gross - t.charges);
      expect(Number.isInteger(t.gross) && Number.isInteger(t.charges)).toBe(true);
    }
    const open = await repo.openPositions();
    const allCharges = await repo.sumFillCharges();
    const booked = trades.reduce((s, t) => s + t.charges, 0) + open.reduce((s, p) => s + p.openCharges, 0);
    expect(booked).toBe(allCharges);
    const book = await desk.ledger();
    expect(book.realized).toBe(trades.reduce((s, t) => s + t.net, 0));
    expect(book.equity).toBe(book.capital + book.realized - book.openCharges + book.unrealized);
    // The last daily row carries the same equity.
    const last = await repo.daily("2025-06-30");
    expect(last?.endingEquity).toBe(book.equity);
  });
});
