// Drives the real smartapi-javascript client against the stand-in (no mocks of the client).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BANKNIFTY_75M_FILE, NIFTY50_DIR, shippedSymbols } from "../../../src/engine/market/shipped-data.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { type Answer, loadSmartApi, type SmartApiClient, type SmartApiConstructor } from "./client.js";
import { Faults } from "./faults.js";
import type { ScripRecord } from "./scrip-master.js";
import { type SmartApiStandIn, STANDIN_CREDENTIALS, startSmartApiStandIn } from "./server.js";

type Row = Record<string, unknown>;

let SmartAPI: SmartApiConstructor;
let restore: () => void;
let api: SmartApiStandIn;

const RELIANCE = { tradingsymbol: "RELIANCE-EQ", symboltoken: "2885", exchange: "NSE" };
const NIFTY_FUT = { tradingsymbol: "NIFTY28OCT25FUT", symboltoken: "52168", exchange: "NFO" };

function totp(): string {
  return new TOTP({ secret: Secret.fromBase32(STANDIN_CREDENTIALS.totpSecret), digits: 6, period: 30 }).generate();
}

/** A code that is none of the previous, current and next step's. */
function wrongTotp(): string {
  const t = new TOTP({ secret: Secret.fromBase32(STANDIN_CREDENTIALS.totpSecret), digits: 6, period: 30 });
  const step = Math.floor(Date.now() / 30_000);
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => t.generate({ timestamp: (step + d) * 30_000 })));
  let n = 0;
  while (valid.has(String(n).padStart(6, "0"))) n += 1;
  return String(n).padStart(6, "0");
}

/** A second client on the same session with a short timeout, for faults that hold the request. */
function impatient(c: SmartApiClient): SmartApiClient {
  return new SmartAPI({ api_key: STANDIN_CREDENTIALS.apiKey, root: api.url, timeout: 300, access_token: c.access_token! });
}

function client(): SmartApiClient {
  return new SmartAPI({ api_key: STANDIN_CREDENTIALS.apiKey, root: api.url });
}

async function loggedIn(): Promise<SmartApiClient> {
  const c = client();
  const r = await c.generateSession(STANDIN_CREDENTIALS.clientCode, STANDIN_CREDENTIALS.pin, totp());
  expect(r.status).toBe(true);
  return c;
}

function rows(a: Answer): Row[] {
  expect(a.status).toBe(true);
  return (a.data ?? []) as Row[];
}

function data(a: Answer): Row {
  expect(a.status).toBe(true);
  return a.data as Row;
}

function order(fields: Row): Row {
  return { variety: "NORMAL", ...RELIANCE, transactiontype: "BUY", ordertype: "MARKET", producttype: "DELIVERY", duration: "DAY", price: "0", quantity: "10", ...fields };
}

async function bookRow(c: SmartApiClient, orderid: unknown): Promise<Row> {
  const row = rows(await c.getOrderBook()).find((r) => r.orderid === orderid);
  expect(row, `order ${String(orderid)} in the book`).toBeDefined();
  return row!;
}

beforeAll(() => {
  ({ SmartAPI, restore } = loadSmartApi());
});

afterAll(() => restore());

beforeEach(async () => {
  api = await startSmartApiStandIn({ rateLimits: false });
  api.market.now = fromIst("2025-01-06", "10:00");
});

afterEach(async () => {
  expect(api.errors).toEqual([]);
  await api.close();
});

