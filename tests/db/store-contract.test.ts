/**
 * MemoryStore against Repo: one scenario, run step by step on a real database
 * (PGlite, and PostgreSQL when TEST_DATABASE_URL is set) and on a MemoryStore,
 * must give the same answer at every step, the same refusals, and the same rows
 * in every table at the end (order history and strategy days included, which
 * Repo never reads back).
 */
import { getTableColumns } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connection.js";
import { MEMORY_SCHEMA, MemoryStore, type ColumnKind, type MemoryTables } from "../../src/db/memory-store.js";
import { Repo, type NewSignal } from "../../src/db/repo.js";
import * as schema from "../../src/db/schema.js";
import type { Store } from "../../src/db/store.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { testDatabases } from "../helpers/databases.js";

const T0 = new Date("2025-01-03T04:00:00Z"); // 09:30 IST
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const bar = (symbol: string, day: string, close: number, timeframe: Candle["timeframe"] = "1d"): Candle => ({
  symbol,
  timeframe,
  time: new Date(`${day}T03:45:00Z`), // 09:15 IST
  open: close,
  high: close + 100,
  low: close - 100,
  close,
  volume: 1000,
});

const signal = (id: string, extra: Partial<NewSignal> = {}): NewSignal => ({
  id,
  strategy: "sma-cross",
  symbol: "M&M",
  timeframe: "1d",
  barTime: new Date("2025-01-03T03:45:00Z"),
  side: "long",
  kind: "entry",
  entry: 300_000,
  stop: 290_000,
  targets: [320_000, 335_000],
  strength: 60,
  conditions: { smaSlow: 2, smaFast: 1 },
  qty: 10,
  sizing: { riskPct: 1.5 },
  status: "proposed",
  createdAt: at(0),
  expiresAt: at(15),
  ...extra,
});

const order = (clientOrderId: string, extra: Record<string, unknown> = {}) => ({
  clientOrderId,
  signalId: null,
  positionId: null,
  symbol: "INFY",
  side: "buy" as const,
  qty: 5,
  orderType: "market" as const,
  limitPrice: null,
  purpose: "entry" as const,
  at: at(1),
  ...extra,
});

const position = (symbol: string, openedAt: Date, extra: Record<string, unknown> = {}) => ({
  symbol,
  strategy: "sma-cross",
  side: "long" as const,
  qty: 10,
  costBasis: 1_500_000,
  openCharges: 40,
  initialStop: 145_000,
  stop: 145_000,
  targets: [160_000],
  lastPrice: 150_000,
  signalId: null,
  openedAt,
  ...extra,
});

const trade = (exitTime: Date, net: number, r: number | null) => ({
  positionId: 1,
  symbol: "INFY",
  strategy: "sma-cross",
  side: "long" as const,
  qty: 10,
  entryTime: at(0),
  entryPrice: 150_000,
  exitTime,
  exitPrice: 155_000,
  gross: net + 100,
  charges: 100,
  net,
  r,
  exitReason: "target",
});

const day = (date: string, endingEquity: number) => ({ date, startingEquity: 100_000_000, endingEquity, realized: endingEquity - 100_000_000, unrealized: 0, charges: 250, trades: 2, wins: 1 });

interface Step {
  name: string;
  run(s: Store): Promise<unknown>;
  /** The answer a trader can check by hand (both stores must give it). */
  want?: unknown;
  /** The store must refuse; MemoryStore's message must match this. */
  refuses?: RegExp;
}

