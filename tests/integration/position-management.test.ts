/**
 * Seed 001's position rules inside the desk, on replayed real bars: the stop
 * moves to breakeven at +3% and the broker-side stop follows; bookings become
 * partial exits with their rule as the exit reason; stops never loosen; and a
 * restart never fires a rule twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { smaCross } from "../../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../../src/engine/strategies/strategy.js";

const SYMBOLS = ["RELIANCE", "INFY", "M&M", "SBIN", "TCS", "ITC", "AXISBANK", "TATASTEEL", "HDFCBANK", "ICICIBANK", "BHARTIARTL", "LT"];

describe("position management in the desk", () => {
  let database: Database;
  let repo: Repo;
  const clock = new ManualClock();
  const build = () => {
    const desk = new Desk({
      repo,
      broker: new PaperBroker(),
      marketClock: clock,
      wallClock: clock,
      capital: 40_000_000,
      riskPct: 1.5,
      signalTtlMinutes: 15,
      strategies: [smaCross as Strategy<unknown>],
      autoAccept: ["sma-cross"],
      charges: deliveryFillCharges,
      mode: "paper",
    });
    return { desk, feed: new ReplayFeed(repo, desk, { from: "2023-01-01", to: "2024-12-31", paceMs: 0 }) };
  };
  const stopsOf = new Map<number, number[]>();

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    repo = new Repo(database.db);
    await repo.upsertCandles(loadShippedDaily(undefined, SYMBOLS).candles);
    const { desk, feed } = build();
    await desk.init();
    await feed.prepare();
    // Play until some position has booked profit twice, recording every open position's stop each day.
    for (let i = 0; i < 500; i++) {
      if (!(await feed.step())) break;
      for (const p of await repo.openPositions()) {
        if (p.stop === null) continue;
        const list = stopsOf.get(p.id) ?? [];
        list.push(p.stop);
        stopsOf.set(p.id, list);
      }
      if ((await repo.events("manage.partial_exit")).length >= 2 && i > 200) break;
    }
  }, 180_000);
  afterAll(async () => {
    await database?.close();
  });

  it("moves a stop to breakeven at +3% by modifying the broker-side stop in place", async () => {
    const moves = await repo.events("manage.move_stop", 1000);
    const be = moves.find((e) => e.detail.rule === "be3");
    expect(be, "no breakeven move in the replay").toBeDefined();
    const positionId = be!.detail.positionId as number;
    const pos = (await repo.position(positionId))!;
    const entry = Math.round(pos.costBasis / pos.qty || (await repo.trades()).filter((t) => t.positionId === positionId)[0]!.entryPrice);
    expect(be!.message).toMatch(/breakeven/i);
    // One stop order for the position, never cancelled to be placed again: it was modified, so it never left the position bare.
    const orders = (await repo.ordersByStatus(["submitted", "filled", "cancelled"])).filter((o) => o.positionId === positionId && o.purpose === "stop");
    expect(orders).toHaveLength(1);
    const signal = (await repo.signalsByStatus(["filled"])).find((x) => x.positionId === positionId)!;
    expect(signal.stop).not.toBeNull();
    expect(signal.stop!).toBeLessThan(entry - 5);
    // Its price now is at the entry or above (on the tick, never below it): later trailing only raises it.
    expect(orders[0]!.limitPrice).toBeGreaterThanOrEqual(entry - 5);
  });

  it("books partial profits as exits with their rule as the trade's exit reason", async () => {
    const partials = await repo.events("manage.partial_exit", 1000);
    expect(partials.length).toBeGreaterThan(0);
    const trades = await repo.trades();
    const booked = trades.filter((t) => t.exitReason === "book_book6" || t.exitReason === "book_book10");
    expect(booked.length).toBeGreaterThan(0);
    for (const t of booked) {
      // A booking is part of a position: the position went on (or closed later by another rule or its stop).
      const rest = trades.filter((x) => x.positionId === t.positionId);
      expect(rest.length).toBeGreaterThanOrEqual(1);
      expect(t.net).toBe(t.gross - t.charges);
    }
  });

  it("never loosens a stop", () => {
    for (const [id, stops] of stopsOf) {
      for (let i = 1; i < stops.length; i++) expect(stops[i]!, `position ${id}`).toBeGreaterThanOrEqual(stops[i - 1]!);
    }
  });

  it("fires no rule twice, even after a restart", async () => {
    const before = (await repo.events(undefined, 100_000)).filter((e) => e.kind.startsWith("manage.")).length;
    const fired = new Map<string, number>();
    for (const e of await repo.events(undefined, 100_000)) {
      if (!e.kind.startsWith("manage.") || e.kind === "manage.move_stop") continue;
      const k = `${e.detail.positionId}:${e.detail.rule}`;
      fired.set(k, (fired.get(k) ?? 0) + 1);
    }
    for (const [k, n] of fired) expect(n, k).toBe(1);
    // A new desk on the same database, replaying from its cursor: rules already fired stay fired.
    const { desk, feed } = build();
    await desk.init();
    await feed.prepare();
    await feed.step();
    const after = await repo.events(undefined, 100_000);
    const again = new Map<string, number>();
    for (const e of after) {
      if (!e.kind.startsWith("manage.") || e.kind === "manage.move_stop") continue;
      const k = `${e.detail.positionId}:${e.detail.rule}`;
      again.set(k, (again.get(k) ?? 0) + 1);
    }
    for (const [k, n] of again) expect(n, k).toBe(1);
    expect(after.filter((e) => e.kind.startsWith("manage.")).length).toBeGreaterThanOrEqual(before);
  });
});
