/**
 * Prices from the Angel One broker against the SmartAPI stand-in: quotes in
 * batches of 50 under the rate limit the stand-in enforces, and candles that
 * equal the shipped data in every timeframe (daily, weekly, 75-minute built
 * from 15-minute bars, 1-minute across request windows).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AngelOneBroker } from "../../../src/engine/execution/angelone/angel-broker.js";
import { aggregate75m, aggregateWeekly } from "../../../src/engine/market/aggregate.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { loadBankNifty75m, loadShippedDaily, shippedSymbols } from "../../../src/engine/market/shipped-data.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { startSmartApiStandIn, type SmartApiStandIn } from "../../stand-ins/smartapi/server.js";
import { standInBroker } from "../../stand-ins/smartapi/broker.js";

let standIn: SmartApiStandIn;
let broker: AngelOneBroker;

const plain = (bars: readonly Candle[]) => bars.map((b) => ({ ...b, time: b.time.toISOString() }));
const quoteCalls = (): number => standIn.requests.filter((r) => r.path.endsWith("/quote")).length;

beforeAll(async () => {
  standIn = await startSmartApiStandIn();
  standIn.market.now = fromIst("2025-11-21", "10:00");
  broker = standInBroker(standIn, { live: false });
  await broker.connect();
});

afterAll(async () => {
  await broker.close();
  expect(standIn.errors).toEqual([]);
  await standIn.close();
});

describe("quotes", () => {
  it("carry the LTP, the day's range and the previous close, in paise", async () => {
    standIn.market.tick("SBIN", 80_000, fromIst("2025-11-21", "10:00"));
    standIn.market.tick("SBIN", 81_000, fromIst("2025-11-21", "10:01"));
    standIn.market.tick("SBIN", 79_500, fromIst("2025-11-21", "10:02"));
    standIn.market.tick("SBIN", 80_500, fromIst("2025-11-21", "10:03"));
    const [q] = await broker.quotes(["SBIN"]);
    expect(q).toEqual({ symbol: "SBIN", ltp: 80_500, open: 80_000, high: 81_000, low: 79_500, close: 80_000, at: standIn.market.now });
  });

  it("more than 50 symbols go out in batches of at most 50 tokens", async () => {
    const symbols = [...shippedSymbols(), "BANKNIFTY", "NIFTY28OCT25FUT", "BANKNIFTY25NOV2557000CE"];
    symbols.forEach((s, i) => standIn.market.tick(s, 10_000 + i * 100));
    const before = quoteCalls();
    const quotes = await broker.quotes(symbols);
    expect(quoteCalls() - before).toBe(2);
    expect(quotes.map((q) => q.symbol).sort()).toEqual([...symbols].sort());
    expect(quotes.find((q) => q.symbol === "BANKNIFTY")!.ltp).toBe(10_000 + 50 * 100);
  });

  it("a burst of 60 quote calls waits for the rate limit instead of drawing a single 403", async () => {
    standIn.market.tick("RELIANCE", 140_000);
    const before = quoteCalls();
    const results = await Promise.all(Array.from({ length: 60 }, () => broker.quotes(["RELIANCE"])));
    expect(results.every((r) => r.length === 1 && r[0]!.ltp === 140_000)).toBe(true);
    expect(quoteCalls() - before).toBe(60);
  });
});

describe("candles", () => {
  it("RELIANCE daily bars equal the shipped CSV", async () => {
    const csv = loadShippedDaily(undefined, ["RELIANCE"]).candles;
    const got = await broker.candles("RELIANCE", "1d", csv[0]!.time, csv.at(-1)!.time);
    expect(got).toHaveLength(1241);
    expect(plain(got)).toEqual(plain(csv));
  });

  it("RELIANCE weekly bars are the CSV's weeks", async () => {
    const csv = loadShippedDaily(undefined, ["RELIANCE"]).candles;
    const got = await broker.candles("RELIANCE", "1w", csv[0]!.time, csv.at(-1)!.time);
    expect(plain(got)).toEqual(plain(aggregateWeekly(csv)));
  });

  it("a range of days takes the days it covers", async () => {
    const got = await broker.candles("RELIANCE", "1d", fromIst("2025-09-01"), fromIst("2025-09-05", "23:59"));
    expect(got.map((b) => b.time)).toEqual(["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04", "2025-09-05"].map((d) => fromIst(d, "09:15")));
  });

  it("BANKNIFTY 75-minute bars, built from 15-minute ones over several request windows, equal the shipped file", async () => {
    const file = loadBankNifty75m().candles;
    const before = standIn.requests.filter((r) => r.path.endsWith("/getCandleData")).length;
    const got = await broker.candles("BANKNIFTY", "75m", file[0]!.time, file.at(-1)!.time);
    const windows = standIn.requests.filter((r) => r.path.endsWith("/getCandleData")).length - before;
    // 2021-01-01 .. 2023-01-31 is 761 days: four 200-day windows of FIFTEEN_MINUTE.
    expect(windows).toBe(4);
    expect(plain(got)).toEqual(plain(file));
  });

  it("BANKNIFTY 1-minute bars across two 30-day windows have no gap and no double at the seam", async () => {
    const from = fromIst("2022-03-01", "09:15");
    const to = fromIst("2022-04-14", "15:29");
    const got = await broker.candles("BANKNIFTY", "1m", from, to);
    const times = got.map((b) => b.time.getTime());
    expect(new Set(times).size).toBe(times.length);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const file = loadBankNifty75m().candles.filter((b) => b.time >= from && b.time <= to);
    expect(plain(aggregate75m(got))).toEqual(plain(file));
  });
});