describe("session", () => {
  it("logs in with the PIN and a TOTP, then reads the profile and funds", async () => {
    const c = client();
    const login = await c.generateSession(STANDIN_CREDENTIALS.clientCode, STANDIN_CREDENTIALS.pin, totp());
    expect(login).toMatchObject({ status: true, message: "SUCCESS", errorcode: "" });
    const tokens = login.data as Row;
    expect(tokens.jwtToken).toMatch(/^eyJ/);
    expect(typeof tokens.refreshToken).toBe("string");
    expect(api.sessions.checkFeedToken(tokens.feedToken as string)).toBe(true);
    expect(c.access_token).toBe(tokens.jwtToken);

    expect(data(await c.getProfile())).toMatchObject({ clientcode: STANDIN_CREDENTIALS.clientCode, brokerid: "B2C" });
    expect(data(await c.getRMS())).toMatchObject({ availablecash: "1000000.0000", net: "1000000.0000", utiliseddebits: "0.0000" });

    const loginCall = api.requests.find((r) => r.path.endsWith("/loginByPassword"));
    expect(loginCall?.body).toMatchObject({ clientcode: STANDIN_CREDENTIALS.clientCode, password: "[redacted]" });
  });

  it("refuses a wrong TOTP with AB1050 and a wrong PIN with AB1007", async () => {
    const c = client();
    const badTotp = await c.generateSession(STANDIN_CREDENTIALS.clientCode, STANDIN_CREDENTIALS.pin, wrongTotp());
    expect(badTotp).toMatchObject({ status: false, errorcode: "AB1050" });
    const badPin = await c.generateSession(STANDIN_CREDENTIALS.clientCode, "9999", totp());
    expect(badPin).toMatchObject({ status: false, errorcode: "AB1007" });
    expect(c.access_token).toBeNull();
  });

  it("answers a secure call without a token AG8003, with a wrong API key AG8004", async () => {
    expect(await client().getProfile()).toEqual({ success: false, message: "Token missing", errorCode: "AG8003", data: "" });
    const c = await loggedIn();
    const wrongKey = new SmartAPI({ api_key: "not-the-key", root: api.url, access_token: c.access_token! });
    expect(await wrongKey.getProfile()).toMatchObject({ success: false, errorCode: "AG8004" });
  });

  it("fires the session-expiry hook when the JWT has expired, and a refresh gets a new one", async () => {
    const c = await loggedIn();
    let expired = 0;
    c.setSessionExpiryHook(() => (expired += 1));
    api.sessions.expireAll();
    expect(await c.getProfile()).toEqual({ success: false, message: "Invalid Token", errorCode: "AG8001", data: "" });
    expect(expired).toBe(1);
    const refreshed = await c.generateToken(c.refresh_token!);
    expect(refreshed.status).toBe(true);
    expect(data(await c.getProfile()).clientcode).toBe(STANDIN_CREDENTIALS.clientCode);
    expect(await c.generateToken("not-a-refresh-token")).toMatchObject({ status: false, errorcode: "AB8050" });
  });

  it("logs out: the token no longer works", async () => {
    const c = await loggedIn();
    expect(await c.logout(STANDIN_CREDENTIALS.clientCode)).toMatchObject({ status: true });
    expect(await c.getProfile()).toMatchObject({ errorCode: "AG8001" });
  });
});

