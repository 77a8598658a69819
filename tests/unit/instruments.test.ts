import { describe, expect, it } from "vitest";
import {
  InstrumentMaster,
  loadScripMasterFile,
  parseMasterExpiry,
  parseScripMaster,
} from "../../src/engine/market/instruments.js";
import { LotSizeTable, loadLotSizes, lotSizeOn, parseLotSizesCsv } from "../../src/engine/market/lot-sizes.js";

type Rec = Record<string, string>;

const NIFTY_CE: Rec = {
  token: "58784",
  symbol: "NIFTY28OCT2524400CE",
  name: "NIFTY",
  expiry: "28OCT2025",
  strike: "2440000.000000",
  lotsize: "75",
  instrumenttype: "OPTIDX",
  exch_seg: "NFO",
  tick_size: "5.000000",
};
const RELIANCE: Rec = {
  token: "2885",
  symbol: "RELIANCE-EQ",
  name: "RELIANCE",
  expiry: "",
  strike: "-1.000000",
  lotsize: "1",
  instrumenttype: "",
  exch_seg: "NSE",
  tick_size: "10.000000",
};

const sample = loadScripMasterFile();
const master = new InstrumentMaster(sample.instruments);

describe("parseScripMaster: conversions", () => {
  it("reads strike and tick as whole paise and expiry as an IST date", () => {
    const { instruments, skipped } = parseScripMaster([NIFTY_CE, RELIANCE]);
    expect(skipped).toEqual([]);
    expect(instruments[0]).toEqual({
      token: "58784",
      symbol: "NIFTY28OCT2524400CE",
      name: "NIFTY",
      exchange: "NFO",
      kind: "option",
      instrumentType: "OPTIDX",
      optionType: "CE",
      expiry: "2025-10-28",
      strike: 2_440_000, // ₹24,400
      lotSize: 75,
      tick: 5, // ₹0.05
    });
    expect(instruments[1]).toMatchObject({ kind: "equity", expiry: null, strike: null, lotSize: 1, tick: 10 });
  });

  it("reads the digits, never rescales: odd strikes stay exact, fractions of a paisa are refused", () => {
    const { instruments } = parseScripMaster([{ ...NIFTY_CE, strike: "1957005.000000", tick_size: "1.000000" }]);
    expect(instruments[0]!.strike).toBe(1_957_005);
    expect(instruments[0]!.tick).toBe(1);
    expect(parseScripMaster([{ ...NIFTY_CE, strike: "2440000.500000" }]).skipped[0]!.reason).toMatch(/^strike: fractional paise/);
  });

  it("classifies index, future and option rows", () => {
    expect(master.byToken("99926009")).toMatchObject({ kind: "index", name: "BANKNIFTY", tick: 0, strike: null });
    expect(master.bySymbol("NFO", "BANKNIFTY25NOV25FUT")).toMatchObject({ kind: "future", instrumentType: "FUTIDX", expiry: "2025-11-25", strike: null });
    expect(master.bySymbol("NFO", "BANKNIFTY25NOV2557000PE")).toMatchObject({ kind: "option", optionType: "PE", strike: 5_700_000 });
  });

  it("converts DDMMMYYYY and rejects impossible dates", () => {
    expect(parseMasterExpiry("28OCT2025")).toBe("2025-10-28");
    expect(parseMasterExpiry("29FEB2024")).toBe("2024-02-29");
    expect(() => parseMasterExpiry("31FEB2025")).toThrow(/expiry/);
    expect(() => parseMasterExpiry("28oct2025")).toThrow(/expiry/);
    expect(() => parseMasterExpiry("2025-10-28")).toThrow(/expiry/);
  });
});

