import { describe, expect, it } from "vitest";
import { atmStrike, describeSynthetic, STRIKE_STEP, syntheticLegs } from "../../../src/engine/fno/synthetic.js";

describe("STRIKE_STEP", () => {
  it("is ₹100 for BANKNIFTY and ₹50 for NIFTY", () => {
    expect(STRIKE_STEP.BANKNIFTY).toBe(10_000);
    expect(STRIKE_STEP.NIFTY).toBe(5_000);
    expect(Object.isFrozen(STRIKE_STEP)).toBe(true);
  });
});

describe("atmStrike", () => {
  const step = 10_000;
  it("takes the nearest strike on the step", () => {
    expect(atmStrike(4_312_345, step)).toBe(4_310_000); // 43,123.45 → 43,100
    expect(atmStrike(4_315_001, step)).toBe(4_320_000); // 43,150.01 → 43,200
    expect(atmStrike(4_314_999, step)).toBe(4_310_000); // 43,149.99 → 43,100
    expect(atmStrike(4_310_000, step)).toBe(4_310_000); // on a strike
    expect(atmStrike(2_441_200, 5_000)).toBe(2_440_000); // NIFTY 24,412 → 24,400
    expect(atmStrike(2_442_600, 5_000)).toBe(2_445_000);
  });

  it("sends an exact tie up", () => {
    expect(atmStrike(4_315_000, step)).toBe(4_320_000); // 43,150.00
    expect(atmStrike(2_442_500, 5_000)).toBe(2_445_000); // 24,425.00
    expect(atmStrike(15, 10)).toBe(20);
  });

  it("never answers a zero strike", () => {
    expect(atmStrike(4_000, step)).toBe(step);
  });

  it("refuses bad inputs, naming them", () => {
    expect(() => atmStrike(0, step)).toThrow(/spot/);
    expect(() => atmStrike(4_315_000.5, step)).toThrow(/spot/);
    expect(() => atmStrike(4_315_000, 0)).toThrow(/step/);
    expect(() => atmStrike(4_315_000, -100)).toThrow(/step/);
  });
});

describe("syntheticLegs", () => {
  it("long: buy CE + sell PE at the ATM strike, call first", () => {
    const [ce, pe] = syntheticLegs("long", "BANKNIFTY", 4_303_850, "2022-12-29");
    expect(ce).toEqual({
      side: "buy",
      contract: { underlying: "BANKNIFTY", expiry: "2022-12-29", strike: 4_300_000, type: "CE", symbol: "BANKNIFTY29DEC2243000CE" },
    });
    expect(pe).toEqual({
      side: "sell",
      contract: { underlying: "BANKNIFTY", expiry: "2022-12-29", strike: 4_300_000, type: "PE", symbol: "BANKNIFTY29DEC2243000PE" },
    });
  });

  it("short: sell CE + buy PE", () => {
    const legs = syntheticLegs("short", "NIFTY", 1_810_530, "2022-12-29");
    expect(legs.map((l) => [l.side, l.contract.symbol])).toEqual([
      ["sell", "NIFTY29DEC2218100CE"],
      ["buy", "NIFTY29DEC2218100PE"],
    ]);
    expect(describeSynthetic(legs)).toBe("short NIFTY 2022-12-29 ₹18,100.00: sell CE + buy PE");
  });

  it("takes a passed step, and needs one for an underlying it does not know", () => {
    expect(syntheticLegs("long", "FINNIFTY", 2_012_345, "2022-12-27", 5_000)[0].contract.strike).toBe(2_010_000);
    expect(() => syntheticLegs("long", "FINNIFTY", 2_012_345, "2022-12-27")).toThrow(/no strike step known for FINNIFTY/);
    expect(() => syntheticLegs("flat" as "long", "BANKNIFTY", 4_300_000, "2022-12-29")).toThrow(/side/);
    expect(() => syntheticLegs("long", "BANKNIFTY", 4_300_000, "2022-12-32")).toThrow(/expiry/);
  });
});
