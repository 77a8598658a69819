import { describe, expect, it } from "vitest";
import { orderStatus, parseAngelTime, toBrokerOrder, toBrokerPosition, toBrokerTrade } from "../../../src/engine/execution/angelone/book-rows.js";
import { AngelInstruments } from "../../../src/engine/execution/angelone/instruments.js";
import { OrderRow, PositionRow, TradeRow } from "../../../src/engine/execution/angelone/schemas.js";
import { InstrumentMaster, loadScripMasterFile } from "../../../src/engine/market/instruments.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const instruments = new AngelInstruments(new InstrumentMaster(loadScripMasterFile().instruments));
const now = fromIst("2025-11-21", "12:00");

describe("parseAngelTime", () => {
  it("reads Angel's IST formats", () => {
    expect(parseAngelTime("21-Nov-2025 10:15:01", now)).toEqual(fromIst("2025-11-21", "10:15:01"));
    expect(parseAngelTime("2025-11-21 10:15:01", now)).toEqual(fromIst("2025-11-21", "10:15:01"));
    expect(parseAngelTime("10:15:01", now)).toEqual(fromIst("2025-11-21", "10:15:01"));
    expect(parseAngelTime("2025-11-21T04:45:01Z", now)).toEqual(fromIst("2025-11-21", "10:15:01"));
    expect(parseAngelTime("2025-11-21T10:15:01+05:30", now)).toEqual(fromIst("2025-11-21", "10:15:01"));
  });

  it("is null for what it cannot read", () => {
    for (const s of ["", "31-Foo-2025 10:00:00", "30-Feb-2025 10:00:00", "yesterday"]) expect(parseAngelTime(s, now)).toBeNull();
  });
});

describe("orderStatus", () => {
  const st = (status: string, quantity = 10, filledshares = 0) => orderStatus({ status, orderstatus: "", quantity, filledshares });

  it("maps Angel's words", () => {
    expect(st("complete", 10, 10)).toBe("filled");
    expect(st("trigger pending")).toBe("trigger_pending");
    for (const s of ["open", "open pending", "validation pending", "put order req received", "modify pending"]) expect(st(s)).toBe("open");
    expect(st("cancelled", 10, 4)).toBe("cancelled");
    expect(st("rejected")).toBe("rejected");
  });

  it("an open order with some shares filled is partially filled", () => {
    expect(st("open", 10, 4)).toBe("partially_filled");
    expect(st("open pending", 10, 9)).toBe("partially_filled");
  });

  it("an unknown word reads as still working", () => {
    expect(st("something new")).toBe("open");
  });
});

describe("rows", () => {
  it("an order row in our terms", () => {
    const row = OrderRow.parse({
      orderid: "251121000000007",
      variety: "STOPLOSS",
      ordertype: "STOPLOSS_MARKET",
      producttype: "CARRYFORWARD",
      transactiontype: "SELL",
      exchange: "NFO",
      tradingsymbol: "BANKNIFTY25NOV2557000CE",
      symboltoken: "52107",
      quantity: "70",
      filledshares: "0",
      price: 0,
      triggerprice: 180.5,
      averageprice: 0,
      status: "trigger pending",
      ordertag: "D1.2",
      text: "",
      updatetime: "21-Nov-2025 10:15:01",
    });
    expect(toBrokerOrder(row, instruments, now)).toEqual({
      brokerOrderId: "251121000000007",
      tag: "D1.2",
      symbol: "BANKNIFTY25NOV2557000CE",
      side: "sell",
      qty: 70,
      filledQty: 0,
      avgPrice: null,
      type: "stop",
      price: 18_050,
      product: "CARRYFORWARD",
      status: "trigger_pending",
      updatedAt: fromIst("2025-11-21", "10:15:01"),
    });
  });

  it("a rejected order keeps Angel's reason; an equity reads without -EQ", () => {
    const row = OrderRow.parse({
      orderid: "1",
      ordertype: "LIMIT",
      producttype: "DELIVERY",
      transactiontype: "BUY",
      exchange: "NSE",
      tradingsymbol: "RELIANCE-EQ",
      symboltoken: "2885",
      quantity: "1",
      price: 1380.55,
      status: "rejected",
      text: "price off the tick",
    });
    expect(toBrokerOrder(row, instruments, now)).toMatchObject({ symbol: "RELIANCE", status: "rejected", reason: "price off the tick", tag: null, price: 138_055, updatedAt: now });
  });

  it("a trade row takes its tag from its order when the row has none", () => {
    const row = TradeRow.parse({ orderid: "9", fillid: "50000001", exchange: "NSE", tradingsymbol: "SBIN-EQ", transactiontype: "BUY", fillprice: "812.35", fillsize: "3", filltime: "10:15:01" });
    expect(toBrokerTrade(row, instruments, now, (id) => (id === "9" ? "DX" : null))).toEqual({
      fillId: "9:50000001",
      brokerOrderId: "9",
      tag: "DX",
      symbol: "SBIN",
      side: "buy",
      qty: 3,
      price: 81_235,
      time: fromIst("2025-11-21", "10:15:01"),
    });
  });

  it("a position's average is Angel's net average price", () => {
    const row = PositionRow.parse({ exchange: "NSE", tradingsymbol: "SBIN-EQ", symboltoken: "3045", producttype: "INTRADAY", netqty: "-5", avgnetprice: "812.40", buyavgprice: "0.00", sellavgprice: "812.40" });
    expect(toBrokerPosition(row, instruments)).toEqual({ symbol: "SBIN", product: "INTRADAY", netQty: -5, avgPrice: 81_240 });
  });
});
