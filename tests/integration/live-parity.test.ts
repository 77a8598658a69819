/**
 * Paper and live give the same books. The same weeks of ticks drive two desks
 * through the live feed: one on the paper broker, one sending real orders
 * through the Angel One adapter and smartapi-javascript to the SmartAPI
 * stand-in's exchange. Signals, auto-accepted entries, fills, protective stops
 * (SL-M at the broker, moved by the management rules, expired with each day and
 * placed again), stop-outs and exits must come out the same, to the paisa.
 *
 * The live desk knows the market's hours: what it decides after the close is
 * queued and sent at the next open, as a real broker requires; the paper
 * broker holds such orders until the next price. Both therefore fill at the
 * open's first trade.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import type { AngelOneBroker } from "../../src/engine/execution/angelone/angel-broker.js";
import type { Broker } from "../../src/engine/execution/broker.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { LiveFeed } from "../../src/engine/feed/live-feed.js";
import { loadNseCalendar, marketWindow } from "../../src/engine/market/calendar.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { STRATEGIES } from "../../src/engine/strategies/registry.js";
import type { Strategy } from "../../src/engine/strategies/strategy.js";
import { fromIst, istDate } from "../../src/engine/time/ist.js";
import { startSmartApiStandIn, type SmartApiStandIn } from "../stand-ins/smartapi/server.js";
import { standInBroker, UNLIMITED_RATES } from "../stand-ins/smartapi/broker.js";

const SYMBOLS = ["RELIANCE", "TCS", "INFY", "HDFCBANK", "ICICIBANK", "SBIN", "ITC", "LT", "AXISBANK", "BHARTIARTL", "MARUTI", "TITAN"];
const FROM = "2024-04-01";
const TO = "2024-06-28";
const calendar = loadNseCalendar();
const strategies = ["sma-cross", "adx-dma", "camarilla", "volume-breakout", "three-week-inside"].map((n) => STRATEGIES.get(n)!).filter(Boolean) as Strategy<unknown>[];

interface Side {
  desk: Desk;
  feed: LiveFeed;
  wall: ManualClock;
  repo: Repo;
  database: Database;
}

/** A day's bar as four trades: the open, the extreme first reached, the other, the close. */
function ticksOf(bar: Candle): Array<{ at: Date; price: number; dayVolume: number }> {
  const date = istDate(bar.time);
  const upFirst = bar.close < bar.open; // a day that closes down probably made its high first
  const [second, third] = upFirst ? [bar.high, bar.low] : [bar.low, bar.high];
  const v = bar.volume;
  return [
    { at: fromIst(date, "09:15"), price: bar.open, dayVolume: Math.round(v * 0.2) },
    { at: fromIst(date, "10:50"), price: second, dayVolume: Math.round(v * 0.45) },
    { at: fromIst(date, "13:10"), price: third, dayVolume: Math.round(v * 0.75) },
    { at: fromIst(date, "15:25"), price: bar.close, dayVolume: v },
  ];
}

let standIn: SmartApiStandIn;
let paper: Side;
let live: Side;
let broker: AngelOneBroker;
const placedOutsideHours: string[] = [];

async function side(b: Broker, history: Candle[], mode: "paper" | "live", orderWindow?: (wall: ManualClock) => () => string | null): Promise<Side> {
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const repo = new Repo(database.db);
  const wall = new ManualClock(fromIst(FROM, "08:00"));
  const desk = new Desk({
    repo,
    broker: b,
    marketClock: new ManualClock(fromIst(FROM, "08:00")),
    wallClock: wall,
    capital: 100_000_000,
    riskPct: 1,
    signalTtlMinutes: 60,
    strategies,
    autoAccept: strategies.map((s) => s.name),
    // Camarilla's pivots are a day's levels: it trades INTRADAY, squared off at 15:10.
    intraday: ["camarilla"],
    charges: deliveryFillCharges,
    mode,
    limits: { MAX_ORDERS_PER_MINUTE: 10_000 },
    ...(orderWindow ? { orderWindow: orderWindow(wall) } : {}),
  });
  desk.addHistory(history);
  await desk.init();
  const feed = new LiveFeed(desk, { calendar, persist: async (bars) => void (await repo.upsertCandles(bars)), wallNow: () => wall.now() });
  return { desk, feed, wall, repo, database };
}

