import { describe, expect, it } from "vitest";
import { loadScripMasterFile } from "../../../src/engine/market/instruments.js";
import { optionContract, optionSymbol, parseOptionSymbol, underlyingOf } from "../../../src/engine/fno/option-contract.js";

describe("optionSymbol", () => {
  it("builds Angel One's tradingsymbol: name + DDMMMYY + strike rupees + CE/PE", () => {
    expect(optionSymbol("BANKNIFTY", "2025-11-25", 5_680_000, "CE")).toBe("BANKNIFTY25NOV2556800CE");
    expect(optionSymbol("NIFTY", "2025-10-28", 2_440_000, "PE")).toBe("NIFTY28OCT2524400PE");
    expect(optionSymbol("BANKNIFTY", "2023-03-09", 4_010_000, "PE")).toBe("BANKNIFTY09MAR2340100PE"); // single-digit day keeps its zero
  });

  it("matches every option symbol of the shipped instrument master", () => {
    const options = loadScripMasterFile().instruments.filter((i) => i.kind === "option");
    expect(options.length).toBeGreaterThan(10);
    for (const i of options) expect(optionSymbol(i.name, i.expiry!, i.strike!, i.optionType!)).toBe(i.symbol);
  });

  it("refuses a strike that is not whole rupees, and other bad parts, naming them", () => {
    expect(() => optionSymbol("BANKNIFTY", "2025-11-25", 5_680_050, "CE")).toThrow(/whole rupees.*56800\.5/);
    expect(() => optionSymbol("BANKNIFTY", "2025-11-25", 0, "CE")).toThrow(/strike/);
    expect(() => optionSymbol("BANKNIFTY", "2025-11-25", 100.5, "CE")).toThrow(/strike/);
    expect(() => optionSymbol("BANKNIFTY", "2025-02-30", 5_680_000, "CE")).toThrow(/expiry/);
    expect(() => optionSymbol("banknifty", "2025-11-25", 5_680_000, "CE")).toThrow(/underlying/);
    expect(() => optionSymbol("BANKNIFTY", "2025-11-25", 5_680_000, "XX" as "CE")).toThrow(/CE or PE/);
    expect(() => optionSymbol("BANKNIFTY", "1999-11-25", 5_680_000, "CE")).toThrow(/year/);
  });
});

describe("parseOptionSymbol", () => {
  it("reads back what optionSymbol writes", () => {
    const c = optionContract("BANKNIFTY", "2022-12-29", 4_300_000, "PE");
    expect(c.symbol).toBe("BANKNIFTY29DEC2243000PE");
    expect(parseOptionSymbol(c.symbol)).toEqual(c);
    expect(parseOptionSymbol("BANKNIFTY25NOV2556800CE")).toEqual({
      underlying: "BANKNIFTY",
      expiry: "2025-11-25",
      strike: 5_680_000,
      type: "CE",
      symbol: "BANKNIFTY25NOV2556800CE",
    });
  });

  it("handles names with digits, '&' and '-'", () => {
    expect(parseOptionSymbol("NIFTYNXT5026DEC2570000CE")).toMatchObject({ underlying: "NIFTYNXT50", expiry: "2025-12-26", strike: 7_000_000 });
    expect(parseOptionSymbol("M&M30DEC253500PE")).toMatchObject({ underlying: "M&M", expiry: "2025-12-30", strike: 350_000, type: "PE" });
    expect(parseOptionSymbol("BAJAJ-AUTO30DEC259000CE")?.underlying).toBe("BAJAJ-AUTO");
  });

  it("answers null for anything that is not an option symbol", () => {
    for (const s of [
      "SBIN",
      "SBIN-EQ",
      "Nifty Bank",
      "BANKNIFTY25NOV25FUT",
      "BANKNIFTY25NOV2556800", // no type
      "BANKNIFTY25NOV2556800XE",
      "BANKNIFTY31NOV2556800CE", // 31 November does not exist
      "BANKNIFTY25XYZ2556800CE",
      "BANKNIFTY25NOV2556800.5CE",
      "BANKNIFTY25NOV2505680CE", // strike with a leading zero is not Angel's spelling
      "25NOV2556800CE",
      "banknifty25nov2556800ce",
      "",
    ]) {
      expect(parseOptionSymbol(s), s).toBeNull();
    }
  });
});

describe("underlyingOf", () => {
  it("names the underlying of options and futures; anything else is its own", () => {
    expect(underlyingOf("BANKNIFTY25NOV2556800CE")).toBe("BANKNIFTY");
    expect(underlyingOf("NIFTY28OCT2524400PE")).toBe("NIFTY");
    expect(underlyingOf("BANKNIFTY25NOV25FUT")).toBe("BANKNIFTY");
    expect(underlyingOf("SBIN")).toBe("SBIN");
    expect(underlyingOf("BANKNIFTY")).toBe("BANKNIFTY");
    expect(underlyingOf("BANKNIFTY31NOV25FUT")).toBe("BANKNIFTY31NOV25FUT"); // no such day: not a future symbol
  });
});
