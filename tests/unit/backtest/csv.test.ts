import { describe, expect, it } from "vitest";
import { equityCsv, tradesCsv } from "../../../src/engine/backtest/csv.js";
import type { TradeLike } from "../../../src/engine/backtest/metrics.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const TRADES: TradeLike[] = [
  {
    symbol: "M&M",
    side: "long",
    entryTime: fromIst("2025-01-03", "09:15"),
    entryPrice: 300_005, // ₹3,000.05
    exitTime: fromIst("2025-01-06", "15:20"),
    exitPrice: 290_000,
    qty: 5,
    gross: -50_025,
    charges: 1_537,
    net: -51_562,
    r: -1.03125, // rounds half away from zero to -1.0313
    exitReason: "stop",
  },
  {
    symbol: "NIFTY25JAN23500CE",
    side: "short",
    entryTime: fromIst("2025-01-07", "10:00"),
    entryPrice: 12_000,
    exitTime: fromIst("2025-01-07", "14:45:30"),
    exitPrice: 11_995,
    qty: 75,
    gross: 375,
    charges: 380,
    net: -5, // five paise down after charges
    r: null,
    exitReason: 'stop "hard", gapped\nthrough',
  },
];

describe("tradesCsv", () => {
  it("writes the exact text: IST times, rupees from paise, r to 4 places, RFC 4180 quoting", () => {
    expect(tradesCsv(TRADES)).toBe(
      "symbol,side,entryTime,entryPrice,exitTime,exitPrice,qty,gross,charges,net,r,exitReason\n" +
        "M&M,long,2025-01-03T09:15:00+05:30,3000.05,2025-01-06T15:20:00+05:30,2900.00,5,-500.25,15.37,-515.62,-1.0313,stop\n" +
        'NIFTY25JAN23500CE,short,2025-01-07T10:00:00+05:30,120.00,2025-01-07T14:45:30+05:30,119.95,75,3.75,3.80,-0.05,,"stop ""hard"", gapped\nthrough"\n',
    );
  });

  it("is only the header line when there are no trades", () => {
    expect(tradesCsv([])).toBe("symbol,side,entryTime,entryPrice,exitTime,exitPrice,qty,gross,charges,net,r,exitReason\n");
  });

  it("gives the same bytes for the same input", () => {
    expect(tradesCsv(TRADES.map((t) => ({ ...t })))).toBe(tradesCsv(TRADES));
  });

  it("quotes a symbol with a comma and leaves r = 0 as 0.0000", () => {
    const line = tradesCsv([{ ...TRADES[0]!, symbol: "A,B", r: -0.00001 }]).split("\n")[1]!;
    expect(line.startsWith('"A,B",long,')).toBe(true);
    expect(line.endsWith(",0.0000,stop")).toBe(true);
  });
});

describe("equityCsv", () => {
  it("writes each day's equity and its drawdown from the running high", () => {
    const rows = [
      { date: "2025-01-01", equity: 10_000_000 },
      { date: "2025-01-02", equity: 10_100_000 },
      { date: "2025-01-03", equity: 9_999_000 }, // ₹1,010 below ₹1,01,000: −1 %
      { date: "2025-01-06", equity: 10_000_001 }, // −999.99 / 101000 × 100 = −0.990089…
      { date: "2025-01-07", equity: 10_200_000 },
    ];
    expect(equityCsv(rows)).toBe(
      "date,equity,drawdownPct\n" +
        "2025-01-01,100000.00,0.0000\n" +
        "2025-01-02,101000.00,0.0000\n" +
        "2025-01-03,99990.00,-1.0000\n" +
        "2025-01-06,100000.01,-0.9901\n" +
        "2025-01-07,102000.00,0.0000\n",
    );
  });

  it("is only the header line for no rows", () => {
    expect(equityCsv([])).toBe("date,equity,drawdownPct\n");
  });
});