describe("orders", () => {
  it("fills a tagged market order at once: order book, trade book, details, positions and cash agree", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    const placed = data(await c.placeOrder(order({ ordertag: "D0001" })));
    expect(placed).toMatchObject({ script: "RELIANCE-EQ" });
    expect(placed.orderid).toMatch(/^250106\d{9}$/);

    const row = await bookRow(c, placed.orderid);
    expect(row).toMatchObject({
      ordertag: "D0001",
      status: "complete",
      orderstatus: "complete",
      transactiontype: "BUY",
      ordertype: "MARKET",
      producttype: "DELIVERY",
      quantity: "10",
      filledshares: "10",
      unfilledshares: "0",
      averageprice: 1290.3,
      price: 0,
      uniqueorderid: placed.uniqueorderid,
      updatetime: "06-Jan-2025 10:00:00",
      exchtime: "06-Jan-2025 10:00:00",
      text: "",
    });

    const fills = rows(await c.getTradeBook());
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ orderid: placed.orderid, fillsize: "10", fillprice: "1290.30", tradevalue: "12903.00", filltime: "10:00:00", tradingsymbol: "RELIANCE-EQ" });

    expect(data(await c.indOrderDetails(placed.uniqueorderid as string))).toMatchObject({ orderid: placed.orderid, status: "complete" });
    expect(await c.indOrderDetails(placed.orderid as string)).toMatchObject({ status: false, errorcode: "AB1007" });

    expect(rows(await c.getPosition())[0]).toMatchObject({ tradingsymbol: "RELIANCE-EQ", producttype: "DELIVERY", netqty: "10", buyqty: "10", buyavgprice: "1290.30", netprice: "1290.30" });
    expect(data(await c.getRMS()).availablecash).toBe("987097.0000");
  });

  it("answers data null for an empty order book, trade book and positions", async () => {
    const c = await loggedIn();
    expect(await c.getOrderBook()).toMatchObject({ status: true, data: null });
    expect(await c.getTradeBook()).toMatchObject({ status: true, data: null });
    expect(await c.getPosition()).toMatchObject({ status: true, data: null });
  });

  it("fills a limit buy on a later tick at or below its price, at that tick's price", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    const { orderid } = data(await c.placeOrder(order({ ordertype: "LIMIT", price: "1285.00", ordertag: "L1" })));
    expect(await bookRow(c, orderid)).toMatchObject({ status: "open", price: 1285, filledshares: "0", unfilledshares: "10" });
    api.market.tick("RELIANCE", 128_600, fromIst("2025-01-06", "10:05"));
    expect((await bookRow(c, orderid)).status).toBe("open");
    api.market.tick("RELIANCE", 128_450, fromIst("2025-01-06", "10:07"));
    expect(await bookRow(c, orderid)).toMatchObject({ status: "complete", averageprice: 1284.5, updatetime: "06-Jan-2025 10:07:00" });
    expect(rows(await c.getTradeBook())[0]).toMatchObject({ fillprice: "1284.50", filltime: "10:07:00" });
  });

  it("triggers a stop-loss market sell when the LTP falls to its trigger and fills at that LTP", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    const sl = order({ variety: "STOPLOSS", ordertype: "STOPLOSS_MARKET", transactiontype: "SELL", triggerprice: "1280.00", quantity: "5", ordertag: "S1" });
    const { orderid } = data(await c.placeOrder(sl));
    expect(await bookRow(c, orderid)).toMatchObject({ status: "trigger pending", triggerprice: 1280 });
    api.market.tick("RELIANCE", 128_100);
    expect((await bookRow(c, orderid)).status).toBe("trigger pending");
    api.market.tick("RELIANCE", 127_900);
    expect(await bookRow(c, orderid)).toMatchObject({ status: "complete", averageprice: 1279, filledshares: "5" });

    expect(await c.placeOrder({ ...sl, variety: "NORMAL" })).toMatchObject({ status: false, errorcode: "AB1008" });
    const above = data(await c.placeOrder({ ...sl, triggerprice: "1290.00" }));
    expect(await bookRow(c, above.orderid)).toMatchObject({ status: "rejected", text: expect.stringContaining("below the last traded price") });
  });

  it("fills part of a market order under faults.partial, the rest at the next tick", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    api.faults.partial(0.4);
    const { orderid } = data(await c.placeOrder(order({ ordertag: "P1" })));
    expect(await bookRow(c, orderid)).toMatchObject({ status: "open", filledshares: "4", unfilledshares: "6", averageprice: 1290.3 });
    api.market.tick("RELIANCE", 129_100);
    expect(await bookRow(c, orderid)).toMatchObject({ status: "complete", filledshares: "10", averageprice: 1290.72 });
    expect(rows(await c.getTradeBook()).map((t) => [t.fillsize, t.fillprice])).toEqual([
      ["4", "1290.30"],
      ["6", "1291.00"],
    ]);
  });

  it("cancels and modifies working orders", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    const a = data(await c.placeOrder(order({ ordertype: "LIMIT", price: "1200.00", ordertag: "C1" })));
    expect(data(await c.cancelOrder({ variety: "NORMAL", orderid: a.orderid }))).toEqual({ orderid: a.orderid, uniqueorderid: a.uniqueorderid });
    expect(await bookRow(c, a.orderid)).toMatchObject({ status: "cancelled", cancelsize: "10" });
    expect(await c.cancelOrder({ variety: "NORMAL", orderid: a.orderid })).toMatchObject({ status: false, errorcode: "AB2000" });
    expect(await c.cancelOrder({ variety: "NORMAL", orderid: "999" })).toMatchObject({ status: false, errorcode: "AB1013" });

    const b = data(await c.placeOrder(order({ ordertype: "LIMIT", price: "1200.00", ordertag: "M1" })));
    const modify = { variety: "NORMAL", orderid: b.orderid, ordertype: "LIMIT", producttype: "DELIVERY", duration: "DAY", ...RELIANCE };
    expect(data(await c.modifyOrder({ ...modify, price: "1210.00", quantity: "20" }))).toMatchObject({ orderid: b.orderid });
    expect(await bookRow(c, b.orderid)).toMatchObject({ status: "open", price: 1210, quantity: "20" });
    expect(await c.modifyOrder({ ...modify, price: "1210.05", quantity: "20" })).toMatchObject({ status: false, errorcode: "AB2000" });
    await c.modifyOrder({ ...modify, price: "1295.00", quantity: "20" });
    expect(await bookRow(c, b.orderid)).toMatchObject({ status: "complete", averageprice: 1290.3, filledshares: "20" });
  });

  it("refuses malformed orders with SmartAPI's codes and puts broker-refused ones in the book as rejected", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    expect(await c.placeOrder(order({ ordertag: "X".repeat(21) }))).toMatchObject({ status: false, errorcode: "AB4008", data: null });
    expect(await c.placeOrder(order({ symboltoken: "424242" }))).toMatchObject({ status: false, errorcode: "AB1009" });
    expect(await c.placeOrder(order({ quantity: "0" }))).toMatchObject({ status: false, errorcode: "AB2000" });
    expect(await c.placeOrder(order({ producttype: "CNC" }))).toMatchObject({ status: false, errorcode: "AB1012" });
    expect(await c.placeOrder(order({ variety: "ROBO" }))).toMatchObject({ status: false, errorcode: "AB2002" });
    expect(api.market.orders()).toHaveLength(0);

    const rejected = async (fields: Row): Promise<Row> => bookRow(c, data(await c.placeOrder(order(fields))).orderid);
    api.market.tick(NIFTY_FUT.tradingsymbol, 2_450_000);
    expect(await rejected({ ...NIFTY_FUT, producttype: "CARRYFORWARD", quantity: "10" })).toMatchObject({ status: "rejected", text: expect.stringContaining("lot size 75"), exchtime: "" });
    expect(await rejected({ ordertype: "LIMIT", price: "1290.35" })).toMatchObject({ status: "rejected", text: expect.stringContaining("tick size") });
    expect(await rejected({ quantity: "1000" })).toMatchObject({ status: "rejected", text: expect.stringContaining("Insufficient Funds") });
    expect(await rejected({ tradingsymbol: "SBIN-EQ", symboltoken: "3045" })).toMatchObject({ status: "rejected", text: expect.stringContaining("No price") });
    expect(api.market.trades()).toHaveLength(0);
    expect(api.market.cash).toBe(100_000_000);
  });

  it("closes a position by hand: an untagged market order the other way", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    await c.placeOrder(order({ ordertag: "H1" }));
    api.market.tick("RELIANCE", 130_000);
    const [byHand] = api.market.closePositionByHand("RELIANCE");
    expect(byHand).toMatchObject({ ordertag: "", transactiontype: "SELL", quantity: 10, status: "complete", byHand: true });
    const book = rows(await c.getOrderBook());
    expect(book.map((r) => [r.ordertag, r.transactiontype, r.status])).toEqual([
      ["H1", "BUY", "complete"],
      ["", "SELL", "complete"],
    ]);
    expect(rows(await c.getPosition())[0]).toMatchObject({ netqty: "0", buyqty: "10", sellqty: "10" });
    expect(() => api.market.closePositionByHand("RELIANCE")).toThrow(/no open position/);
  });

  it("settles delivery buys into holdings the next day and cancels DAY orders left working", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    await c.placeOrder(order({ ordertag: "H2" }));
    const open = data(await c.placeOrder(order({ ordertype: "LIMIT", price: "1200.00", ordertag: "H3" })));
    api.market.now = fromIst("2025-01-07", "09:20");
    expect(await c.getOrderBook()).toMatchObject({ data: null });
    expect(api.market.order(open.orderid as string)).toMatchObject({ status: "cancelled" });
    expect(rows(await c.getHolding())[0]).toMatchObject({ tradingsymbol: "RELIANCE-EQ", quantity: 10, averageprice: 1290.3, product: "DELIVERY" });
    expect(data(await c.getAllHolding()).totalholding).toMatchObject({ totalinvvalue: 12903 });
  });

  it("calls hooks when the order is in the book but the answer is not yet sent", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    const seen: string[] = [];
    api.on("placeOrder", "received", () => void seen.push(`received:${api.market.orders().length}`));
    api.on("placeOrder", "accepted", (body) => void seen.push(`accepted:${api.market.orders().length}:${(body as Row).ordertag as string}`));
    api.on("placeOrder", "answered", () => void seen.push("answered"));
    await c.placeOrder(order({ ordertag: "K1" }));
    expect(seen).toEqual(["received:0", "accepted:1:K1", "answered"]);
  });
});

