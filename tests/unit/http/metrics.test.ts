/**
 * /metrics on a real desk and a real (embedded) database: a scripted strategy
 * proposes known signals on hand-made bars, a trader approves one and rejects
 * one, a paused desk refuses a third, the approved one fills and is exited.
 * Every number below can be checked by hand from the bars.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { migrateDatabase, openDatabase, type Database } from "../../../src/db/connection.js";
import { Repo } from "../../../src/db/repo.js";
import { ManualClock } from "../../../src/engine/clock.js";
import { Desk } from "../../../src/engine/desk.js";
import { PaperBroker } from "../../../src/engine/execution/paper-broker.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { toPaise } from "../../../src/engine/money.js";
import type { SignalDraft } from "../../../src/engine/strategies/signal.js";
import type { Strategy } from "../../../src/engine/strategies/strategy.js";
import { fromIst, istDate, type IstDate } from "../../../src/engine/time/ist.js";
import type { OrderView, SignalView } from "../../../src/engine/views.js";
import { DeskMetrics } from "../../../src/http/metrics.js";
import { startHttpServer } from "../../../src/http/server.js";

/** Entry drafts by "SYMBOL@date", fired at that day's close. */
const plan = new Map<string, SignalDraft>();
const scripted: Strategy<unknown> = {
  name: "scripted",
  description: "fires the drafts the test planned",
  timeframe: "1d",
  defaultUniverse: "nifty50",
  needsVolume: false,
  params: z.object({}),
  defaults: {},
  scan: () => [],
  evaluate: (bars) => {
    const last = bars[bars.length - 1];
    const d = last ? plan.get(`${last.symbol}@${istDate(last.time)}`) : undefined;
    return d ? [d] : [];
  },
};

function bar(symbol: string, date: IstDate, open: number, high: number, low: number, close: number): Candle {
  return { symbol, timeframe: "1d", time: fromIst(date, "09:15"), open: toPaise(open), high: toPaise(high), low: toPaise(low), close: toPaise(close), volume: 1_000_000 };
}

function entry(symbol: string, date: IstDate, price: number, stop: number): SignalDraft {
  const d: SignalDraft = {
    id: `scripted-${symbol.toLowerCase()}-${date}`,
    strategy: "scripted",
    symbol,
    timeframe: "1d",
    barTime: fromIst(date, "09:15"),
    side: "long",
    kind: "entry",
    entry: toPaise(price),
    stop: toPaise(stop),
    targets: [],
    strength: 100,
    conditions: {},
  };
  plan.set(`${symbol}@${date}`, d);
  return d;
}

/** The sample lines of the exposition (no # HELP / # TYPE). */
const samples = (text: string) => text.split("\n").filter((l) => l && !l.startsWith("#"));

