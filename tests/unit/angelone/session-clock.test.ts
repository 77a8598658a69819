import { describe, expect, it } from "vitest";
import { BrokerError } from "../../../src/engine/execution/broker.js";
import { jwtExpiry, sessionEnd, totpAt } from "../../../src/engine/execution/angelone/session.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const jwtWith = (claims: object): string => `eyJhbGciOiJIUzUxMiJ9.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

describe("totpAt", () => {
  // RFC 6238 appendix B, SHA-1 ("12345678901234567890"), last six of the eight digits.
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

  it("matches the RFC 6238 test vectors", () => {
    expect(totpAt(secret, 59_000)).toBe("287082");
    expect(totpAt(secret, 1_111_111_109_000)).toBe("081804");
    expect(totpAt(secret, 1_234_567_890_000)).toBe("005924");
  });

  it("takes the secret with spaces or in lower case, as authenticator apps show it", () => {
    expect(totpAt("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", 59_000)).toBe("287082");
  });

  it("refuses a secret that is not base32 without echoing it", () => {
    let err: unknown;
    try {
      totpAt("not-base32-1!", 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).message).not.toContain("not-base32-1!");
  });
});

describe("jwtExpiry", () => {
  it("reads exp from a JWT, with or without Bearer", () => {
    expect(jwtExpiry(jwtWith({ exp: 1_763_700_000 }))).toEqual(new Date(1_763_700_000_000));
    expect(jwtExpiry(`Bearer ${jwtWith({ exp: 1_763_700_000 })}`)).toEqual(new Date(1_763_700_000_000));
  });

  it("is null for an opaque token", () => {
    expect(jwtExpiry("opaque")).toBeNull();
    expect(jwtExpiry("a.b!!.c")).toBeNull();
    expect(jwtExpiry(jwtWith({ sub: "x" }))).toBeNull();
  });
});

describe("sessionEnd", () => {
  it("is the next 05:00 IST after the login", () => {
    expect(sessionEnd(fromIst("2025-11-21", "10:00"), "opaque")).toEqual(fromIst("2025-11-22", "05:00"));
    expect(sessionEnd(fromIst("2025-11-21", "04:30"), "opaque")).toEqual(fromIst("2025-11-21", "05:00"));
    expect(sessionEnd(fromIst("2025-11-21", "05:00"), "opaque")).toEqual(fromIst("2025-11-22", "05:00"));
  });

  it("or the token's own expiry when that comes first", () => {
    const exp = fromIst("2025-11-21", "18:00");
    expect(sessionEnd(fromIst("2025-11-21", "10:00"), jwtWith({ exp: exp.getTime() / 1000 }))).toEqual(exp);
    const late = fromIst("2025-11-22", "14:00");
    expect(sessionEnd(fromIst("2025-11-21", "10:00"), jwtWith({ exp: late.getTime() / 1000 }))).toEqual(fromIst("2025-11-22", "05:00"));
  });
});
