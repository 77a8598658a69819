/**
 * The digest's rollover notice: synthetic units roll ROLLOVER_DAYS_BEFORE_EXPIRY
 * trading days before their monthly expiry at 15:00 IST, and the digest says
 * so on each of the three trading days before that day, with the units held
 * in the expiry that rolls. Real NSE calendar (15 Oct 2021 was Dussehra).
 */
import { describe, expect, it } from "vitest";
import { digestText } from "../../../src/bot/digest-format.js";
import { composeDigest, rolloverNotices, rolloverSettingsOf } from "../../../src/engine/digest.js";
import { optionContract } from "../../../src/engine/fno/option-contract.js";
import { loadNseCalendar } from "../../../src/engine/market/calendar.js";
import { fromIst, type IstDate } from "../../../src/engine/time/ist.js";
import type { PositionView } from "../../../src/engine/views.js";
import { parseTelegramHtml } from "../../stand-ins/telegram/server.js";

const calendar = loadNseCalendar();
const FIVE = { underlyings: ["BANKNIFTY"] as const, daysBefore: 5 };

let nextId = 1;
function leg(expiry: IstDate, type: "CE" | "PE", unit: number, strategy = "banknifty-trend", underlying = "BANKNIFTY"): PositionView {
  const c = optionContract(underlying, expiry, 3_910_000, type);
  return {
    id: nextId++,
    symbol: c.symbol,
    strategy,
    side: type === "CE" ? "long" : "short",
    status: "open",
    qty: 25,
    costBasis: 25 * 50_000,
    openCharges: 0,
    initialStop: null,
    stop: null,
    targets: [],
    lastPrice: 50_000,
    realized: 0,
    signalId: null,
    unit,
    openedAt: fromIst("2021-10-14", "10:30"),
    closedAt: null,
  };
}
/** A whole unit: its call and its put. */
const unit = (expiry: IstDate, n: number, strategy?: string) => [leg(expiry, "CE", n, strategy), leg(expiry, "PE", n, strategy)];