describe("faults as the client sees them", () => {
  it("timeout and drop come back as {} and change nothing", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    api.faults.next("placeOrder", "timeout");
    expect(await impatient(c).placeOrder(order({ ordertag: "T1" }))).toEqual({});
    api.faults.next("placeOrder", "drop");
    expect(await c.placeOrder(order({ ordertag: "T2" }))).toEqual({});
    expect(api.market.orders()).toHaveLength(0);
    expect(api.faults.served.map((f) => f.kind)).toEqual(["timeout", "drop"]);
    expect(data(await c.getProfile()).clientcode).toBe(STANDIN_CREDENTIALS.clientCode);
  });

  it("dropAfterAccept and timeoutAfterAccept also come back as {}, but the order is in the book under its tag", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    api.faults.next("placeOrder", "dropAfterAccept");
    expect(await c.placeOrder(order({ ordertag: "A1" }))).toEqual({});
    api.faults.next("placeOrder", "timeoutAfterAccept");
    expect(await impatient(c).placeOrder(order({ ordertag: "A2" }))).toEqual({});
    const book = rows(await c.getOrderBook());
    expect(book.map((r) => [r.ordertag, r.status])).toEqual([
      ["A1", "complete"],
      ["A2", "complete"],
    ]);
  });

  it("5xx and rate limit come back as {status, message}; expiredToken as AG8001 with the hook fired", async () => {
    const c = await loggedIn();
    api.faults.next("getProfile", "5xx").next("getProfile", "5xx", 1, { status: 502 }).next("getProfile", "rateLimit").next("getProfile", "expiredToken");
    expect(await c.getProfile()).toEqual({ status: 503, message: "Service Unavailable" });
    expect(await c.getProfile()).toEqual({ status: 502, message: "Bad Gateway" });
    expect(await c.getProfile()).toEqual({ status: 403, message: "Forbidden" });
    let fired = 0;
    c.setSessionExpiryHook(() => (fired += 1));
    expect(await c.getProfile()).toMatchObject({ success: false, errorCode: "AG8001" });
    expect(fired).toBe(1);
    expect(data(await c.getProfile()).clientcode).toBe(STANDIN_CREDENTIALS.clientCode);
  });

  it("random faults are the same for the same seed", async () => {
    const draw = (seed: number): Array<string | null> => {
      const f = new Faults().random({ rate: 0.3, seed, paths: ["getOrderBook"] });
      return Array.from({ length: 40 }, (_, i) => f.take(i % 2 ? "/rest/secure/angelbroking/order/v1/getOrderBook" : "/rest/x/getProfile")?.kind ?? null);
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    expect(a.filter((_, i) => i % 2 === 0).every((k) => k === null)).toBe(true);
    expect(a.filter((k) => k !== null).length).toBeGreaterThan(0);

    const c = await loggedIn();
    api.faults.random({ rate: 1, seed: 1, kinds: ["5xx"], paths: ["getRMS"] });
    expect(await c.getRMS()).toEqual({ status: 503, message: "Service Unavailable" });
    expect(data(await c.getProfile()).clientcode).toBe(STANDIN_CREDENTIALS.clientCode);
    api.faults.clear();
    expect(data(await c.getRMS()).availablecash).toBe("1000000.0000");
  });
});

