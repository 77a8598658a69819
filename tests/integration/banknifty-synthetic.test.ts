/**
 * Seed 002's system inside the desk: the real Bank Nifty 75-minute bars
 * (2021-01 to 2023-01) through banknifty-trend, auto-accepted, traded as
 * synthetic futures (bought ATM call + sold ATM put of the monthly expiry) on
 * the paper broker, the legs priced by the option model on India VIX. Checks
 * entries, pyramids, stops, rollovers on the real expiry calendar, the gap rule
 * at the next open, and that the theoretical and actual tracks part only by
 * slippage, charges and rollover spreads.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/db/memory-store.js";
import { ManualClock } from "../../src/engine/clock.js";
import type { Desk } from "../../src/engine/desk.js";
import { bankNiftyDesk } from "../helpers/banknifty-desk.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { classifyGap } from "../../src/engine/fno/gap.js";
import { parseOptionSymbol } from "../../src/engine/fno/option-contract.js";
import { followingMonthlyExpiry } from "../../src/engine/market/expiry.js";
import { rolloverDay } from "../../src/engine/fno/rollover-calendar.js";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";
import { lotSizeOn } from "../../src/engine/market/lot-sizes.js";
import { loadBankNifty75m } from "../../src/engine/market/shipped-data.js";
import { bankNiftyTrend } from "../../src/engine/strategies/banknifty-trend.js";
import { formatIst, istDate } from "../../src/engine/time/ist.js";
import type { DivergenceReport } from "../../src/engine/fno/divergence.js";

const calendar = loadNseCalendar();

function deskOn(store: MemoryStore, synthetic: { capital?: number; riskPct?: number } = {}) {
  return bankNiftyDesk(store, new ManualClock(new Date("2021-01-01T03:45:00Z")), synthetic);
}

describe("Bank Nifty on synthetic futures, replayed through the desk", () => {
  const store = new MemoryStore();
  let desk: Desk;
  const flatChecks: Array<{ date: string; report: DivergenceReport }> = [];
  const alerts: string[] = [];

  beforeAll(async () => {
    await store.upsertCandles(loadBankNifty75m().candles);
    desk = deskOn(store);
    await desk.init();
    desk.bus.on("alert", ({ text }) => void alerts.push(text));
    const feed = new ReplayFeed(store, desk, { from: "2021-03-01", to: "2023-01-31", paceMs: 0 });
    await feed.prepare();
    while (await feed.step()) {
      // Whenever the books are flat, every executed unit has closed by its exit signal: the identity must hold.
      if ((await store.openPositions()).length === 0 && (await store.ordersByStatus(["new", "submitted", "partially_filled", "unknown"])).length === 0) {
        const [report] = await desk.divergence();
        if (report) flatChecks.push({ date: istDate(desk.opts.marketClock.now()), report });
      }
    }
  }, 120_000);

  it("enters bases and pyramids as pairs of option legs in whole lots", async () => {
    const signals = await store.signalsOf("banknifty-trend", "BANKNIFTY");
    const filled = signals.filter((s) => s.kind === "entry" && s.decidedBy === "auto" && s.status === "filled");
    expect(filled.filter((s) => s.unit === 0).length).toBeGreaterThanOrEqual(10);
    expect(filled.filter((s) => (s.unit ?? 0) > 0).length).toBeGreaterThanOrEqual(5);
    const orders = await store.ordersByStatus(["filled"]);
    for (const s of filled) {
      const expiry = s.sizing["expiry"] as string;
      const lot = lotSizeOn("BANKNIFTY", expiry);
      expect(s.qty % lot, s.id).toBe(0);
      expect((s.qty / lot) * (s.sizing["riskPerLot"] as number)).toBeLessThanOrEqual(s.sizing["budget"] as number);
      const legs = orders.filter((o) => o.signalId === s.id && o.purpose === "entry");
      expect(legs.map((o) => `${o.side} ${parseOptionSymbol(o.symbol)!.type}`).sort(), s.id).toEqual(["buy CE", "sell PE"]);
      const [ce, pe] = [legs.find((o) => o.symbol.endsWith("CE"))!, legs.find((o) => o.symbol.endsWith("PE"))!];
      expect(parseOptionSymbol(ce.symbol)!.strike).toBe(parseOptionSymbol(pe.symbol)!.strike);
      expect(parseOptionSymbol(ce.symbol)!.expiry).toBe(expiry);
      // The call is bought before the put is sold: never a naked short.
      expect(ce.id).toBeLessThan(pe.id);
      expect(ce.qty).toBe(s.qty);
      // ATM: the strike nearest the index on the ₹100 step (the signal price, or the open that a held unit met).
      const spot = (s.sizing["gap"] as { open: number } | undefined)?.open ?? s.entry;
      expect(Math.abs(parseOptionSymbol(ce.symbol)!.strike - spot)).toBeLessThanOrEqual(5_000);
    }
  });

  it("exits units on their Basso stops, both legs, the sold one first", async () => {
    const trades = await store.trades();
    const byReason = new Map<string, number>();
    for (const t of trades) byReason.set(t.exitReason, (byReason.get(t.exitReason) ?? 0) + 1);
    expect(byReason.get("signal_exit") ?? 0).toBeGreaterThanOrEqual(20);
    const exits = (await store.ordersByStatus(["filled"])).filter((o) => o.purpose === "exit");
    const bySignal = new Map<string, typeof exits>();
    for (const o of exits) if (o.signalId) bySignal.set(o.signalId, [...(bySignal.get(o.signalId) ?? []), o]);
    for (const [id, os] of bySignal) {
      const ordered = [...os].sort((a, b) => a.id - b.id);
      // Per unit: buy back the put before selling the call.
      expect(ordered.filter((o) => o.side === "buy").length, id).toBe(ordered.filter((o) => o.side === "sell").length);
      expect(ordered[0]!.side, id).toBe("buy");
    }
    expect(await store.openPositions()).toEqual([]);
  });

  it("rolls every held unit on the real rollover day, into the next monthly, and prices the rollover apart", async () => {
    const rolls = await desk.fno!.rolls.records();
    expect(rolls.length).toBeGreaterThanOrEqual(3);
    for (const r of rolls) {
      const at = new Date(r.at);
      // The last 75-minute boundary before 15:00 IST on the day five trading days before expiry.
      expect(istDate(at), r.id).toBe(rolloverDay(r.fromExpiry, 5, calendar));
      expect(r.toExpiry, r.id).toBe(followingMonthlyExpiry("BANKNIFTY", r.fromExpiry, calendar));
      expect(r.cost, r.id).toBeDefined();
      expect(r.cost!.charges).toBeGreaterThan(0);
      expect(r.cost!.total).toBe(r.cost!.spread + r.cost!.charges);
      expect(Object.keys(r.orders)).toHaveLength(4);
    }
    // No leg was ever held past its expiry.
    for (const t of await store.trades()) {
      const c = parseOptionSymbol(t.symbol)!;
      expect(istDate(t.exitTime) <= c.expiry, `${t.symbol} closed ${formatIst(t.exitTime)}`).toBe(true);
    }
    const rolled = (await store.trades()).filter((t) => t.exitReason === "rollover");
    expect(rolled.length).toBe(rolls.length * 2);
  });

  it("meets the next open after a signal on the day's last bar: a gap over 1% re-checks, over 2% skips", async () => {
    const bars = loadBankNifty75m().candles;
    const lastBar = (s: { barTime: Date }) => formatIst(s.barTime).includes("14:15");
    const signals = (await store.signalsOf("banknifty-trend", "BANKNIFTY")).filter((s) => s.kind === "entry" && s.decidedBy === "auto" && lastBar(s));
    expect(signals.length).toBeGreaterThan(0);
    const kinds = new Set<string>();
    for (const s of signals) {
      const next = bars.find((b) => b.time.getTime() > s.barTime.getTime())!;
      const gap = s.sizing["gap"] as { kind: string; gapPct: number; open: number };
      expect(gap, s.id).toBeDefined();
      expect(gap.open).toBe(next.open);
      const verdict = classifyGap(s.entry, next.open, 1, 2);
      expect(gap.kind).toBe(verdict.kind);
      kinds.add(verdict.kind);
      if (verdict.kind === "skip") expect(s.status).toBe("skipped");
      else expect(["filled", "skipped"]).toContain(s.status);
      if (verdict.kind === "adjust" && s.status === "filled") {
        const legs = (await store.ordersByStatus(["filled"])).filter((o) => o.signalId === s.id);
        expect(legs.every((o) => o.orderType === "limit")).toBe(true);
      }
    }
    // The shipped bars hold both a quiet open and one gapped over 1% after a last-bar signal.
    expect([...kinds].sort()).toEqual(["adjust", "none"]);
  });

  it("keeps the theoretical track apart from fills: it holds every signalled unit, executed or not", async () => {
    const [r] = await desk.divergence();
    expect(r).toBeDefined();
    const scan = bankNiftyTrend.scan(loadBankNifty75m().candles, bankNiftyTrend.defaults).filter((d) => d.kind === "entry" && d.barTime >= new Date("2021-03-01T00:00:00+05:30") && d.barTime <= new Date("2023-01-31T23:59:00+05:30"));
    expect(r!.bases.signalled).toBe(scan.filter((d) => (d.unit ?? 0) === 0).length);
    expect(r!.pyramids.signalled).toBe(scan.filter((d) => (d.unit ?? 0) > 0).length);
    expect(r!.pyramids.executed).toBeLessThanOrEqual(r!.pyramids.signalled);
    expect(r!.slippages.length).toBeGreaterThan(0);
  });

  it("parts from the actual track only by slippage, charges and rollover spreads, to the paisa", () => {
    const withTrades = flatChecks.filter((c) => c.report.units.some((u) => u.executed));
    expect(withTrades.length).toBeGreaterThan(20);
    for (const { date, report: r } of withTrades) {
      expect(r.actual, date).toBe(r.executedTheoretical - r.slippage - r.charges - r.rolloverSpread);
    }
  });
});

describe("Bank Nifty sizing", () => {
  it("refuses a unit below one lot, saying why", async () => {
    const store = new MemoryStore();
    await store.upsertCandles(loadBankNifty75m().candles);
    const desk = deskOn(store, { capital: 10_000_000, riskPct: 0.5 }); // ₹1,00,000 at 0.5%: ₹500 a unit
    await desk.init();
    const feed = new ReplayFeed(store, desk, { from: "2021-03-01", to: "2021-06-30", paceMs: 0 });
    await feed.prepare();
    while (await feed.step());
    const refused = (await store.signalsOf("banknifty-trend", "BANKNIFTY")).filter((s) => s.kind === "entry" && s.status === "refused");
    expect(refused.length).toBeGreaterThan(0);
    for (const s of refused) expect(s.statusReason).toMatch(/^size below one lot: one lot of 25 risks ₹[\d,.]+ to the stop, over the ₹500\.00 budget \(0\.5% of ₹1,00,000\.00\)$/);
    expect(await store.openPositions()).toEqual([]);
  }, 60_000);
});