beforeAll(async () => {
  const { candles } = loadShippedDaily(undefined, SYMBOLS);
  const history = candles.filter((c) => istDate(c.time) < FROM);
  standIn = await startSmartApiStandIn({ rateLimits: false, cash: 1e13 });
  standIn.market.now = fromIst(FROM, "08:00");
  // The last close before the window, so the first open has a previous price at the stand-in.
  for (const s of SYMBOLS) {
    const last = history.filter((c) => c.symbol === s).at(-1)!;
    standIn.market.tick(s, last.close, new Date(last.time.getTime() + 6 * 3600_000));
  }
  standIn.market.now = fromIst(FROM, "08:00");
  standIn.on("placeOrder", "received", () => {
    if (!calendar.isMarketOpen(standIn.market.now)) placedOutsideHours.push(standIn.market.now.toISOString());
  });
  broker = standInBroker(standIn, { rateLimits: UNLIMITED_RATES });
  await broker.connect();
  paper = await side(new PaperBroker(), history, "paper");
  live = await side(broker, history, "live", (wall) => () => marketWindow(calendar, wall.now()));

  const days = new Map<string, Candle[]>();
  for (const c of candles) {
    const d = istDate(c.time);
    if (d >= FROM && d <= TO) days.set(d, [...(days.get(d) ?? []), c]);
  }
  let trades = standIn.market.trades().length;
  for (const [date, bars] of [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Before the open: the live desk reads the broker's books, as its timer does (yesterday's day orders are gone).
    const before = fromIst(date, "09:05");
    standIn.market.now = before;
    live.wall.set(before);
    const report = await live.desk.reconcile("morning");
    expect(report?.ok, report?.error).toBe(true);
    const ticks = bars.flatMap((b) => ticksOf(b).map((t) => ({ symbol: b.symbol, ...t }))).sort((a, b) => a.at.getTime() - b.at.getTime() || (a.symbol < b.symbol ? -1 : 1));
    // The exchange trades every symbol at a moment before the desks hear of it: an order sent while the
    // desks work through that moment's ticks meets the exchange's price of that moment.
    const moments = new Map<number, typeof ticks>();
    for (const t of ticks) moments.set(t.at.getTime(), [...(moments.get(t.at.getTime()) ?? []), t]);
    for (const group of moments.values()) {
      for (const t of group) standIn.market.tick(t.symbol, t.price, t.at);
      for (const t of group) {
        for (const s of [paper, live]) {
          s.wall.set(t.at);
          await s.feed.tick(t);
        }
        // The live desk reads its fills when the exchange has traded for it (its poll timer, without the wait).
        while (standIn.market.trades().length !== trades) {
          trades = standIn.market.trades().length;
          await live.desk.pollBroker();
        }
      }
      // The reconciliation timer (every few minutes; these moments are hours apart): a refused order is seen.
      const pass = await live.desk.reconcile("timer");
      expect(pass?.ok, pass?.error).toBe(true);
      while (standIn.market.trades().length !== trades) {
        trades = standIn.market.trades().length;
        await live.desk.pollBroker();
      }
    }
    const close = fromIst(date, "15:30");
    standIn.market.now = close;
    for (const s of [paper, live]) {
      s.wall.set(close);
      await s.feed.heartbeat();
      await s.desk.idle();
    }
  }
}, 600_000);

afterAll(async () => {
  await broker?.close();
  await standIn?.close();
  await paper?.database.close();
  await live?.database.close();
});