describe("rate limits", () => {
  it("answers 403 past an endpoint's per-second count, and lets calls through again a second later", async () => {
    await api.close();
    let now = 1_000_000;
    api = await startSmartApiStandIn({ rateLimitClock: () => now });
    const c = await loggedIn();
    expect(await c.generateSession(STANDIN_CREDENTIALS.clientCode, STANDIN_CREDENTIALS.pin, totp())).toEqual({ status: 403, message: "Forbidden" });
    expect((await c.getOrderBook()).status).toBe(true);
    expect(await c.getOrderBook()).toEqual({ status: 403, message: "Forbidden" });
    const profiles = await Promise.all([1, 2, 3, 4].map(() => c.getProfile()));
    expect(profiles.filter((p) => p.status === 403)).toHaveLength(1);
    const orders = await Promise.all(Array.from({ length: 21 }, (_, i) => c.placeOrder(order({ ordertag: `R${i}` }))));
    expect(orders.filter((o) => o.status === 403)).toHaveLength(1);
    now += 1000;
    expect((await c.getOrderBook()).status).toBe(true);
  });
});

describe("GTT", () => {
  it("creates, lists, cancels and triggers rules", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_030);
    const rule = { ...RELIANCE, transactiontype: "SELL", producttype: "DELIVERY", price: "1249.00", qty: "5", triggerprice: "1250.00", disclosedqty: "0", timeperiod: "365" };
    const { id } = data(await c.createRule(rule));
    const other = data(await c.createRule({ ...rule, triggerprice: "1200.00", price: "1199.00" }));
    expect(data(await c.ruleDetails({ id }))).toMatchObject({ id, status: "NEW", triggerprice: 1250, price: 1249, qty: 5, clientid: STANDIN_CREDENTIALS.clientCode });
    expect(rows(await c.ruleList({ status: ["NEW"], page: 1, count: 10 })).map((r) => r.id)).toEqual([id, other.id]);

    expect(data(await c.modifyRule({ id: other.id, ...RELIANCE, price: "1198.00", qty: "10", triggerprice: "1199.00", disclosedqty: "0", timeperiod: "30" }))).toEqual({ id: other.id });
    expect(data(await c.ruleDetails({ id: other.id }))).toMatchObject({ price: 1198, qty: 10, triggerprice: 1199, status: "NEW" });
    expect(data(await c.cancelRule({ id: other.id, ...RELIANCE }))).toEqual({ id: other.id });
    expect(await c.modifyRule({ id: other.id, ...RELIANCE, price: "1198.00", qty: "10", triggerprice: "1199.00" })).toMatchObject({ status: false, errorcode: "AB9013" });
    expect(rows(await c.ruleList({ status: ["CANCELLED"], page: 1, count: 10 })).map((r) => r.id)).toEqual([other.id]);

    api.market.tick("RELIANCE", 126_000);
    expect(await c.getOrderBook()).toMatchObject({ data: null });
    api.market.tick("RELIANCE", 125_000);
    expect(data(await c.ruleDetails({ id })).status).toBe("SENTTOEXCHANGE");
    const [sent] = rows(await c.getOrderBook());
    expect(sent).toMatchObject({ transactiontype: "SELL", ordertype: "LIMIT", price: 1249, quantity: "5", status: "complete", averageprice: 1250, ordertag: "" });

    expect(await c.createRule({ ...rule, ...NIFTY_FUT })).toMatchObject({ status: false, errorcode: "AB9010" });
    expect(await c.createRule({ ...rule, triggerprice: "1250.03" })).toMatchObject({ status: false, errorcode: "AB9009" });
    expect(await c.ruleList({ status: [], page: 1, count: 10 })).toMatchObject({ status: false, errorcode: "AB9004" });
  });
});

