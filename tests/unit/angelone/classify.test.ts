import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BrokerError } from "../../../src/engine/execution/broker.js";
import { interpret, type CallContext } from "../../../src/engine/execution/angelone/classify.js";
import { describeAngelCode, SessionExpiredError } from "../../../src/engine/execution/angelone/errors.js";
import { OrderBook, OrderPlaced } from "../../../src/engine/execution/angelone/schemas.js";

const write: CallContext = { what: "placeOrder", kind: "write" };
const read: CallContext = { what: "orderBook", kind: "read" };

function thrown(raw: unknown, ctx: CallContext, schema: z.ZodType = z.unknown()): BrokerError {
  try {
    interpret(raw, schema, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerError);
    return e as BrokerError;
  }
  throw new Error("expected a BrokerError");
}

describe("interpret", () => {
  it("a success envelope gives its data, checked", () => {
    const placed = interpret({ status: true, message: "SUCCESS", errorcode: "", data: { script: "SBIN-EQ", orderid: "251121000000001", uniqueorderid: "u-1" } }, OrderPlaced, write);
    expect(placed.orderid).toBe("251121000000001");
    expect(interpret({ status: true, data: null }, OrderBook, read)).toEqual([]);
  });

  it("no answer at all ({} or [] or nothing) may have gone through when it was a write; a read is just unavailable", () => {
    for (const raw of [{}, [], undefined, null, ""]) {
      expect(thrown(raw, write).kind).toBe("ambiguous");
      expect(thrown(raw, read).kind).toBe("unavailable");
    }
  });

  it("HTTP errors: 403/429 unavailable, 5xx ambiguous for a write and unavailable for a read, other 4xx rejected, 401 a session to renew", () => {
    expect(thrown({ status: 403, message: "Forbidden" }, write).kind).toBe("unavailable");
    expect(thrown({ status: 429, message: "Too Many Requests" }, read).kind).toBe("unavailable");
    expect(thrown({ status: 503, message: "Service Unavailable" }, write).kind).toBe("ambiguous");
    expect(thrown({ status: 502, message: "Bad Gateway" }, read).kind).toBe("unavailable");
    expect(thrown({ status: 400, message: "Bad Request" }, write).kind).toBe("rejected");
    expect(thrown({ status: 401, message: "Unauthorized" }, read)).toBeInstanceOf(SessionExpiredError);
  });

  it("an Angel refusal is rejected with the code in plain words; an unknown code passes through", () => {
    const e = thrown({ status: false, message: "Invalid totp", errorcode: "AB1050", data: null }, write);
    expect(e.kind).toBe("rejected");
    expect(e.code).toBe("AB1050");
    expect(e.message).toBe("placeOrder: refused: the TOTP code was wrong (AB1050: Invalid totp)");
    const u = thrown({ status: false, message: "Something new", errorcode: "AB7777", data: null }, write);
    expect(u.message).toBe("placeOrder: refused: Angel One error AB7777: Something new");
    expect(u.code).toBe("AB7777");
  });

  it("session codes, in either envelope, are a SessionExpiredError (unavailable: nothing happened)", () => {
    for (const code of ["AG8001", "AG8002", "AG8003"]) {
      const e = thrown({ success: false, message: "Invalid Token", errorCode: code, data: "" }, write);
      expect(e).toBeInstanceOf(SessionExpiredError);
      expect(e.kind).toBe("unavailable");
      expect(e.code).toBe(code);
    }
  });

  it("an envelope that speaks of the rate limit is unavailable", () => {
    expect(thrown({ status: false, message: "Access denied because of exceeding access rate", errorcode: "" }, write).kind).toBe("unavailable");
  });

  it("a success in an unexpected shape: ambiguous for a write (it may have gone through), unavailable for a read", () => {
    const w = thrown({ status: true, data: { script: "SBIN-EQ" } }, write, OrderPlaced);
    expect(w.kind).toBe("ambiguous");
    expect(w.message).toMatch(/orderid/);
    expect(thrown({ status: true, data: [{ orderid: "1" }] }, read, OrderBook).kind).toBe("unavailable");
  });

  it("numbers arrive as numbers or strings", () => {
    const row = {
      orderid: "1",
      transactiontype: "BUY",
      exchange: "NSE",
      tradingsymbol: "SBIN-EQ",
      symboltoken: "3045",
      quantity: "10",
      filledshares: "4",
      price: 812.5,
      averageprice: "811.95",
    };
    const [parsed] = interpret({ status: true, data: [row] }, OrderBook, read);
    expect(parsed).toMatchObject({ quantity: 10, filledshares: 4, price: 812.5, averageprice: 811.95, ordertag: "", status: "" });
  });
});

describe("describeAngelCode", () => {
  it("keeps the server's words when they add something", () => {
    expect(describeAngelCode("AB1007", "USER IS BLOCKED FOR TRADING")).toBe("Angel One's order system refused the request (AB1007: USER IS BLOCKED FOR TRADING)");
    expect(describeAngelCode("AB1013", "Order not found")).toBe("the order was not found (AB1013: Order not found)");
    expect(describeAngelCode("AB1050", "The TOTP code was wrong")).toBe("the TOTP code was wrong (AB1050)");
    expect(describeAngelCode("AB9999")).toBe("Angel One error AB9999");
  });
});
