import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BrokerError, type OrderRequest } from "../../../src/engine/execution/broker.js";
import { AngelInstruments } from "../../../src/engine/execution/angelone/instruments.js";
import { checkRequest, checkTag, modifyParams, placeParams, rupees } from "../../../src/engine/execution/angelone/order-params.js";
import { quoteBatches } from "../../../src/engine/execution/angelone/quotes.js";
import { InstrumentMaster, loadScripMasterFile } from "../../../src/engine/market/instruments.js";
import { toPaise } from "../../../src/engine/money.js";

const instruments = new AngelInstruments(new InstrumentMaster(loadScripMasterFile().instruments));

describe("rupees", () => {
  it("writes paise as rupees with two decimals, exactly", () => {
    expect(rupees(0)).toBe("0.00");
    expect(rupees(5)).toBe("0.05");
    expect(rupees(138_050)).toBe("1380.50");
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (p) => toPaise(rupees(p)) === p));
  });

  it("refuses what is not whole paise", () => {
    expect(() => rupees(1.5)).toThrow(RangeError);
    expect(() => rupees(-1)).toThrow(RangeError);
  });
});

describe("our symbols", () => {
  it("resolve to Angel's instruments, and back", () => {
    expect(instruments.resolve("RELIANCE")).toMatchObject({ exchange: "NSE", token: "2885", tradingsymbol: "RELIANCE-EQ", lot: 1 });
    expect(instruments.resolve("BANKNIFTY")).toMatchObject({ exchange: "NSE", token: "99926009", tick: 0 });
    expect(instruments.resolve("NIFTY28OCT2524400CE")).toMatchObject({ exchange: "NFO", token: "58784", lot: 75 });
    expect(instruments.symbolOf("NSE", "2885", "RELIANCE-EQ")).toBe("RELIANCE");
    expect(instruments.symbolOf("NSE", "99926009", "Nifty Bank")).toBe("BANKNIFTY");
    expect(instruments.symbolOf("NSE", "123", "UNKNOWN-EQ")).toBe("UNKNOWN");
    expect(() => instruments.resolve("NOPE")).toThrow(BrokerError);
  });
});

describe("placeParams", () => {
  const reliance = instruments.resolve("RELIANCE");
  const option = instruments.resolve("NIFTY28OCT2524400CE");
  const base: OrderRequest = { clientOrderId: "D1", symbol: "RELIANCE", side: "buy", qty: 3, type: "market" };

  it("market: NORMAL/MARKET at price 0, DELIVERY for cash", () => {
    expect(placeParams(base, reliance, 3, "D1")).toEqual({
      variety: "NORMAL",
      tradingsymbol: "RELIANCE-EQ",
      symboltoken: "2885",
      transactiontype: "BUY",
      exchange: "NSE",
      ordertype: "MARKET",
      producttype: "DELIVERY",
      duration: "DAY",
      price: "0",
      squareoff: "0",
      stoploss: "0",
      quantity: "3",
      ordertag: "D1",
    });
  });

  it("stop: STOPLOSS/STOPLOSS_MARKET with the trigger from price; F&O defaults to CARRYFORWARD; product as asked", () => {
    const p = placeParams({ ...base, symbol: "NIFTY28OCT2524400CE", side: "sell", type: "stop", price: 12_345, qty: 75 }, option, 75, "D1.1");
    expect(p).toMatchObject({ variety: "STOPLOSS", ordertype: "STOPLOSS_MARKET", price: "0", triggerprice: "123.45", producttype: "CARRYFORWARD", exchange: "NFO", transactiontype: "SELL" });
    expect(placeParams({ ...base, product: "INTRADAY", type: "limit", price: 100_000 }, reliance, 3, "D1")).toMatchObject({ producttype: "INTRADAY", ordertype: "LIMIT", price: "1000.00" });
  });

  it("modify carries the order's shape with the change", () => {
    const shape = { variety: "STOPLOSS", type: "stop" as const, product: "DELIVERY" as const, qty: 5, price: 139_000, tradingsymbol: "RELIANCE-EQ", token: "2885", exchange: "NSE" };
    expect(modifyParams("42", shape, { price: 139_500 })).toEqual({
      variety: "STOPLOSS",
      orderid: "42",
      ordertype: "STOPLOSS_MARKET",
      producttype: "DELIVERY",
      duration: "DAY",
      price: "0",
      triggerprice: "1395.00",
      quantity: "5",
      tradingsymbol: "RELIANCE-EQ",
      symboltoken: "2885",
      exchange: "NSE",
    });
  });

  it("checks refuse before any call", () => {
    expect(() => checkRequest({ ...base, qty: 0 }, reliance)).toThrow(/positive whole number/);
    expect(() => checkRequest({ ...base, type: "limit" }, reliance)).toThrow(/needs a price/);
    expect(() => checkRequest({ ...base, symbol: "NIFTY28OCT2524400CE", qty: 50 }, option)).toThrow(/whole number of lots of 75/);
    expect(() => checkTag("x".repeat(20), "x")).not.toThrow();
    expect(() => checkTag("x".repeat(21), "x")).toThrow(/at most 20/);
  });
});

describe("quoteBatches", () => {
  it("at most 50 tokens a request, each instrument once, grouped by exchange", () => {
    const list = instruments.master.instruments.filter((i) => i.tick > 0).map((i) => instruments.resolve(i.kind === "equity" ? i.name : i.symbol));
    const many = [...list, ...list, ...list];
    const batches = quoteBatches(many, 10);
    const tokens = batches.flatMap((b) => Object.entries(b).flatMap(([ex, ts]) => ts.map((t) => `${ex}:${t}`)));
    expect(batches.every((b) => Object.values(b).flat().length <= 10)).toBe(true);
    expect(tokens).toHaveLength(list.length);
    expect(new Set(tokens).size).toBe(list.length);
  });
});