describe("parseScripMaster: bad records are skipped with a reason", () => {
  const reasonFor = (rec: unknown): string => {
    const { instruments, skipped } = parseScripMaster([rec]);
    expect(instruments).toEqual([]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.index).toBe(0);
    return skipped[0]!.reason;
  };

  it("names the field", () => {
    const { token: _token, ...noToken } = NIFTY_CE;
    expect(reasonFor(noToken)).toMatch(/^token: /);
    expect(reasonFor({ ...NIFTY_CE, lotsize: "75.5" })).toMatch(/^lotsize: /);
    expect(reasonFor({ ...NIFTY_CE, lotsize: "abc" })).toMatch(/^lotsize: /);
    expect(reasonFor({ ...NIFTY_CE, lotsize: "0" })).toMatch(/^lotsize: /);
    expect(reasonFor({ ...NIFTY_CE, expiry: "31FEB2025" })).toMatch(/^expiry: .*31FEB2025/);
    expect(reasonFor({ ...NIFTY_CE, expiry: "" })).toMatch(/^expiry: missing/);
    expect(reasonFor({ ...RELIANCE, expiry: "28OCT2025" })).toMatch(/^expiry: unexpected/);
    expect(reasonFor({ ...NIFTY_CE, strike: "-1.000000" })).toMatch(/^strike: /);
    expect(reasonFor({ ...NIFTY_CE, strike: "24,400" })).toMatch(/^strike: not a number/);
    expect(reasonFor({ ...NIFTY_CE, tick_size: "0.250000" })).toMatch(/^tick_size: fractional paise/);
    expect(reasonFor({ ...RELIANCE, tick_size: "0.000000" })).toMatch(/^tick_size: /);
    expect(reasonFor({ ...NIFTY_CE, symbol: "NIFTY28OCT2524400XX" })).toMatch(/^symbol: /);
    expect(reasonFor({ ...NIFTY_CE, instrumenttype: "COMDTY" })).toMatch(/^instrumenttype: unsupported/);
    expect(reasonFor({ ...NIFTY_CE, strike: 2440000 })).toMatch(/^strike: /); // numbers, not strings
    expect(reasonFor("not a record")).toMatch(/^record: /);
  });

  it("skips an unknown exchange segment rather than guessing where it trades", () => {
    expect(reasonFor({ ...RELIANCE, exch_seg: "NSX" })).toMatch(/^exch_seg: unknown segment "NSX"/);
    expect(parseScripMaster([{ ...RELIANCE, exch_seg: "BSE", token: "500325", symbol: "RELIANCE" }]).skipped).toEqual([]);
  });

  it("keeps the good records around a bad one, with the bad one's index", () => {
    const { instruments, skipped } = parseScripMaster([RELIANCE, { ...NIFTY_CE, expiry: "31FEB2025" }, NIFTY_CE]);
    expect(instruments.map((i) => i.token)).toEqual(["2885", "58784"]);
    expect(skipped).toEqual([{ index: 1, reason: expect.stringMatching(/^expiry: /) as unknown as string }]);
  });

  it("keeps the first of a duplicated token or (exchange, symbol)", () => {
    const { instruments, skipped } = parseScripMaster([
      NIFTY_CE,
      { ...NIFTY_CE, symbol: "NIFTY28OCT2524400PE" },
      { ...NIFTY_CE, token: "99999" },
    ]);
    expect(instruments).toHaveLength(1);
    expect(instruments[0]!.optionType).toBe("CE");
    expect(skipped.map((s) => s.index)).toEqual([1, 2]);
    expect(skipped[0]!.reason).toMatch(/^token: duplicate 58784 \(first at record 0\)/);
    expect(skipped[1]!.reason).toMatch(/^symbol: duplicate NFO:NIFTY28OCT2524400CE/);
  });

  it("rejects a document that is not an array", () => {
    expect(() => parseScripMaster({ data: [] })).toThrow(TypeError);
  });
});

describe("shipped sample", () => {
  it("loads with nothing skipped", () => {
    expect(sample.skipped).toEqual([]);
    expect(sample.instruments).toHaveLength(35);
    expect(master.size).toBe(35);
  });

  it("every option's strike and type agree with its symbol", () => {
    for (const i of sample.instruments.filter((x) => x.kind === "option")) {
      expect(i.symbol.endsWith(`${i.strike! / 100}${i.optionType}`)).toBe(true);
    }
  });
});

