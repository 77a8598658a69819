/**
 * The risk engine inside the desk, on replayed real bars and a real (embedded)
 * database: limits refuse entries with their reason, the daily-loss breaker trips,
 * blocks entries (not exits), survives a restart, and only a reset clears it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk, type DeskOptions } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { tripLevel } from "../../src/engine/risk/breaker.js";
import { smaCross } from "../../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../../src/engine/strategies/strategy.js";
import type { SignalView } from "../../src/engine/views.js";

const SYMBOLS = ["RELIANCE", "INFY", "M&M", "SBIN", "TCS", "ITC", "AXISBANK", "TATASTEEL", "HDFCBANK", "ICICIBANK"];

describe("risk in the desk", () => {
  let database: Database;
  let repo: Repo;
  const wall = new ManualClock(new Date("2026-01-05T04:00:00Z"));

  beforeEach(async () => {
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    repo = new Repo(database.db);
    await repo.upsertCandles(loadShippedDaily(undefined, SYMBOLS).candles);
  });
  afterEach(async () => {
    await database?.close();
  });

  function build(over: Partial<DeskOptions> = {}) {
    const desk = new Desk({
      repo,
      broker: new PaperBroker(),
      marketClock: new ManualClock(),
      wallClock: wall,
      capital: 40_000_000,
      riskPct: 1.5,
      signalTtlMinutes: 15,
      strategies: [smaCross as Strategy<unknown>],
      autoAccept: ["sma-cross"],
      charges: deliveryFillCharges,
      mode: "paper",
      ...over,
    });
    const feed = new ReplayFeed(repo, desk, { from: "2024-01-01", to: "2024-12-31", paceMs: 0 });
    return { desk, feed };
  }

  it("refuses an entry over MAX_OPEN_POSITIONS with the limit's name and numbers", async () => {
    const { desk, feed } = build({ limits: { MAX_OPEN_POSITIONS: 1 } });
    await desk.init();
    await feed.prepare();
    const decided: SignalView[] = [];
    desk.bus.on("signal.decided", ({ signal }) => void decided.push(signal));
    for (let i = 0; i < 250 && !decided.some((s) => s.status === "refused" && /MAX_OPEN_POSITIONS/.test(s.statusReason ?? "")); i++) await feed.step();
    const refused = decided.find((s) => /MAX_OPEN_POSITIONS/.test(s.statusReason ?? ""));
    expect(refused?.statusReason).toMatch(/^MAX_OPEN_POSITIONS: 1 stock is held and \S+ would make 2, above the limit of 1$/);
    // Never more than one symbol held at a time.
    expect(new Set((await repo.openPositions()).map((p) => p.symbol)).size).toBeLessThanOrEqual(1);
    expect(refused?.qty).toBeGreaterThan(0);
  });

  it("trips the daily-loss breaker, refuses entries after it, keeps it over a restart, and clears it only on reset", async () => {
    // A 0.05% daily loss trips it: the first losing day with positions open will do.
    const first = build({ maxDailyLossPct: 0.05 });
    const alerts: string[] = [];
    first.desk.bus.on("alert", ({ text }) => void alerts.push(text));
    await first.desk.init();
    await first.feed.prepare();
    for (let i = 0; i < 250 && !first.desk.controls.breaker?.tripped; i++) await first.feed.step();
    const b = first.desk.controls.breaker!;
    expect(b.tripped).toBe(true);
    expect(b.reason).toBeTruthy();
    expect(alerts.some((a) => /Daily-loss circuit breaker TRIPPED/.test(a))).toBe(true);
    const equity = (await first.desk.ledger()).equity;
    expect(equity).toBeLessThanOrEqual(tripLevel(b.dayStartEquity, 0.05));

    // Entries after the trip are refused, naming the breaker; exits still happen.
    const decided: SignalView[] = [];
    first.desk.bus.on("signal.decided", ({ signal }) => void decided.push(signal));
    for (let i = 0; i < 60 && !decided.some((s) => s.status === "refused"); i++) await first.feed.step();
    const refused = decided.find((s) => s.status === "refused")!;
    expect(refused.statusReason).toMatch(/daily-loss circuit breaker tripped/);

    // Restart: a new desk on the same database is still tripped.
    const second = build({ maxDailyLossPct: 0.05 });
    await second.desk.init();
    expect(second.desk.controls.breaker?.tripped).toBe(true);
    expect(second.desk.controls.describeBreaker()).toMatch(/TRIPPED/);
    expect(await second.desk.setBreaker(true, "@admin")).toBe(false); // already tripped

    expect(await second.desk.setBreaker(false, "@admin")).toBe(true);
    expect(second.desk.controls.breaker?.tripped).toBe(false);
    expect(second.desk.controls.breaker?.resetBy).toBe("@admin");
    expect(second.desk.controls.entryBlock()).toBeNull();
    expect((await repo.events("breaker.reset")).map((e) => e.actor)).toEqual(["@admin"]);
    expect(await second.desk.setBreaker(false, "@admin")).toBe(false); // nothing left to reset
  });

  it("trips by hand and blocks a signal already approved but not yet ordered", async () => {
    const { desk, feed } = build({ autoAccept: [] });
    await desk.init();
    await feed.prepare();
    const proposed: SignalView[] = [];
    desk.bus.on("signal.proposed", ({ signal }) => void proposed.push(signal));
    for (let i = 0; i < 120 && proposed.length === 0; i++) await feed.step();
    expect(proposed.length).toBeGreaterThan(0);
    expect(await desk.setBreaker(true, "@admin")).toBe(true);
    const d = await desk.approve(proposed[0]!.id, "@owner");
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.message).toMatch(/^Not ordered: the daily-loss circuit breaker tripped .*tripped by hand by @admin/);
    expect((await repo.signal(proposed[0]!.id))?.status).toBe("refused");
    expect((await repo.ordersByStatus(["new", "submitted", "filled"])).filter((o) => o.signalId === proposed[0]!.id)).toEqual([]);
  });
});