describe("paper and live on the same ticks", () => {
  it("trade the same signals into the same round trips, to the paisa", async () => {
    const key = (t: { symbol: string; strategy: string; qty: number; entryPrice: number; exitPrice: number; exitReason: string; net: number }) =>
      `${t.symbol} ${t.strategy} ${t.qty} ${t.entryPrice}→${t.exitPrice} ${t.exitReason} net ${t.net}`;
    // Trades closed at the same moment may be booked in either order: the books are compared as sets.
    const p = (await paper.repo.trades()).map(key).sort();
    const l = (await live.repo.trades()).map(key).sort();
    expect(p.length).toBeGreaterThan(3);
    expect(l).toEqual(p);
  });

  it("hold the same open positions at the same cost and stop", async () => {
    const key = (x: { symbol: string; strategy: string; qty: number; costBasis: number; stop: number | null }) => `${x.symbol} ${x.strategy} ${x.qty} @${x.costBasis} stop ${x.stop}`;
    expect((await live.repo.openPositions()).map(key)).toEqual((await paper.repo.openPositions()).map(key));
  });

  it("end with the same ledger", async () => {
    const a = await paper.desk.ledger();
    const b = await live.desk.ledger();
    expect({ realized: b.realized, cash: b.cash, equity: b.equity }).toEqual({ realized: a.realized, cash: a.cash, equity: a.equity });
  });

  it("decided the same signals", async () => {
    const sig = async (r: Repo) => (await r.signalsByStatus(["filled", "ordered", "refused", "expired", "failed"])).map((s) => `${s.id} ${s.status} ${s.qty} ${s.statusReason ?? ""}`).sort();
    expect(await sig(live.repo)).toEqual(await sig(paper.repo));
  });

  it("sent orders to the broker only in market hours, stops as SL-M, and moved stops by modifying them", async () => {
    expect(placedOutsideHours).toEqual([]);
    const calls = (name: string) => standIn.requests.filter((r) => r.path.endsWith(`/${name}`)).length;
    expect(calls("placeOrder")).toBeGreaterThan(5);
    expect(calls("modifyOrder")).toBeGreaterThan(0);
    const stops = standIn.market.orders().filter((o) => o.ordertype === "STOPLOSS_MARKET");
    expect(stops.length).toBeGreaterThan(0);
  });

  it("agrees with the broker's own books at the end", async () => {
    const report = await live.desk.reconcile("end");
    expect(report?.ok).toBe(true);
    expect(report?.differences.filter((d) => d.kind !== "order_expired")).toEqual([]);
    // The broker's own count of what is held, symbol by symbol, against ours.
    const theirs = new Map<string, number>();
    for (const p of [...(await broker.positions()).map((x) => ({ symbol: x.symbol, qty: x.netQty })), ...(await broker.holdings())]) theirs.set(p.symbol, (theirs.get(p.symbol) ?? 0) + p.qty);
    const ours = new Map<string, number>();
    for (const p of await live.repo.openPositions()) ours.set(p.symbol, (ours.get(p.symbol) ?? 0) + p.qty);
    expect(Object.fromEntries([...theirs].filter(([, q]) => q !== 0).sort())).toEqual(Object.fromEntries([...ours].sort()));
  });

  it("covers the whole flow: entries, stop-outs, exits and stop moves", async () => {
    const trades = await live.repo.trades();
    const reasons = new Set(trades.map((t) => t.exitReason));
    expect(trades.length).toBeGreaterThan(20);
    for (const why of ["stop", "loss_exit", "book_book6", "intraday_square_off"]) expect(reasons.has(why), why).toBe(true);
    // Intraday trades never carry overnight, and went to the broker as INTRADAY.
    for (const t of trades.filter((x) => x.strategy === "camarilla")) expect(istDate(t.exitTime)).toBe(istDate(t.entryTime));
    const products = new Set(standIn.market.orders().filter((o) => o.producttype === "INTRADAY").map((o) => o.instrument.symbol));
    expect(products.size).toBeGreaterThan(0);
    const events = await live.repo.events("manage.move_stop", 500);
    expect(events.length).toBeGreaterThan(0);
  });
});
