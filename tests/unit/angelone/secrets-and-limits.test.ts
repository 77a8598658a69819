import { describe, expect, it } from "vitest";
import { BrokerError } from "../../../src/engine/execution/broker.js";
import { SessionExpiredError } from "../../../src/engine/execution/angelone/errors.js";
import { accountLimiter, ANGEL_RATE_LIMITS, RateLimiter } from "../../../src/engine/execution/angelone/rate-limits.js";
import { SecretBox } from "../../../src/engine/execution/angelone/secrets.js";

describe("SecretBox", () => {
  const box = new SecretBox();
  box.add("api-key-123", "JBSWY3DPEHPK3PXP", "eyJhbGciOi.payload.sig", "", null, "ab");

  it("masks every secret wherever it appears, and nothing else", () => {
    expect(box.redact("key api-key-123, jwt Bearer eyJhbGciOi.payload.sig; ab stays")).toBe("key ***, jwt Bearer ***; ab stays");
  });

  it("a wrapped logger masks the message and every field, nested ones too", () => {
    const seen: unknown[] = [];
    const log = box.wrap({ info: (m, f) => seen.push(m, f), warn: () => {}, error: () => {} });
    log.info("login with JBSWY3DPEHPK3PXP", { headers: { Authorization: "Bearer eyJhbGciOi.payload.sig" }, n: 3, err: new Error("api-key-123 refused") });
    expect(seen).toEqual(["login with ***", { headers: { Authorization: "Bearer ***" }, n: 3, err: "*** refused" }]);
  });

  it("an error keeps its kind, code and class with its message masked", () => {
    const e = box.redactError(new SessionExpiredError("token eyJhbGciOi.payload.sig is old", "AG8001")) as BrokerError;
    expect(e).toBeInstanceOf(SessionExpiredError);
    expect(e).toBeInstanceOf(BrokerError);
    expect([e.kind, e.code, e.message]).toEqual(["unavailable", "AG8001", "token *** is old"]);
  });
});

describe("RateLimiter", () => {
  it("never starts more calls of an endpoint than its cap in any rolling second, and runs them all", async () => {
    const limiter = new RateLimiter({ limits: { quote: { perSecond: 4 } }, marginMs: 20 });
    const starts: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limiter.run("quote", async () => {
          starts.push(Date.now());
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const s of starts) expect(starts.filter((t) => t >= s && t < s + 1000).length).toBeLessThanOrEqual(4);
  });

  it("has Angel's published per-second caps", () => {
    expect(ANGEL_RATE_LIMITS.placeOrder).toEqual({ perSecond: 20, perMinute: 500, perHour: 1000 });
    expect(ANGEL_RATE_LIMITS.orderBook.perSecond).toBe(1);
    expect(ANGEL_RATE_LIMITS.quote.perSecond).toBe(10);
    expect(ANGEL_RATE_LIMITS.candles.perSecond).toBe(3);
    expect(ANGEL_RATE_LIMITS.login.perSecond).toBe(1);
  });

  it("refuses a cap that is not a whole number of at least 1", () => {
    expect(() => new RateLimiter({ limits: { quote: { perSecond: 0 } } })).toThrow(/quote.perSecond/);
    expect(() => new RateLimiter({ limits: { candles: { perSecond: 3, perMinute: 1.5 } } })).toThrow(/candles.perMinute/);
  });

  it("brokers of one account share its queues; other accounts have their own", () => {
    expect(accountLimiter("root A1")).toBe(accountLimiter("root A1"));
    expect(accountLimiter("root A1")).not.toBe(accountLimiter("root A2"));
    expect(accountLimiter("root A1", { quote: { perSecond: 2 } })).not.toBe(accountLimiter("root A1"));
  });
});