describe("market data", () => {
  it("serves RELIANCE's daily candle for a date exactly as the shipped CSV has it", async () => {
    const c = await loggedIn();
    const csv = readFileSync(join(NIFTY50_DIR, "RELIANCE.csv"), "utf8").split("\n").find((l) => l.startsWith("2024-01-02"))!;
    const [, o, h, l, cl, v] = csv.split(",");
    const got = rows(await c.getCandleData({ exchange: "NSE", symboltoken: "2885", interval: "ONE_DAY", fromdate: "2024-01-02 09:15", todate: "2024-01-02 15:30" }));
    expect(got).toEqual([["2024-01-02T00:00:00+05:30", Number(o), Number(h), Number(l), Number(cl), Number(v)]]);
    const week = rows(await c.getCandleData({ exchange: "NSE", symboltoken: "2885", interval: "ONE_DAY", fromdate: "2024-01-01 00:00", todate: "2024-01-05 23:59" }));
    expect(week.map((r) => (r as unknown as string[])[0]!.slice(0, 10))).toEqual(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]);
    expect(await c.getCandleData({ exchange: "NSE", symboltoken: "2885", interval: "TWO_DAY", fromdate: "2024-01-02 09:15", todate: "2024-01-02 15:30" })).toMatchObject({ status: false });
  });

  it("serves Nifty Bank FIFTEEN_MINUTE bars that rebuild the shipped 75-minute bars exactly", async () => {
    const c = await loggedIn();
    const got = rows(await c.getCandleData({ exchange: "NSE", symboltoken: "99926009", interval: "FIFTEEN_MINUTE", fromdate: "2021-01-01 09:15", todate: "2021-01-01 15:30" })) as unknown as Array<[string, number, number, number, number, number]>;
    expect(got).toHaveLength(25);
    const shipped = readFileSync(BANKNIFTY_75M_FILE, "utf8").split("\n").filter((l) => l.startsWith("2021-01-01"));
    expect(shipped).toHaveLength(5);
    shipped.forEach((line, k) => {
      const [t, o, h, l, cl] = line.split(",");
      const five = got.slice(k * 5, k * 5 + 5);
      expect(five[0]![0]).toBe(t);
      expect([five[0]![1], Math.max(...five.map((b) => b[2])), Math.min(...five.map((b) => b[3])), five[4]![4]]).toEqual([Number(o), Number(h), Number(l), Number(cl)]);
      for (const b of five) expect(b[3]).toBeLessThanOrEqual(Math.min(b[1], b[4]));
    });
  });

  it("quotes LTP, OHLC and FULL from the market's ticks", async () => {
    const c = await loggedIn();
    api.market.tick("RELIANCE", 129_000, undefined, 100);
    api.market.tick("RELIANCE", 131_000, undefined, 50);
    api.market.tick("RELIANCE", 130_000, undefined, 50);
    const ltp = data(await c.marketData({ mode: "LTP", exchangeTokens: { NSE: ["2885", "3045"] } }));
    expect(ltp.fetched).toEqual([{ exchange: "NSE", tradingSymbol: "RELIANCE-EQ", symbolToken: "2885", ltp: 1300 }]);
    expect(ltp.unfetched).toMatchObject([{ exchange: "NSE", symbolToken: "3045" }]);
    const ohlc = data(await c.marketData({ mode: "OHLC", exchangeTokens: { NSE: ["2885"] } }));
    expect((ohlc.fetched as Row[])[0]).toMatchObject({ open: 1290, high: 1310, low: 1290, ltp: 1300 });
    const full = (data(await c.marketData({ mode: "FULL", exchangeTokens: { NSE: ["2885"] } })).fetched as Row[])[0]!;
    expect(full).toMatchObject({ tradeVolume: 200, lastTradeQty: 50, avgPrice: 1297.5 });
    expect((full.depth as { buy: unknown[] }).buy).toHaveLength(5);
  });

  it("searches scrips and serves the scrip master with a row for every shipped symbol", async () => {
    const c = await loggedIn();
    const hits = (await c.searchScrip({ exchange: "NSE", searchscrip: "RELIANCE" })) as Row[];
    expect(hits).toEqual([{ exchange: "NSE", tradingsymbol: "RELIANCE-EQ", symboltoken: "2885" }]);

    api.faults.next("OpenAPIScripMaster.json", "5xx");
    expect((await fetch(api.scripMasterUrl)).status).toBe(503);
    const master = (await (await fetch(api.scripMasterUrl)).json()) as ScripRecord[];
    expect(master.slice(0, 35)).toEqual(JSON.parse(readFileSync(join(NIFTY50_DIR, "..", "instruments", "scrip_master_sample.json"), "utf8")));
    const nse = new Set(master.filter((r) => r.exch_seg === "NSE").map((r) => r.symbol));
    for (const s of shippedSymbols()) expect(nse.has(`${s}-EQ`), s).toBe(true);
    expect(new Set(master.map((r) => r.token)).size).toBe(master.length);
    expect(master.find((r) => r.symbol === "TATASTEEL-EQ")?.tick_size).toBe("1.000000");
  });
});