describe("InstrumentMaster lookups", () => {
  it("byToken and bySymbol", () => {
    expect(master.byToken("58784")?.symbol).toBe("NIFTY28OCT2524400CE");
    expect(master.byToken("1")).toBeUndefined();
    expect(master.bySymbol("NSE", "SBIN-EQ")?.token).toBe("3045");
    expect(master.bySymbol("NFO", "SBIN-EQ")).toBeUndefined();
  });

  it("equity by name is the NSE EQ row", () => {
    expect(master.equity("RELIANCE")).toMatchObject({ token: "2885", symbol: "RELIANCE-EQ", exchange: "NSE" });
    expect(master.equity("M&M")?.token).toBe("2031");
    expect(master.equity("NIFTY")).toBeUndefined();
  });

  it("index by underlying name or by its own symbol", () => {
    expect(master.index("BANKNIFTY")?.token).toBe("99926009");
    expect(master.index("NIFTY")?.token).toBe("99926000");
    expect(master.index("Nifty Bank")?.token).toBe("99926009");
    expect(master.index("FINNIFTY")).toBeUndefined();
  });

  it("futures, nearest expiry first", () => {
    expect(master.futures("BANKNIFTY").map((i) => i.symbol)).toEqual(["BANKNIFTY25NOV25FUT", "BANKNIFTY30DEC25FUT"]);
    expect(master.futures("BANKNIFTY", "2025-12-30").map((i) => i.token)).toEqual(["52171"]);
    expect(master.futures("BANKNIFTY", "2025-10-28")).toEqual([]);
    expect(master.futures("BANKNIFTY", undefined, "BFO")).toEqual([]);
  });

  it("option by underlying, expiry, strike and type", () => {
    expect(master.option("NIFTY", "2025-10-28", 2_440_000, "CE")?.token).toBe("58784");
    expect(master.option("BANKNIFTY", "2025-11-25", 5_690_000, "PE")?.symbol).toBe("BANKNIFTY25NOV2556900PE");
    expect(master.option("BANKNIFTY", "2025-11-25", 5_695_000, "PE")).toBeUndefined();
    expect(master.option("BANKNIFTY", "2025-12-30", 5_690_000, "CE")).toBeUndefined();
  });

  it("expiries and strikes, sorted", () => {
    expect(master.expiries("BANKNIFTY", "future")).toEqual(["2025-11-25", "2025-12-30"]);
    expect(master.expiries("BANKNIFTY", "option")).toEqual(["2025-11-25", "2025-12-30"]);
    expect(master.expiries("NIFTY", "option")).toEqual(["2025-10-28"]);
    expect(master.expiries("RELIANCE", "future")).toEqual([]);
    expect(master.strikes("BANKNIFTY", "2025-11-25")).toEqual([5_680_000, 5_690_000, 5_700_000, 5_710_000, 5_720_000]);
    expect(master.strikes("NIFTY", "2025-10-28")).toEqual([2_435_000, 2_440_000, 2_445_000]);
    expect(master.strikes("BANKNIFTY", "2025-12-30")).toEqual([5_700_000]);
  });

  it("nearestStrike, with ties going to the lower strike", () => {
    const near = (spot: number): number => master.nearestStrike("BANKNIFTY", "2025-11-25", spot);
    expect(near(5_693_000)).toBe(5_690_000);
    expect(near(5_696_000)).toBe(5_700_000);
    expect(near(5_695_000)).toBe(5_690_000); // exactly halfway
    expect(near(5_705_000)).toBe(5_700_000); // halfway, the other pair
    expect(near(1_000_000)).toBe(5_680_000); // below the listed range
    expect(near(9_000_000)).toBe(5_720_000);
    expect(master.nearestStrike("NIFTY", "2025-10-28", 2_442_500)).toBe(2_440_000);
    expect(() => master.nearestStrike("BANKNIFTY", "2025-10-28", 5_700_000)).toThrow(RangeError);
  });

  it("lotSize by token or by underlying and expiry", () => {
    expect(master.lotSize("58784")).toBe(75);
    expect(master.lotSize("2885")).toBe(1);
    expect(master.lotSize("BANKNIFTY", "2025-11-25")).toBe(35);
    expect(() => master.lotSize("123456")).toThrow(/unknown instrument token/);
    expect(() => master.lotSize("BANKNIFTY", "2025-10-28")).toThrow(RangeError);
    const mixed = new InstrumentMaster(
      parseScripMaster([NIFTY_CE, { ...NIFTY_CE, token: "58785", symbol: "NIFTY28OCT2524400PE", lotsize: "65" }]).instruments,
    );
    expect(() => mixed.lotSize("NIFTY", "2025-10-28")).toThrow(/disagree/);
  });

  it("tickFor, and indices have none", () => {
    expect(master.tickFor("58784")).toBe(5);
    expect(master.tickFor("2885")).toBe(10);
    expect(master.tickFor("10666")).toBe(1);
    expect(() => master.tickFor("99926000")).toThrow(/not tradable/);
    expect(() => master.tickFor("1")).toThrow(/unknown/);
  });

  it("fromJson returns the skipped records too", () => {
    const { master: m, skipped } = InstrumentMaster.fromJson([RELIANCE, { ...RELIANCE, token: "x" }]);
    expect(m.size).toBe(1);
    expect(skipped[0]!.reason).toMatch(/^token: /);
  });
});

