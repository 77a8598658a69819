/**
 * One Bank Nifty day on live prices (paper orders, option legs priced by the
 * model from each index tick): 21 Oct 2021 is both the rollover day of the
 * October monthly (expiry 28 Oct, five trading days on) and a day whose last
 * 75-minute bar signals a pyramid. The replay brings the desk to the evening
 * before with two units held; then the day's real bars are played as ticks
 * through the live feed. At 15:00 both units roll to November; at 15:25 the
 * forming last bar's pyramid goes in before the close instead of meeting
 * tomorrow's open; the closed bar's identical signal is not taken twice.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/db/memory-store.js";
import { ManualClock } from "../../src/engine/clock.js";
import type { Desk } from "../../src/engine/desk.js";
import { bankNiftyDesk } from "../helpers/banknifty-desk.js";
import { LiveFeed } from "../../src/engine/feed/live-feed.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { parseOptionSymbol } from "../../src/engine/fno/option-contract.js";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";
import { timeframeMs } from "../../src/engine/market/candle.js";
import { loadBankNifty75m } from "../../src/engine/market/shipped-data.js";
import { fromIst, istDate } from "../../src/engine/time/ist.js";

const DAY = "2021-10-21";
const calendar = loadNseCalendar();

describe("a live Bank Nifty day: rollover at 15:00, the last bar read while forming", () => {
  const store = new MemoryStore();
  const clock = new ManualClock(new Date("2021-03-01T03:45:00Z"));
  let desk: Desk;
  const bars = loadBankNifty75m().candles;
  const held: Record<string, number> = {};

  beforeAll(async () => {
    await store.upsertCandles(bars.filter((b) => istDate(b.time) < DAY));
    desk = bankNiftyDesk(store, clock);
    await desk.init();
    const replay = new ReplayFeed(store, desk, { from: "2021-03-01", to: "2021-10-20", paceMs: 0 });
    await replay.prepare();
    while (await replay.step());
    for (const u of desk.fno!.units(await store.openPositions())) held[`unit ${u.unit}`] = u.qty;

    // The day's real bars as ticks: open at the bar's start, high and low inside it, close a minute before its end
    // (the last bar's at 15:20, so the bar read at 15:25 is the bar that closes at 15:30), and a last tick at 15:27.
    const feed = new LiveFeed(desk, { calendar, persist: async (b) => void (await store.upsertCandles(b)), wallNow: () => clock.now() });
    const day = bars.filter((b) => istDate(b.time) === DAY);
    expect(day).toHaveLength(5);
    for (const b of day) {
      const start = b.time.getTime();
      const end = Math.min(start + timeframeMs("75m"), fromIst(DAY, "15:21").getTime());
      const ticks: Array<[number, number]> = [
        [start, b.open],
        [start + 20 * 60_000, b.high],
        [start + 40 * 60_000, b.low],
        [end - 60_000, b.close],
      ];
      for (const [t, price] of ticks) {
        clock.set(t);
        await feed.tick({ symbol: "BANKNIFTY", price, at: new Date(t) });
      }
    }
    for (const hhmm of ["15:25", "15:27"]) {
      clock.set(fromIst(DAY, hhmm));
      await feed.tick({ symbol: "BANKNIFTY", price: day[4]!.close, at: fromIst(DAY, hhmm) });
    }
    clock.set(fromIst(DAY, "15:31"));
    await feed.heartbeat();
    await desk.idle();
  }, 120_000);

  it("held two October units the evening before", () => {
    expect(Object.keys(held).sort()).toEqual(["unit 0", "unit 1"]);
  });

  it("rolled both units at 15:00 into the November monthly, filled before the close", async () => {
    const rolls = (await desk.fno!.rolls.records()).filter((r) => r.at.startsWith(DAY) || istDate(new Date(r.at)) === DAY);
    expect(rolls.map((r) => r.unit).sort()).toEqual([0, 1]);
    for (const r of rolls) {
      expect(new Date(r.at).getTime()).toBeGreaterThanOrEqual(fromIst(DAY, "15:00").getTime());
      expect(r.fromExpiry).toBe("2021-10-28");
      expect(r.toExpiry).toBe("2021-11-25");
      expect(r.cost?.charges).toBeGreaterThan(0);
      expect(r.qty).toBe(held[`unit ${r.unit}`]);
    }
    const rollTrades = (await store.trades()).filter((t) => t.exitReason === "rollover");
    expect(rollTrades).toHaveLength(4);
    for (const t of rollTrades) expect(t.exitTime.getTime()).toBeLessThan(fromIst(DAY, "15:30").getTime());
  });

  it("took the last bar's pyramid at 15:25, before the close, once", async () => {
    const signals = (await store.signalsOf("banknifty-trend", "BANKNIFTY")).filter((s) => istDate(s.barTime) === DAY && s.kind === "entry" && s.decidedBy === "auto");
    expect(signals).toHaveLength(1);
    const s = signals[0]!;
    expect(s.unit).toBe(2);
    expect(s.status).toBe("filled");
    expect(s.sizing["gap"]).toBeUndefined();
    const legs = (await store.ordersByStatus(["filled"])).filter((o) => o.signalId === s.id);
    expect(legs).toHaveLength(2);
    for (const o of legs) {
      expect(o.placedAt.getTime()).toBe(fromIst(DAY, "15:25").getTime());
      expect(o.updatedAt.getTime()).toBeLessThan(fromIst(DAY, "15:30").getTime());
      // Entered on the rollover day: straight into November.
      expect(parseOptionSymbol(o.symbol)!.expiry).toBe("2021-11-25");
    }
  });

  it("ends the day holding three November units and nothing in October", async () => {
    const units = desk.fno!.units(await store.openPositions());
    expect(units.map((u) => [u.unit, u.expiry, u.legs.length])).toEqual([
      [0, "2021-11-25", 2],
      [1, "2021-11-25", 2],
      [2, "2021-11-25", 2],
    ]);
    expect(await store.ordersByStatus(["new", "submitted", "partially_filled", "unknown"])).toEqual([]);
  });
});