const STEPS: Step[] = [
  // ---- candles ----
  {
    name: "upserted candles come back by time then symbol, a repeated bar replaced",
    run: async (s) => {
      await s.upsertCandles([bar("RELIANCE", "2025-01-02", 120_000), bar("RELIANCE", "2025-01-03", 121_000), bar("INFY", "2025-01-02", 150_000)]);
      await s.upsertCandles([bar("RELIANCE", "2025-01-03", 122_500)]);
      return (await s.loadCandles("1d")).map((c) => `${c.time.toISOString().slice(0, 10)} ${c.symbol} ${c.close}`);
    },
    want: ["2025-01-02 INFY 150000", "2025-01-02 RELIANCE 120000", "2025-01-03 RELIANCE 122500"],
  },
  { name: "countCandles counts one timeframe", run: async (s) => [await s.countCandles("1d"), await s.countCandles("75m")], want: [3, 0] },
  {
    name: "a bar twice in one batch refuses the whole batch",
    run: (s) => s.upsertCandles([bar("TCS", "2025-01-02", 400_000), bar("TCS", "2025-01-02", 401_000)]),
    refuses: /cannot affect row a second time/,
  },
  { name: "nothing of the refused batch landed", run: (s) => s.countCandles("1d"), want: 3 },
  { name: "a fractional paisa in a candle is refused", run: (s) => s.upsertCandles([{ ...bar("TCS", "2025-01-02", 400_000), close: 400_000.5 }]), refuses: /candles\.close/ },
  {
    name: "symbols that need quoting and money beyond 32 bits round-trip",
    run: async (s) => {
      await s.upsertCandles(['M&M', 'A"B', "C\\D", "E,F", "{G}"].map((sym, i) => bar(sym, "2025-01-06", 10_000 + i)));
      const big = 987_654_321_012; // ₹9,87,65,43,210.12
      await s.upsertCandles([{ ...bar("BIG", "2025-01-07", big), high: big + 5, low: big - 5 }]);
      return s.loadCandles("1d");
    },
  },
  {
    name: "intraday candles stay in their own timeframe",
    run: async (s) => {
      await s.upsertCandles([bar("BANKNIFTY", "2025-01-02", 5_100_000, "75m"), { ...bar("BANKNIFTY", "2025-01-02", 5_110_000, "75m"), time: new Date("2025-01-02T05:00:00Z") }]);
      return (await s.loadCandles("75m")).map((c) => c.close);
    },
    want: [5_100_000, 5_110_000],
  },

  // ---- settings ----
  { name: "a missing setting is undefined", run: (s) => s.getSetting("halted") },
  {
    name: "a setting comes back as jsonb gives it: keys shortest first, undefined dropped, dates as text",
    run: async (s) => {
      await s.setSetting("auto", { zeta: 1, b: [2, undefined], aa: { y: 1, x: 2 }, gone: undefined, since: new Date(0) }, at(0));
      return JSON.stringify(await s.getSetting("auto"));
    },
    want: '{"b":[2,null],"aa":{"x":2,"y":1},"zeta":1,"since":"1970-01-01T00:00:00.000Z"}',
  },
  {
    name: "a setting is replaced, and a returned value cannot change the stored one",
    run: async (s) => {
      await s.setSetting("auto", { "sma-cross": true }, at(1), "@admin");
      const got = await s.getSetting<Record<string, boolean>>("auto");
      got!["sma-cross"] = false;
      return s.getSetting("auto");
    },
    want: { "sma-cross": true },
  },
  { name: "a null setting is refused (the column is NOT NULL)", run: (s) => s.setSetting("n", null, at(0)), refuses: /settings\.value/ },
  {
    name: "plain strings and numbers are settings too",
    run: async (s) => {
      await s.setSetting("replay.cursor", "2025-01-03", at(0));
      await s.setSetting("capital", 100_000_000, at(0));
      return [await s.getSetting("replay.cursor"), await s.getSetting("capital")];
    },
    want: ["2025-01-03", 100_000_000],
  },

  // ---- signals ----
  { name: "a signal is inserted once", run: async (s) => [await s.insertSignal(signal("sma-cross-aaaa")), await s.insertSignal(signal("sma-cross-aaaa", { qty: 99 }))], want: [true, false] },
  { name: "the first insert wins", run: (s) => s.signal("sma-cross-aaaa") },
  {
    name: "a signal left without optional columns takes the column defaults",
    run: async (s) => {
      const bare = { ...signal("sma-cross-dflt"), kind: undefined, strength: undefined, targets: undefined, conditions: undefined, qty: undefined, sizing: undefined, stop: undefined };
      await s.insertSignal(bare as unknown as NewSignal);
      const got = await s.signal("sma-cross-dflt");
      return [got?.kind, got?.strength, got?.targets, got?.conditions, got?.qty, got?.sizing, got?.stop, got?.unit];
    },
    want: ["entry", 50, [], {}, 0, {}, null, null],
  },
  { name: "a fractional quantity is refused", run: (s) => s.insertSignal(signal("sma-cross-frac", { qty: 1.5 })), refuses: /signals\.qty/ },
  { name: "an unknown signal is undefined", run: (s) => s.signal("nope") },
  {
    name: "a signal moves only from the expected status",
    run: async (s) => {
      const first = await s.transitionSignal("sma-cross-aaaa", ["proposed"], "approved", { decidedBy: "@a", decidedAt: at(2), qty: 12, sizing: { riskPct: 1 } });
      const second = await s.transitionSignal("sma-cross-aaaa", ["proposed"], "approved", { decidedBy: "@b", decidedAt: at(3) });
      return { first, second, now: await s.signal("sma-cross-aaaa") };
    },
  },
  {
    name: "a transition from no status, or of an unknown id, does nothing",
    run: async (s) => [await s.transitionSignal("sma-cross-dflt", [], "approved"), await s.transitionSignal("nope", ["proposed"], "approved")],
    want: [undefined, undefined],
  },
  {
    name: "proposed signals list by creation time, then id",
    run: async (s) => {
      await s.insertSignal(signal("sma-cross-cccc", { createdAt: at(-5), expiresAt: at(10) }));
      await s.insertSignal(signal("sma-cross-bbbb", { createdAt: at(-5), expiresAt: null }));
      await s.insertSignal(signal("sma-cross-zzzz", { createdAt: at(-10), expiresAt: at(20) }));
      return (await s.signalsByStatus(["proposed"])).map((x) => x.id);
    },
    want: ["sma-cross-zzzz", "sma-cross-bbbb", "sma-cross-cccc", "sma-cross-dflt"],
  },
  {
    name: "signalsByStatus: several statuses, a limit, limit 0, a negative limit (dropped), no status",
    run: async (s) => {
      const ids = async (statuses: Parameters<Store["signalsByStatus"]>[0], limit?: number) => (await s.signalsByStatus(statuses, limit)).map((x) => x.id);
      return [await ids(["approved", "proposed"]), await ids(["proposed"], 2), await ids(["proposed"], 0), await ids(["proposed"], -1), await ids([])];
    },
    want: [
      ["sma-cross-zzzz", "sma-cross-bbbb", "sma-cross-cccc", "sma-cross-aaaa", "sma-cross-dflt"],
      ["sma-cross-zzzz", "sma-cross-bbbb"],
      [],
      ["sma-cross-zzzz", "sma-cross-bbbb", "sma-cross-cccc", "sma-cross-dflt"],
      [],
    ],
  },
  { name: "a fractional limit is refused", run: (s) => s.signalsByStatus(["proposed"], 2.5), refuses: /whole number/ },
  {
    name: "only proposed signals whose time is up expire, the deadline itself included, in the order they were written",
    run: async (s) => [(await s.signalsDueToExpire(at(10))).map((x) => x.id), (await s.signalsDueToExpire(at(15))).map((x) => x.id)],
    want: [["sma-cross-cccc"], ["sma-cross-dflt", "sma-cross-cccc"]],
  },

  // ---- orders ----
  {
    name: "a second order with the same client id returns the first, and still uses up an id",
    run: async (s) => {
      const a = await s.insertOrder(order("DALAL-A"));
      const dup = await s.insertOrder(order("DALAL-A", { qty: 999 }));
      const b = await s.insertOrder(order("DALAL-B", { symbol: "TCS" }));
      return [a.created, dup.created, dup.order.qty, a.order.id, dup.order.id, b.order.id];
    },
    want: [true, false, 5, 1, 1, 3],
  },
  { name: "a fractional order quantity is refused without using up an id", run: (s) => s.insertOrder(order("DALAL-X", { qty: 2.5 })), refuses: /orders\.qty/ },
  {
    name: "an order with an empty required column is refused after taking an id, as PostgreSQL does",
    run: (s) => s.insertOrder(order("DALAL-Y", { symbol: null })),
    refuses: /orders\.symbol/,
  },
  { name: "the next order shows which refusals used up an id", run: async (s) => (await s.insertOrder(order("DALAL-C"))).order.id, want: 5 },
  {
    name: "orders move through statuses, history appended",
    run: async (s) => [
      await s.updateOrder(1, "submitted", at(2), { brokerOrderId: "B1" }, "sent"),
      await s.updateOrder(1, "partially_filled", at(3), { filledQty: 2, avgFillPrice: 150_050 }),
      await s.updateOrder(3, "submitted", at(2), { brokerOrderId: "B3" }, ""),
      await s.updateOrder(5, "rejected", at(4), { reason: "RMS: margin shortfall" }),
    ],
  },
  { name: "updating an unknown order is refused", run: (s) => s.updateOrder(99, "filled", at(5)), refuses: /order 99 not found/ },
  {
    name: "working orders list by id",
    run: async (s) => [
      (await s.ordersByStatus(["submitted", "partially_filled"])).map((o) => `${o.id} ${o.status}`),
      await s.ordersByStatus([]),
      await s.orderByClientId("DALAL-B"),
      await s.orderByClientId("nope"),
    ],
  },

  // ---- fills ----
  {
    name: "a fill id is booked once and charges add up",
    run: async (s) => {
      const f = { fillId: "F-1", orderId: 1, symbol: "INFY", side: "buy", qty: 2, price: 150_050, charges: 123, time: at(3) };
      return [await s.insertFill(f), await s.insertFill({ ...f, charges: 999 }), await s.insertFill({ ...f, fillId: "F-2", charges: 77 }), await s.sumFillCharges()];
    },
    want: [true, false, true, 200],
  },
  { name: "fractional charges are refused", run: (s) => s.insertFill({ fillId: "F-3", orderId: 1, symbol: "INFY", side: "buy", qty: 1, price: 1, charges: 0.5, time: at(3) }), refuses: /fills\.charges/ },

  // ---- positions ----
  {
    name: "positions get ids from 1 and list open by opening time, then id",
    run: async (s) => {
      const a = await s.insertPosition(position("INFY", at(10)));
      const b = await s.insertPosition({ ...position("TCS", at(5)), unit: 1 });
      const c = await s.insertPosition(position("SBIN", at(10)));
      return [[a.id, b.id, c.id], (await s.openPositions()).map((p) => p.symbol)];
    },
    want: [
      [1, 2, 3],
      ["TCS", "INFY", "SBIN"],
    ],
  },
  {
    name: "a position is updated, and closed positions leave the open list",
    run: async (s) => {
      const moved = await s.updatePosition(1, { stop: 148_000, qty: 5, costBasis: 750_000 });
      await s.updatePosition(3, { status: "closed", closedAt: at(30), qty: 0, costBasis: 0, realized: 25_000 });
      return [moved, await s.position(3), (await s.openPositions()).map((p) => p.id), await s.position(99)];
    },
  },
  { name: "an update with nothing to set is refused", run: (s) => s.updatePosition(1, {}), refuses: /No values to set/ },
  { name: "an update naming no column is refused", run: (s) => s.updatePosition(1, { bogus: 1 } as never), refuses: /names none of its columns/ },
  { name: "updating an unknown position is refused", run: (s) => s.updatePosition(99, { stop: 1 }), refuses: /position 99 not found/ },
  {
    name: "marking prices touches only open positions with a new price",
    run: async (s) => {
      await s.markPrices(new Map([["INFY", 151_000], ["TCS", 150_000], ["SBIN", 80_000]]));
      return [(await s.openPositions()).map((p) => [p.symbol, p.lastPrice]), (await s.position(3))?.lastPrice];
    },
    want: [
      [
        ["TCS", 150_000],
        ["INFY", 151_000],
      ],
      150_000,
    ],
  },

  // ---- trades ----
  {
    name: "trades store R to four places",
    run: async (s) => [
      await s.insertTrade(trade(new Date("2025-01-05T10:00:00Z"), 5_000, 1.23456)),
      await s.insertTrade(trade(new Date("2025-01-04T10:00:00Z"), -2_000, -0.5)),
      await s.insertTrade(trade(new Date("2025-01-05T10:00:00Z"), 700, null)),
      await s.insertTrade(trade(new Date("2025-01-06T10:00:00Z"), 1_300, 0.25)),
    ],
  },
  { name: "an R too large for its column is refused", run: (s) => s.insertTrade(trade(at(0), 1, 300_000)), refuses: /trades\.rBp/ },
  {
    name: "trades list newest exit first (ties by id); from/to are inclusive; limit 0 means all",
    run: async (s) => {
      const ids = async (o?: Parameters<Store["trades"]>[0]) => (await s.trades(o)).map((x) => x.id);
      const jan5 = new Date("2025-01-05T10:00:00Z");
      return [await ids(), await ids({ limit: 2 }), await ids({ limit: 0 }), await ids({ from: jan5 }), await ids({ to: jan5 }), await ids({ from: jan5, to: jan5 })];
    },
    want: [[4, 3, 1, 2], [4, 3], [4, 3, 1, 2], [4, 3, 1], [3, 1, 2], [3, 1]],
  },
  { name: "realized total sums net exactly", run: (s) => s.realizedTotal(), want: 5_000 - 2_000 + 700 + 1_300 },
  {
    name: "trade summary per strategy, whole and for an exit-time window, the same in both stores",
    run: async (s) => {
      const round = (xs: Awaited<ReturnType<Store["tradeSummary"]>>) => xs.map((x) => ({ ...x, retSum: Number(x.retSum.toFixed(12)), retSq: Number(x.retSq.toFixed(12)) }));
      return [round(await s.tradeSummary()), round(await s.tradeSummary({ from: new Date("2025-01-05T10:00:00Z") }))];
    },
  },
  {
    name: "trade summary totals: 4 trades netting ₹50.00, 3 of them from 5 Jan",
    run: async (s) => {
      const all = await s.tradeSummary();
      const later = await s.tradeSummary({ from: new Date("2025-01-05T10:00:00Z") });
      return [all.reduce((n, x) => n + x.trades, 0), all.reduce((n, x) => n + x.net, 0), later.reduce((n, x) => n + x.trades, 0)];
    },
    want: [4, 5_000 - 2_000 + 700 + 1_300, 3],
  },
  {
    name: "realized total stays exact beyond 2^53 paise",
    run: async (s) => {
      await s.insertTrade(trade(new Date("2025-01-07T10:00:00Z"), 2 ** 53, 1));
      return s.realizedTotal();
    },
    want: 2 ** 53 + 5_000,
  },

  // ---- daily and strategy performance ----
  {
    name: "a day's row is replaced by a second upsert",
    run: async (s) => {
      await s.upsertDaily(day("2025-01-02", 100_500_000));
      await s.upsertDaily(day("2025-01-03", 101_000_000));
      await s.upsertDaily(day("2025-01-03", 101_200_000));
      return [await s.daily("2025-01-03"), await s.daily("2025-01-09")];
    },
  },
  {
    name: "dailyBefore is the latest day strictly before",
    run: async (s) => [(await s.dailyBefore("2025-01-03"))?.date, await s.dailyBefore("2025-01-02"), (await s.dailyBefore("2025-01-10"))?.endingEquity],
    want: ["2025-01-02", undefined, 101_200_000],
  },
  { name: "dates are read the way PostgreSQL reads them", run: async (s) => (await s.daily("2025-1-3"))?.date, want: "2025-01-03" },
  { name: "a date that is not a date is refused", run: (s) => s.daily("2025-02-30"), refuses: /not a calendar date/ },
  {
    name: "strategy days are replaced, not added",
    run: async (s) => {
      await s.upsertStrategyDay({ strategy: "sma-cross", date: "2025-01-03", trades: 1, wins: 1, net: 5_000, rBp: 12_346 });
      await s.upsertStrategyDay({ strategy: "sma-cross", date: "2025-01-03", trades: 2, wins: 1, net: 3_000, rBp: 7_346 });
      await s.upsertStrategyDay({ strategy: "breakout", date: "2025-01-03", trades: 1, wins: 0, net: -700, rBp: -5_000 });
    },
  },
  {
    name: "a strategy-day upsert that leaves rBp out keeps the stored rBp (ON CONFLICT skips undefined)",
    run: (s) => s.upsertStrategyDay({ strategy: "breakout", date: "2025-01-03", trades: 2, wins: 0, net: -900 } as never),
  },

  // ---- audit and chat ----
  {
    name: "events list newest first, by kind, with a limit; an empty kind means every kind",
    run: async (s) => {
      await s.event("access.refused", "refused message from chat 5", at(0), null, { chatId: 5, when: at(0) });
      await s.event("signal.approved", "approved sma-cross-aaaa", at(2), "@a");
      await s.event("access.refused", "refused message from chat 6", at(3));
      const ids = async (kind?: string, limit?: number) => (await s.events(kind, limit)).map((e) => e.id);
      return [await s.events("access.refused"), await ids(), await ids("access.refused", 1), await ids(undefined, 0), await ids("")];
    },
  },
  {
    name: "a chat message is saved once and listed in saving order",
    run: async (s) => {
      await s.saveChatMessage("sma-cross-aaaa", 5, 20, at(0));
      await s.saveChatMessage("sma-cross-aaaa", 5, 11, at(1));
      await s.saveChatMessage("sma-cross-aaaa", -1001234567890, 3, at(1));
      await s.saveChatMessage("sma-cross-aaaa", 5, 20, at(9));
      return [await s.chatMessages("sma-cross-aaaa"), await s.chatMessages("nope")];
    },
    want: [
      [
        { chatId: 5, messageId: 20 },
        { chatId: 5, messageId: 11 },
        { chatId: -1001234567890, messageId: 3 },
      ],
      [],
    ],
  },

  // ---- transactions ----
  {
    name: "a transaction commits whole and returns its value",
    run: (s) =>
      s.tx(async (tx) => {
        await tx.insertSignal(signal("sma-cross-tx01"));
        await tx.setSetting("halted", true, at(0));
        return (await tx.signal("sma-cross-tx01"))?.status;
      }),
    want: "proposed",
  },
  {
    name: "a transaction that throws leaves nothing behind",
    run: (s) =>
      s.tx(async (tx) => {
        await tx.insertFill({ fillId: "F-9", orderId: 3, symbol: "TCS", side: "buy", qty: 5, price: 400_000, charges: 50, time: at(4) });
        await tx.updateOrder(3, "filled", at(4), { filledQty: 5, avgFillPrice: 400_000 });
        await tx.insertPosition(position("TCS", at(4)));
        await tx.transitionSignal("sma-cross-tx01", ["proposed"], "approved");
        await tx.setSetting("halted", false, at(4));
        throw new Error("broker said no");
      }),
    refuses: /broker said no/,
  },
  {
    name: "after the rollback: nothing changed, but the position id stays used",
    run: async (s) => [
      await s.sumFillCharges(),
      (await s.orderByClientId("DALAL-B"))?.status,
      (await s.signal("sma-cross-tx01"))?.status,
      await s.getSetting("halted"),
      (await s.insertPosition(position("HDFCBANK", at(6)))).id,
    ],
    want: [200, "submitted", "proposed", true, 5],
  },
  {
    name: "a nested transaction that throws undoes only itself",
    run: (s) =>
      s.tx(async (tx) => {
        await tx.setSetting("outer", 1, at(0));
        await tx.tx(async (inner) => {
          await inner.setSetting("inner", 1, at(0));
          throw new Error("inner");
        }).catch(() => undefined);
        return [await tx.getSetting("outer"), await tx.getSetting("inner")];
      }),
    want: [1, undefined],
  },
  {
    name: "a transaction rolled back while another commits: each keeps only its own outcome, and a plain read sees committed rows",
    run: async (s) => {
      const t1 = s
        .tx(async (tx) => {
          await tx.setSetting("x", 1, at(0));
          await new Promise((r) => setTimeout(r, 5));
          throw new Error("t1 fails");
        })
        .catch((e: Error) => e.message);
      const t2 = s.tx(async (tx) => {
        await tx.setSetting("y", 2, at(0));
        return "t2 done";
      });
      const read = s.getSetting("x");
      return [await t1, await t2, await read, await s.getSetting("x"), await s.getSetting("y")];
    },
    want: ["t1 fails", "t2 done", undefined, undefined, 2],
  },
  {
    name: "a fill booked in a transaction, as the order manager books it",
    run: (s) =>
      s.tx(async (tx) => {
        const fresh = await tx.insertFill({ fillId: "F-10", orderId: 1, symbol: "INFY", side: "buy", qty: 3, price: 150_100, charges: 60, time: at(5) });
        const p = await tx.position(1);
        const grown = await tx.updatePosition(1, { qty: p!.qty + 3, costBasis: p!.costBasis + 3 * 150_100, openCharges: p!.openCharges + 60 });
        const filled = await tx.updateOrder(1, "filled", at(5), { filledQty: 5, avgFillPrice: 150_080 });
        return { fresh, grown, filled };
      }),
  },
];

