import { describe, expect, it } from "vitest";
import { TRADES_CSV_HEADER } from "../../../src/engine/backtest/csv.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { exportTradesCsv, POSITIONS_CSV_HEADER, positionsCsv, type ExportTrade, type PositionCsvLine } from "../../../src/report/export.js";

const LONG: PositionCsvLine = {
  id: 7,
  symbol: "RELIANCE",
  strategy: "sma-cross",
  side: "long",
  qty: 40,
  avgPrice: 125_010, // ₹1,250.10
  lastPrice: 126_000,
  unrealized: 39_600, // (1260.00 − 1250.10) × 40 = ₹396.00
  stop: 121_000,
  unit: null,
  openedAt: fromIst("2025-01-03", "09:15"),
};

describe("positionsCsv", () => {
  it("writes one row per open position, rupees with 2 decimals and IST times", () => {
    const short: PositionCsvLine = {
      id: 12,
      symbol: "M&M",
      strategy: "banknifty-trend",
      side: "short",
      qty: 3,
      avgPrice: 5,
      lastPrice: null, // not marked yet
      unrealized: -5,
      stop: null,
      unit: 2,
      openedAt: fromIst("2025-02-14", "13:00"),
    };
    expect(positionsCsv([LONG, short])).toBe(
      "id,symbol,strategy,side,qty,avgPrice,lastPrice,unrealized,stop,unit,openedAt\n" +
        "7,RELIANCE,sma-cross,long,40,1250.10,1260.00,396.00,1210.00,,2025-01-03T09:15:00+05:30\n" +
        "12,M&M,banknifty-trend,short,3,0.05,,-0.05,,2,2025-02-14T13:00:00+05:30\n",
    );
  });

  it("quotes a field holding a comma", () => {
    expect(positionsCsv([{ ...LONG, symbol: "A,B" }]).split("\n")[1]).toBe('7,"A,B",sma-cross,long,40,1250.10,1260.00,396.00,1210.00,,2025-01-03T09:15:00+05:30');
  });

  it("is the header alone for an empty book", () => {
    expect(positionsCsv([])).toBe(`${POSITIONS_CSV_HEADER}\n`);
  });
});

describe("exportTradesCsv", () => {
  const trade = (id: number, symbol: string, exitDate: string, net: number): ExportTrade => ({
    id,
    symbol,
    side: "long",
    entryTime: fromIst("2025-01-02", "09:15"),
    entryPrice: 100_000,
    exitTime: fromIst(exitDate, "09:15"),
    exitPrice: 100_000 + net / 10,
    qty: 10,
    gross: net,
    charges: 0,
    net,
    r: null,
    exitReason: "signal_exit",
  });

  it("lists closed trades oldest exit first (the store gives newest first), in trades.csv's format", () => {
    const csv = exportTradesCsv([trade(3, "TCS", "2025-01-20", 5_000), trade(1, "INFY", "2025-01-10", -2_550), trade(2, "SBIN", "2025-01-10", 100)]);
    expect(csv).toBe(
      `${TRADES_CSV_HEADER}\n` +
        "INFY,long,2025-01-02T09:15:00+05:30,1000.00,2025-01-10T09:15:00+05:30,997.45,10,-25.50,0.00,-25.50,,signal_exit\n" +
        "SBIN,long,2025-01-02T09:15:00+05:30,1000.00,2025-01-10T09:15:00+05:30,1000.10,10,1.00,0.00,1.00,,signal_exit\n" +
        "TCS,long,2025-01-02T09:15:00+05:30,1000.00,2025-01-20T09:15:00+05:30,1005.00,10,50.00,0.00,50.00,,signal_exit\n",
    );
  });

  it("is the header alone when no trade has closed", () => {
    expect(exportTradesCsv([])).toBe("symbol,side,entryTime,entryPrice,exitTime,exitPrice,qty,gross,charges,net,r,exitReason\n");
  });
});