describe("lot sizes by expiry", () => {
  it("BANKNIFTY across each boundary", () => {
    const cases: Array<[string, number]> = [
      ["2020-07-30", 25],
      ["2023-07-20", 25], // last July 2023 weekly on the old lot
      ["2023-07-27", 15],
      ["2024-12-24", 15],
      ["2025-01-30", 15], // January 2025 monthly was listed before 20 Nov 2024
      ["2025-02-27", 30],
      ["2025-06-26", 30],
      ["2025-07-31", 35],
      ["2025-12-30", 35],
      ["2026-01-27", 30],
      ["2026-06-30", 30],
    ];
    for (const [expiry, lot] of cases) expect([expiry, lotSizeOn("BANKNIFTY", expiry)]).toEqual([expiry, lot]);
  });

  it("NIFTY across each boundary, including the January 2025 monthly on the old lot", () => {
    const cases: Array<[string, number]> = [
      ["2020-10-29", 75],
      ["2021-07-22", 75],
      ["2021-07-29", 50],
      ["2024-04-25", 50],
      ["2024-05-02", 25],
      ["2024-12-26", 25],
      ["2025-01-02", 75],
      ["2025-01-23", 75],
      ["2025-01-30", 25],
      ["2025-02-06", 75],
      ["2025-10-28", 75],
      ["2025-12-30", 75],
      ["2026-01-06", 65],
    ];
    for (const [expiry, lot] of cases) expect([expiry, lotSizeOn("NIFTY", expiry)]).toEqual([expiry, lot]);
  });

  it("agrees with the shipped master sample", () => {
    expect(lotSizeOn("NIFTY", "2025-10-28")).toBe(master.lotSize("NIFTY", "2025-10-28"));
    for (const e of master.expiries("BANKNIFTY", "option")) expect(lotSizeOn("BANKNIFTY", e)).toBe(master.lotSize("BANKNIFTY", e));
  });

  it("throws a RangeError naming the underlying and date when not covered", () => {
    expect(() => lotSizeOn("BANKNIFTY", "2020-07-23")).toThrow(RangeError);
    expect(() => lotSizeOn("BANKNIFTY", "2020-07-23")).toThrow(/BANKNIFTY.*2020-07-23/);
    expect(() => lotSizeOn("FINNIFTY", "2025-01-28")).toThrow(/FINNIFTY.*2025-01-28/);
    expect(() => lotSizeOn("NIFTY", "2025-13-01")).toThrow(RangeError);
  });

  it("every shipped row names a source", () => {
    const table = loadLotSizes();
    expect(table.underlyings()).toEqual(["BANKNIFTY", "NIFTY"]);
    for (const u of table.underlyings()) expect(table.rowFor(u, "2026-01-27").source.length).toBeGreaterThan(20);
  });

  it("parses a source with commas, and refuses bad rows and repeated dates", () => {
    const head = "underlying,effective_from_expiry,lot_size,source\n";
    expect(parseLotSizesCsv(`${head}X,2024-01-01,10,a, b, c\n`)[0]).toEqual({ underlying: "X", effectiveFromExpiry: "2024-01-01", lotSize: 10, source: "a, b, c" });
    expect(() => parseLotSizesCsv(`${head}X,2024-02-30,10,s\n`)).toThrow(/:2: effective_from_expiry/);
    expect(() => parseLotSizesCsv(`${head}X,2024-01-01,0,s\n`)).toThrow(/lot_size/);
    expect(() => parseLotSizesCsv("a,b\n")).toThrow(/header/);
    const dup = parseLotSizesCsv(`${head}X,2024-01-01,10,s\nX,2024-01-01,20,s\n`);
    expect(() => new LotSizeTable(dup)).toThrow(/two rows/);
  });
});
