import { describe, expect, it } from "vitest";
import { candleProblem, type Candle } from "../../../src/engine/market/candle.js";
import { loadBankNifty75m } from "../../../src/engine/market/shipped-data.js";
import { optionContract } from "../../../src/engine/fno/option-contract.js";
import { MODELLED_VOLUME, modelOptionBar, modelPremium, yearsToExpiry } from "../../../src/engine/fno/option-model.js";
import { loadIndiaVix } from "../../../src/engine/fno/india-vix.js";
import { fromIst, istDate } from "../../../src/engine/time/ist.js";

// Expected premiums below come from an independent Black-Scholes (Python, math.erfc) with the same inputs.
const ce = optionContract("BANKNIFTY", "2022-12-29", 4_320_000, "CE");
const pe = optionContract("BANKNIFTY", "2022-12-29", 4_320_000, "PE");
/** The shipped NIFTY BANK 75-minute bar of 05 Dec 2022 09:15. */
const bar: Candle = {
  symbol: "BANKNIFTY",
  timeframe: "75m",
  time: fromIst("2022-12-05", "09:15"),
  open: 4_320_595,
  high: 4_325_170,
  low: 4_298_500,
  close: 4_308_980,
  volume: 0,
};

describe("yearsToExpiry", () => {
  it("counts calendar time to 15:30 IST of the expiry day over 365 days", () => {
    expect(yearsToExpiry(fromIst("2022-12-05", "09:15"), "2022-12-29")).toBeCloseTo(0.06646689497716896, 14);
    expect(yearsToExpiry(fromIst("2022-12-28", "15:30"), "2022-12-29")).toBeCloseTo(1 / 365, 14);
    expect(yearsToExpiry(fromIst("2022-12-29", "14:15"), "2022-12-29")).toBeCloseTo(75 / (365 * 1440), 14);
  });

  it("is 0 at the expiry close and after it", () => {
    expect(yearsToExpiry(fromIst("2022-12-29", "15:30"), "2022-12-29")).toBe(0);
    expect(yearsToExpiry(fromIst("2022-12-30", "09:15"), "2022-12-29")).toBe(0);
  });

  it("refuses bad inputs", () => {
    expect(() => yearsToExpiry(new Date(Number.NaN), "2022-12-29")).toThrow(/at/);
    expect(() => yearsToExpiry(new Date(), "29-12-2022")).toThrow(/expiry/);
  });
});

describe("modelPremium", () => {
  const at = fromIst("2022-12-05", "09:15");
  it("is Black-Scholes on spot, rounded to the ₹0.05 tick", () => {
    expect(modelPremium(ce, 4_320_595, at, 13.73, 6.5)).toBe(70_965); // 709.6617… → ₹709.65
    expect(modelPremium(pe, 4_320_595, at, 13.73, 6.5)).toBe(51_750); // 517.4753… → ₹517.50
  });

  it("is never below one tick, even worthless at expiry", () => {
    expect(modelPremium(pe, 4_330_910, fromIst("2022-12-29", "15:30"), 14.81, 6.5)).toBe(5);
    expect(modelPremium(ce, 4_330_910, fromIst("2022-12-29", "15:30"), 14.81, 6.5)).toBe(10_910); // intrinsic: 43,309.10 − 43,200
  });

  it("keeps the synthetic's parity: CE − PE ≈ S − K·e^(−rT) within the two roundings", () => {
    const spot = 4_320_595;
    const t = yearsToExpiry(at, "2022-12-29");
    const parity = spot - 4_320_000 * Math.exp(-0.065 * t);
    for (const vol of [10, 13.73, 25]) {
      const synthetic = modelPremium(ce, spot, at, vol, 6.5) - modelPremium(pe, spot, at, vol, 6.5);
      expect(Math.abs(synthetic - parity), `vol ${vol}`).toBeLessThanOrEqual(5);
    }
  });

  it("refuses bad inputs, naming them", () => {
    expect(() => modelPremium(ce, 0, at, 13, 6.5)).toThrow(/spot/);
    expect(() => modelPremium(ce, 4_300_000, at, 0, 6.5)).toThrow(/volPct/);
    expect(() => modelPremium(ce, 4_300_000, at, 0.1373 * Number.NaN, 6.5)).toThrow(/volPct/);
    expect(() => modelPremium(ce, 4_300_000, at, 13, 65)).toThrow(/ratePct/);
  });
});

describe("modelOptionBar", () => {
  it("prices a call bar: open at the bar start, close at its end, high from the spot high, low from the spot low", () => {
    const b = modelOptionBar(bar, ce, 13.73, 6.5);
    expect(b).toEqual({
      symbol: "BANKNIFTY29DEC2243200CE",
      timeframe: "75m",
      time: bar.time,
      open: 70_965, // spot 43,205.95 at 09:15
      close: 64_585, // spot 43,089.80 at 10:30
      high: 73_540, // spot 43,251.70 at 09:15
      low: 59_205, // spot 42,985.00 at 10:30
      volume: MODELLED_VOLUME,
    });
  });

  it("prices a put bar from the other extremes", () => {
    const b = modelOptionBar(bar, pe, 13.73, 6.5);
    expect([b.open, b.high, b.low, b.close]).toEqual([51_750, 62_170, 49_700, 57_020]);
  });

  it("widens high and low to hold open and close: the expiry's last bar", () => {
    const last: Candle = { ...bar, time: fromIst("2022-12-29", "14:15"), open: 4_289_205, high: 4_349_805, low: 4_284_090, close: 4_330_910 };
    const put = modelOptionBar(last, optionContract("BANKNIFTY", "2022-12-29", 4_330_000, "PE"), 13.92, 6.5);
    expect(put.open).toBe(40_755);
    expect(put.close).toBe(5); // expires worthless: one tick
    expect(put.high).toBe(45_870);
    expect(put.low).toBe(5);
    const call = modelOptionBar(last, optionContract("BANKNIFTY", "2022-12-29", 4_330_000, "CE"), 13.92, 6.5);
    expect([call.open, call.close, call.high, call.low]).toEqual([5, 910, 19_850, 5]);
  });

  it("makes a sound bar for every shipped 75-minute bar of a month, with India VIX", () => {
    const vix = loadIndiaVix();
    const bars = loadBankNifty75m().candles.filter((c) => istDate(c.time) >= "2022-12-01" && istDate(c.time) <= "2022-12-29");
    expect(bars.length).toBeGreaterThan(90);
    for (const u of bars) {
      const vol = vix.on(istDate(u.time))!;
      for (const c of [ce, pe]) {
        const b = modelOptionBar(u, c, vol, 6.5);
        expect(candleProblem(b), `${c.symbol} ${u.time.toISOString()}`).toBeNull();
        expect(b.open % 5 + b.high % 5 + b.low % 5 + b.close % 5).toBe(0);
      }
    }
  });

  it("works on daily bars (ending at 15:30) and refuses bars after expiry or of another underlying", () => {
    const day: Candle = { ...bar, timeframe: "1d", time: fromIst("2022-12-29", "09:15") };
    expect(modelOptionBar(day, ce, 14, 6.5).timeframe).toBe("1d");
    expect(() => modelOptionBar({ ...bar, time: fromIst("2022-12-30", "09:15") }, ce, 14, 6.5)).toThrow(/expired/);
    expect(() => modelOptionBar({ ...bar, symbol: "NIFTY" }, ce, 14, 6.5)).toThrow(/bar of NIFTY cannot price BANKNIFTY29DEC2243200CE/);
  });
});