describe("rolloverNotices", () => {
  const held = [...unit("2021-10-28", 0), ...unit("2021-10-28", 1), ...unit("2021-10-28", 0, "other-strategy")];

  it("gives notice on each of the three trading days before the roll day, counting the units held", () => {
    // 28 Oct 2021 expiry, five trading days before: Thu 21 Oct.
    const seen = new Map<IstDate, number>();
    for (const d of ["2021-10-12", "2021-10-13", "2021-10-14", "2021-10-15", "2021-10-16", "2021-10-18", "2021-10-19", "2021-10-20", "2021-10-21", "2021-10-22"]) {
      const { rollovers } = rolloverNotices(d, held, calendar, FIVE);
      for (const r of rollovers) {
        expect(r).toEqual({ underlying: "BANKNIFTY", expiry: "2021-10-28", day: "2021-10-21", at: "15:00", tradingDaysAway: r.tradingDaysAway, units: 3 });
        seen.set(d, r.tradingDaysAway);
      }
    }
    // 14 Oct is four trading days before (18, 19, 20, 21): no notice yet; the holiday and the weekend count none.
    expect([...seen]).toEqual([
      ["2021-10-18", 3],
      ["2021-10-19", 2],
      ["2021-10-20", 1],
    ]);
  });

  it("follows ROLLOVER_DAYS_BEFORE_EXPIRY: three days before expiry rolls on Mon 25 Oct", () => {
    const three = { underlyings: ["BANKNIFTY"] as const, daysBefore: 3 };
    const away = (d: IstDate) => rolloverNotices(d, held, calendar, three).rollovers.map((r) => [r.day, r.tradingDaysAway]);
    expect(away("2021-10-19")).toEqual([]);
    expect(away("2021-10-20")).toEqual([["2021-10-25", 3]]);
    expect(away("2021-10-22")).toEqual([["2021-10-25", 1]]);
    expect(away("2021-10-25")).toEqual([]);
  });

  it("counts only the units in the expiry that rolls, and sees a unit held further out", () => {
    // A unit already rolled by hand sits in December: the November roll does not touch it, its own notice comes in December.
    const mixed = [...unit("2021-11-25", 0), ...unit("2021-12-30", 1)];
    // 25 Nov 2021 expiry: five trading days before is Wed 17 Nov (19 Nov was Guru Nanak Jayanti).
    expect(rolloverNotices("2021-11-15", mixed, calendar, FIVE).rollovers).toEqual([
      { underlying: "BANKNIFTY", expiry: "2021-11-25", day: "2021-11-17", at: "15:00", tradingDaysAway: 2, units: 1 },
    ]);
    // Nothing held: the notice still comes, with no unit.
    expect(rolloverNotices("2021-10-19", [], calendar, FIVE).rollovers.map((r) => r.units)).toEqual([0]);
    // Other indices' legs and equity positions are not units.
    const others = [...unit("2021-10-28", 0, "x").map((p) => ({ ...p, symbol: p.symbol.replace("BANKNIFTY", "NIFTY") })), { ...leg("2021-10-28", "CE", 0), symbol: "INFY" }];
    expect(rolloverNotices("2021-10-19", others, calendar, FIVE).rollovers.map((r) => r.units)).toEqual([0]);
  });

  it("gives none without synthetic futures, and says why when the holiday data runs out", () => {
    expect(rolloverNotices("2021-10-19", held, calendar, undefined)).toEqual({ rollovers: [] });
    expect(rolloverSettingsOf(null)).toBeUndefined();
    expect(rolloverSettingsOf({ settings: { underlyings: ["BANKNIFTY"], rolloverDaysBefore: 4 } })).toEqual({ underlyings: ["BANKNIFTY"], daysBefore: 4 });
    const end = rolloverNotices("2026-12-20", [], calendar, FIVE);
    expect(end.rollovers).toEqual([]);
    expect(end.rolloverNote).toMatch(/^rollovers not checked: .*outside the NSE holiday data/);
  });
});

describe("the notice in the digest's text", () => {
  const book = { capital: 500_000_000, realized: 0, openCost: 0, openCharges: 0, unrealized: 0, cash: 500_000_000, equity: 500_000_000, reserved: 0 };
  const digest = (date: IstDate, positions: PositionView[]) =>
    digestText(composeDigest({ date, capital: 500_000_000, startEquity: 500_000_000, book, positions, trades: [], breaker: "armed", calendar, rollover: FIVE }), "paper");

  it("names the day, the time, how many trading days away and the units held", () => {
    const text = digest("2021-10-19", [...unit("2021-10-28", 0), ...unit("2021-10-28", 1)]);
    expect(text.split("\n")).toContain(
      "🔄 <b>Bank Nifty rollover on Thu 21 Oct 2021 at 15:00</b>, in 2 trading days: 2 units held, rolled out of the Thu 28 Oct 2021 expiry into the next monthly.",
    );
    expect(parseTelegramHtml(text, { strict: true }).ok).toBe(true);
    const one = digest("2021-10-20", unit("2021-10-28", 0));
    expect(one).toContain("in 1 trading day: 1 unit held, rolled out of");
    expect(digest("2021-10-18", [])).toContain("in 3 trading days: no unit held in the Thu 28 Oct 2021 expiry, nothing to roll.");
  });

  it("says nothing of a rollover on other days, nor without the setting", () => {
    for (const d of ["2021-10-14", "2021-10-21", "2021-10-22"]) expect(digest(d, unit("2021-10-28", 0)), d).not.toMatch(/rollover/i);
    const without = digestText(
      composeDigest({ date: "2021-10-19", capital: 500_000_000, startEquity: 500_000_000, book, positions: unit("2021-10-28", 0), trades: [], breaker: "armed", calendar }),
      "paper",
    );
    expect(without).not.toMatch(/rollover/i);
  });
});
