import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, type Database } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { fromIst } from "../../src/engine/time/ist.js";
import { testDatabases } from "../helpers/databases.js";

const bar = (symbol: string, date: string, close: number): Candle => ({
  symbol,
  timeframe: "1d",
  time: fromIst(date, "09:15"),
  open: close,
  high: close + 100,
  low: close - 100,
  close,
  volume: 1000,
});

const signal = (id: string) => ({
  id,
  strategy: "sma-cross",
  symbol: "M&M",
  timeframe: "1d" as const,
  barTime: fromIst("2025-01-03", "09:15"),
  side: "long" as const,
  kind: "entry" as const,
  entry: 300_000,
  stop: 290_000,
  targets: [320_000],
  strength: 60,
  conditions: { smaFast: 1 },
  qty: 10,
  sizing: { riskPct: 1.5 },
  status: "proposed" as const,
  createdAt: new Date("2025-01-03T10:00:00Z"),
  expiresAt: new Date("2025-01-03T10:15:00Z"),
});

describe.each(testDatabases())("data layer on $name", (target) => {
  let database: Database & { drop(): Promise<void> };
  let repo: Repo;

  beforeAll(async () => {
    database = await target.open();
    repo = new Repo(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("applies migrations again without error or change", async () => {
    await migrateDatabase(database);
    await migrateDatabase(database);
    expect(await repo.countCandles("1d")).toBe(0);
  });

  it("upserts candles: a repeated bar replaces, never duplicates", async () => {
    await repo.upsertCandles([bar("RELIANCE", "2025-01-02", 120_000), bar("RELIANCE", "2025-01-03", 121_000)]);
    await repo.upsertCandles([bar("RELIANCE", "2025-01-03", 122_500)]);
    const all = await repo.loadCandles("1d");
    expect(all.map((c) => c.close)).toEqual([120_000, 122_500]);
    expect(all[1]!.time.toISOString()).toBe("2025-01-03T03:45:00.000Z");
  });

  it("round-trips symbols with characters that need quoting in bulk upserts", async () => {
    const odd = ['M&M', 'A"B', "C\\D", "E,F", "{G}"];
    await repo.upsertCandles(odd.map((s, i) => bar(s, "2025-01-06", 10_000 + i)));
    const got = (await repo.loadCandles("1d")).filter((c) => c.time.toISOString().startsWith("2025-01-06"));
    expect(got.map((c) => c.symbol).sort()).toEqual([...odd].sort());
  });

  it("keeps money in exact paise beyond 32 bits", async () => {
    const big = 9_876_543_210_12; // ₹98,76,54,32,101.2 in paise: needs bigint
    await repo.upsertCandles([{ ...bar("BIG", "2025-01-02", big), high: big + 5, low: big - 5 }]);
    const [c] = (await repo.loadCandles("1d")).filter((x) => x.symbol === "BIG");
    expect(c!.close).toBe(big);
  });

  it("inserts a signal once and moves it only from the expected status", async () => {
    expect(await repo.insertSignal(signal("sma-cross-aaaaaaaa"))).toBe(true);
    expect(await repo.insertSignal(signal("sma-cross-aaaaaaaa"))).toBe(false);
    const first = await repo.transitionSignal("sma-cross-aaaaaaaa", ["proposed"], "approved", { decidedBy: "@a", decidedAt: new Date() });
    const second = await repo.transitionSignal("sma-cross-aaaaaaaa", ["proposed"], "approved", { decidedBy: "@b", decidedAt: new Date() });
    expect(first?.decidedBy).toBe("@a");
    expect(second).toBeUndefined();
    expect((await repo.signal("sma-cross-aaaaaaaa"))?.decidedBy).toBe("@a");
    expect((await repo.signal("sma-cross-aaaaaaaa"))?.symbol).toBe("M&M");
  });

  it("finds proposed signals whose time is up, and only those", async () => {
    await repo.insertSignal({ ...signal("sma-cross-bbbbbbbb"), expiresAt: new Date("2025-01-03T10:15:00Z") });
    await repo.insertSignal({ ...signal("sma-cross-cccccccc"), expiresAt: new Date("2025-01-03T11:15:00Z") });
    const due = await repo.signalsDueToExpire(new Date("2025-01-03T10:30:00Z"));
    expect(due.map((s) => s.id)).toEqual(["sma-cross-bbbbbbbb"]);
  });

  it("refuses a second order with the same client order id and returns the first", async () => {
    const o = { clientOrderId: "DTESTTESTTESTTES", signalId: null, positionId: null, symbol: "INFY", side: "buy" as const, qty: 5, orderType: "market" as const, limitPrice: null, purpose: "entry" as const, at: new Date() };
    const a = await repo.insertOrder(o);
    const b = await repo.insertOrder({ ...o, qty: 999 });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.order.id).toBe(a.order.id);
    expect(b.order.qty).toBe(5);
    const moved = await repo.updateOrder(a.order.id, "submitted", new Date("2025-01-03T04:00:00Z"), { brokerOrderId: "B1" }, "sent");
    expect(moved.status).toBe("submitted");
    expect((await repo.ordersByStatus(["submitted"])).map((x) => x.clientOrderId)).toContain("DTESTTESTTESTTES");
  });

  it("books a fill id once", async () => {
    const f = { fillId: "F-1", orderId: 1, symbol: "INFY", side: "buy", qty: 5, price: 150_000, charges: 123, time: new Date() };
    expect(await repo.insertFill(f)).toBe(true);
    expect(await repo.insertFill(f)).toBe(false);
    expect(await repo.sumFillCharges()).toBe(123);
  });

  it("commits a transaction whole or not at all", async () => {
    await expect(
      repo.tx(async (tx) => {
        await tx.setSetting("tx-probe", 1, new Date());
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await repo.getSetting("tx-probe")).toBeUndefined();
    await repo.tx((tx) => tx.setSetting("tx-probe", { on: true }, new Date(), "@admin"));
    expect(await repo.getSetting("tx-probe")).toEqual({ on: true });
  });

  it("writes and reads the audit log", async () => {
    await repo.event("access.refused", "refused message from chat 5", new Date(), null, { chatId: 5 });
    const [e] = await repo.events("access.refused");
    expect(e?.detail).toEqual({ chatId: 5 });
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("a desk's hold on a PostgreSQL database", () => {
  it("refuses a second exclusive opener until the first closes", async () => {
    const { freshPostgresUrl } = await import("../helpers/databases.js");
    const { openDatabase, DatabaseInUseError } = await import("../../src/db/connection.js");
    const pg = (await freshPostgresUrl())!;
    try {
      const first = await openDatabase({ url: pg.url, exclusive: true });
      await expect(openDatabase({ url: pg.url, exclusive: true })).rejects.toBeInstanceOf(DatabaseInUseError);
      await first.close();
      const again = await openDatabase({ url: pg.url, exclusive: true });
      await again.close();
    } finally {
      await pg.drop();
    }
  });
});