describe("desk metrics on a real desk", () => {
  let database: Database;
  let repo: Repo;
  const wall = new ManualClock(new Date("2026-01-05T04:00:00Z"));
  /** A flat ₹20 a fill keeps the books checkable by hand. */
  const FILL_CHARGE = toPaise(20);

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    repo = new Repo(database.db);
  });
  afterAll(async () => {
    await database?.close().catch(() => {});
  });

  function build() {
    return new Desk({
      repo,
      broker: new PaperBroker(),
      marketClock: new ManualClock(),
      wallClock: wall,
      capital: toPaise(400_000),
      riskPct: 1.5,
      signalTtlMinutes: 15,
      strategies: [scripted],
      autoAccept: [],
      charges: () => FILL_CHARGE,
      mode: "paper",
    });
  }

  it("counts signals, orders and fills from the bus, and reads the books at scrape time", async () => {
    const desk = build();
    await desk.init();
    const metrics = new DeskMetrics({ desk, now: () => wall.now().getTime() });

    // Day 1: two entries proposed at the close.
    const aaa = entry("AAA", "2025-01-02", 100, 95);
    const bbb = entry("BBB", "2025-01-02", 200, 190);
    await desk.onDay("2025-01-02", [bar("AAA", "2025-01-02", 99, 101, 98, 100), bar("BBB", "2025-01-02", 198, 201, 197, 200)]);
    // Sizing: ₹6,000 risk budget, but the half-Kelly cap holds a strategy without 20 trades to 5% of capital
    // (₹20,000): 200 AAA at ₹100, 100 BBB at ₹200.
    expect((await repo.signal(aaa.id))!.qty).toBe(200);
    expect((await repo.signal(bbb.id))!.qty).toBe(100);

    // The trader approves AAA after 30 s and rejects BBB after 90 s.
    wall.advance(30_000);
    expect((await desk.approve(aaa.id, "@trader")).ok).toBe(true);
    wall.advance(60_000);
    expect((await desk.reject(bbb.id, "@trader")).ok).toBe(true);

    // Paused before day 2: CCC's entry is refused at the close.
    await desk.setSwitch("paused", true, "@trader");
    entry("CCC", "2025-01-03", 50, 48);
    // Day 2: AAA fills at the open, ₹101, and closes at ₹104 (the low, ₹100, stays above the ₹95 stop).
    await desk.onDay("2025-01-03", [bar("AAA", "2025-01-03", 101, 105, 100, 104), bar("CCC", "2025-01-03", 49, 51, 48.5, 50)]);
    expect((await repo.openPositions()).map((p) => [p.symbol, p.qty, p.costBasis, p.lastPrice])).toEqual([["AAA", 200, toPaise(20_200), toPaise(104)]]);

    let text = await metrics.metrics();
    let lines = samples(text);
    expect(lines).toEqual(
      expect.arrayContaining([
        'dalal_signals_total{strategy="scripted",status="proposed"} 2',
        'dalal_signals_total{strategy="scripted",status="ordered"} 1',
        'dalal_signals_total{strategy="scripted",status="rejected"} 1',
        'dalal_signals_total{strategy="scripted",status="refused"} 1',
        'dalal_orders_total{purpose="entry",status="placed"} 1',
        'dalal_orders_total{purpose="entry",status="filled"} 1',
        'dalal_fills_total{side="buy"} 1',
        // The manual wall clock stands still while the desk works: 0 s, in the first bucket.
        'dalal_approval_to_order_seconds_bucket{le="0.005"} 1',
        "dalal_approval_to_order_seconds_count 1",
        // Decisions after 30 s and 90 s.
        'dalal_decision_seconds_bucket{le="15"} 0',
        'dalal_decision_seconds_bucket{le="30"} 1',
        'dalal_decision_seconds_bucket{le="60"} 1',
        'dalal_decision_seconds_bucket{le="120"} 2',
        "dalal_decision_seconds_sum 120",
        "dalal_decision_seconds_count 2",
        "dalal_paused 1",
        "dalal_halted 0",
        "dalal_breaker_tripped 0",
        "dalal_open_positions 1",
        // 200 × (₹101 entry − ₹95 stop).
        "dalal_open_risk_rupees 1200",
        // 200 × (₹104 − ₹101).
        "dalal_unrealized_pnl_rupees 600",
        // ₹4,00,000 − ₹20 entry charge + ₹600.
        "dalal_equity_rupees 400580",
        "dalal_realized_pnl_rupees 0",
      ]),
    );
    // Nothing was rejected or sold, and the protective stop the desk placed itself is not announced.
    expect(lines.filter((l) => /status="(rejected|placed)"/.test(l) && l.startsWith("dalal_orders_total"))).toEqual(['dalal_orders_total{purpose="entry",status="placed"} 1']);
    expect(lines.some((l) => l.startsWith('dalal_fills_total{side="sell"}'))).toBe(false);
    // Node's own metrics on the same registry.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);

    // Exit at market: it fills at day 3's open, ₹110. Net 200 × ₹9 − ₹20 − ₹20 = ₹1,760.
    const pos = (await repo.openPositions())[0]!;
    expect((await desk.exitNow(pos.id, "@trader")).ok).toBe(true);
    await desk.setBreaker(true, "@admin");
    await desk.setSwitch("halted", true, "@admin");
    await desk.onDay("2025-01-06", [bar("AAA", "2025-01-06", 110, 111, 109, 110)]);

    text = await metrics.metrics();
    lines = samples(text);
    expect(lines).toEqual(
      expect.arrayContaining([
        'dalal_orders_total{purpose="exit",status="placed"} 1',
        'dalal_orders_total{purpose="exit",status="filled"} 1',
        'dalal_fills_total{side="buy"} 1',
        'dalal_fills_total{side="sell"} 1',
        "dalal_open_positions 0",
        "dalal_open_risk_rupees 0",
        "dalal_unrealized_pnl_rupees 0",
        "dalal_realized_pnl_rupees 1760",
        "dalal_equity_rupees 401760",
        "dalal_breaker_tripped 1",
        "dalal_halted 1",
        "dalal_paused 1",
      ]),
    );
    metrics.close();
  });

  it("times an approval from its decision stamp to its order placed", async () => {
    const desk = build();
    let now = Date.parse("2026-01-05T06:30:00.000Z");
    const metrics = new DeskMetrics({ desk, now: () => now, processMetrics: false });
    const decidedAt = new Date(now);
    const signal = { id: "sig-1", strategy: "scripted", status: "ordered", decidedBy: "@trader", decidedAt, createdAt: new Date(now - 45_000) } as SignalView;
    const order = { signalId: "sig-1", purpose: "entry", side: "buy", status: "submitted" } as OrderView;
    desk.bus.emit("signal.decided", { signal });
    now += 250;
    desk.bus.emit("order.placed", { order });
    // A second placement for the same signal (none should come) is not timed again.
    desk.bus.emit("order.placed", { order });
    const lines = samples(await metrics.metrics());
    expect(lines).toEqual(
      expect.arrayContaining([
        'dalal_approval_to_order_seconds_bucket{le="0.1"} 0',
        'dalal_approval_to_order_seconds_bucket{le="0.25"} 1',
        'dalal_approval_to_order_seconds_bucket{le="+Inf"} 1',
        "dalal_approval_to_order_seconds_sum 0.25",
        "dalal_approval_to_order_seconds_count 1",
        'dalal_decision_seconds_bucket{le="30"} 0',
        'dalal_decision_seconds_bucket{le="60"} 1',
        "dalal_decision_seconds_sum 45",
        'dalal_orders_total{purpose="entry",status="placed"} 2',
      ]),
    );
    // processMetrics: false leaves Node's metrics out.
    expect(lines.some((l) => l.startsWith("process_"))).toBe(false);
    metrics.close();
  });

  it("serves the text format on GET /metrics, and fails the scrape when the books cannot be read", async () => {
    const desk = build();
    await desk.init();
    const metrics = new DeskMetrics({ desk, processMetrics: false });
    const http = await startHttpServer("127.0.0.1", 0, { ready: () => true, metrics });
    try {
      const ok = await fetch(`${http.url}/metrics`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const body = await ok.text();
      expect(body).toMatch(/^# TYPE dalal_open_positions gauge\ndalal_open_positions \d+$/m);
      expect(body).toContain("# TYPE dalal_signals_total counter");

      expect((await fetch(`${http.url}/metrics`, { method: "POST" })).status).toBe(405);

      await database.close();
      const down = await fetch(`${http.url}/metrics`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ error: "metrics unavailable: the books could not be read; see /health" });
    } finally {
      await http.close();
      metrics.close();
    }
  });
});