type Outcome = { value: unknown } | { error: string };

async function play(store: Store): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const step of STEPS) {
    try {
      out.push({ value: await step.run(store) });
    } catch (e) {
      out.push({ error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** Primary-key order, the same comparator on both sides so the database's collation plays no part. */
const KEYS: { [K in keyof MemoryTables]: string[] } = {
  candles: ["symbol", "timeframe", "time"],
  settings: ["key"],
  signals: ["id"],
  orders: ["id"],
  fills: ["id"],
  positions: ["id"],
  trades: ["id"],
  dailyPerformance: ["date"],
  strategyPerformance: ["strategy", "date"],
  chatMessages: ["ref", "chatId", "messageId"],
  systemEvents: ["id"],
};

function byKey<R>(rows: R[], keys: string[]): R[] {
  const v = (r: R, k: string) => {
    const x = (r as Record<string, unknown>)[k];
    return x instanceof Date ? x.getTime() : (x as string | number);
  };
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const [x, y] = [v(a, k), v(b, k)];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
}

async function databaseTables(db: Db): Promise<MemoryTables> {
  const tables = {} as Record<keyof MemoryTables, unknown[]>;
  for (const name of Object.keys(KEYS) as Array<keyof MemoryTables>) tables[name] = byKey(await db.select().from(schema[name]), KEYS[name]);
  return tables as unknown as MemoryTables;
}

/** JSON text with Dates as instants: equal text means equal values and equal key order. */
const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x === undefined ? "<undefined>" : x));

describe.each(testDatabases())("MemoryStore keeps Repo's contract on $name", (target) => {
  let database: Awaited<ReturnType<typeof target.open>>;
  let viaRepo: Outcome[];
  let viaMemory: Outcome[];
  let memory: MemoryStore;

  beforeAll(async () => {
    database = await target.open();
    memory = new MemoryStore();
    viaRepo = await play(new Repo(database.db));
    viaMemory = await play(memory);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it.each(STEPS.map((s, i) => [s.name, i] as const))("%s", (_name, i) => {
    const step = STEPS[i]!;
    const [db, mem] = [viaRepo[i]!, viaMemory[i]!];
    if (step.refuses) {
      expect(db, "the database refuses").toHaveProperty("error");
      expect(mem, "MemoryStore refuses").toHaveProperty("error");
      expect((mem as { error: string }).error).toMatch(step.refuses);
      return;
    }
    expect(mem, "MemoryStore answers").toHaveProperty("value");
    expect(db, "the database answers").toHaveProperty("value");
    const [a, b] = [(db as { value: unknown }).value, (mem as { value: unknown }).value];
    expect(b).toStrictEqual(a);
    expect(text(b)).toBe(text(a));
    if ("want" in step) expect(b).toStrictEqual(step.want);
  });

  it("ends with the same rows in every table, order history and strategy days included", async () => {
    const fromDb = await databaseTables(database.db);
    const fromMemory = memory.tables();
    for (const name of Object.keys(KEYS) as Array<keyof MemoryTables>) {
      const mine = byKey<unknown>(fromMemory[name], KEYS[name]);
      expect(mine, name).toStrictEqual(fromDb[name]);
      expect(text(mine), name).toBe(text(fromDb[name]));
    }
    // Spot checks a trader can follow: the duplicate fill left no row, the second strategy upsert replaced the first.
    expect(fromMemory.fills.map((f) => f.fillId)).toEqual(["F-1", "F-2", "F-10"]);
    expect(fromMemory.strategyPerformance.find((r) => r.strategy === "sma-cross")).toEqual({ strategy: "sma-cross", date: "2025-01-03", trades: 2, wins: 1, net: 3_000, rBp: 7_346 });
    expect(fromMemory.strategyPerformance.find((r) => r.strategy === "breakout")).toEqual({ strategy: "breakout", date: "2025-01-03", trades: 2, wins: 0, net: -900, rBp: -5_000 });
    expect(fromMemory.orders.find((o) => o.id === 1)?.history.map((h) => h.status)).toEqual(["new", "submitted", "partially_filled", "filled"]);
  });
});

describe("MemoryStore beyond the contract", () => {
  it("describes every column as schema.ts does: kind, NOT NULL, default", () => {
    const kinds: Record<string, ColumnKind> = {
      PgText: "text",
      PgInteger: "int4",
      PgBigInt53: "int8",
      PgBigSerial53: "int8",
      PgTimestamp: "timestamptz",
      PgJsonb: "jsonb",
      PgDateString: "date",
      PgBoolean: "boolean",
    };
    for (const [table, cols] of Object.entries(MEMORY_SCHEMA)) {
      const real = getTableColumns(schema[table as keyof typeof MEMORY_SCHEMA]);
      expect(Object.keys(cols), table).toEqual(Object.keys(real));
      for (const [key, col] of Object.entries(real)) {
        const mine = (cols as Record<string, { kind: ColumnKind; notNull: boolean; serial?: true; fallback?: () => unknown }>)[key]!;
        const where = `${table}.${key}`;
        expect(mine.kind, where).toBe(kinds[col.columnType]);
        expect(mine.notNull, where).toBe(col.notNull);
        expect(Boolean(mine.serial || mine.fallback), where).toBe(col.hasDefault);
      }
    }
  });

  it("hands out copies: changing a returned object changes nothing stored", async () => {
    const s = new MemoryStore();
    await s.insertSignal(signal("sma-cross-copy"));
    const got = (await s.signal("sma-cross-copy"))!;
    got.targets.push(1);
    (got.conditions as Record<string, number>).smaFast = 99;
    got.createdAt.setTime(0);
    const again = (await s.signal("sma-cross-copy"))!;
    expect(again.targets).toEqual([320_000, 335_000]);
    expect(again.conditions).toEqual({ smaFast: 1, smaSlow: 2 });
    expect(again.createdAt).toEqual(at(0));

    const input = position("INFY", at(1));
    const p = await s.insertPosition(input);
    input.targets.push(1);
    input.openedAt.setTime(0);
    expect(await s.position(p.id)).toMatchObject({ targets: [160_000], openedAt: at(1) });
  });

  it("runs transactions one at a time, and a plain call waits for those queued before it (as PGlite does)", async () => {
    const s = new MemoryStore();
    const log: string[] = [];
    const t1 = s.tx(async (tx) => {
      log.push("t1 start");
      await tx.setSetting("x", 1, at(0));
      await new Promise((r) => setTimeout(r, 5));
      log.push("t1 end");
      throw new Error("t1 fails");
    });
    const t2 = s.tx(async (tx) => {
      log.push("t2 start");
      await tx.setSetting("x", 2, at(0));
      log.push("t2 end");
    });
    const read = s.getSetting("x").then((v) => log.push(`read x=${String(v)}`));
    await Promise.allSettled([t1, t2, read]);
    expect(log).toEqual(["t1 start", "t1 end", "t2 start", "t2 end", "read x=2"]);
  });

  it("refuses the outer store inside its own transaction instead of waiting forever", async () => {
    const s = new MemoryStore();
    await expect(s.tx(async () => s.openPositions())).rejects.toThrow(/use the store tx\(\) passes/);
    await expect(s.tx(async () => s.tx(async () => 1))).rejects.toThrow(/inside its own transaction/);
    let leaked: Store | undefined;
    await s.tx(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.openPositions()).rejects.toThrow(/already finished/);
    expect(await s.openPositions()).toEqual([]);
  });
});
