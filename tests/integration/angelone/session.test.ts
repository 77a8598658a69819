/**
 * The Angel One session against the SmartAPI stand-in, through the real
 * smartapi-javascript client: TOTP login, refusals that name the wrong
 * credential, renewal on an expired token (once, never in a loop), and a
 * fresh login after the daily session end.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrokerError } from "../../../src/engine/execution/broker.js";
import type { AngelOneBroker } from "../../../src/engine/execution/angelone/angel-broker.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { STANDIN_CREDENTIALS, startSmartApiStandIn, type SmartApiStandIn } from "../../stand-ins/smartapi/server.js";
import { standInBroker } from "../../stand-ins/smartapi/broker.js";

let standIn: SmartApiStandIn;
let clock: Date;
const brokers: AngelOneBroker[] = [];

function broker(over: Partial<typeof STANDIN_CREDENTIALS> = {}): AngelOneBroker {
  const b = standInBroker(standIn, { ...over, timeoutMs: 1500, now: () => clock });
  brokers.push(b);
  return b;
}

const calls = (name: string): number => standIn.requests.filter((r) => r.path.endsWith(`/${name}`)).length;

async function refusal(p: Promise<unknown>): Promise<BrokerError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BrokerError);
  return err as BrokerError;
}

beforeEach(async () => {
  standIn = await startSmartApiStandIn();
  clock = fromIst("2025-11-21", "10:00");
  standIn.market.now = clock;
});

afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close();
  await standIn.close();
});

describe("login", () => {
  it("logs in with a TOTP made from the secret and keeps the tokens the feed needs", async () => {
    const b = broker();
    await b.connect();
    const login = standIn.requests.find((r) => r.path.endsWith("/loginByPassword"))!;
    expect(login.body).toMatchObject({ clientcode: STANDIN_CREDENTIALS.clientCode });
    expect((login.body as { totp: string }).totp).toMatch(/^\d{6}$/);
    expect(standIn.sessions.checkJwt(b.session.jwt!)).toBe(true);
    expect(standIn.sessions.checkFeedToken(b.session.feedToken!)).toBe(true);
    const profile = await b.profile();
    expect(profile.clientCode).toBe(STANDIN_CREDENTIALS.clientCode);
    expect(profile.exchanges).toEqual(["NFO", "NSE", "BSE"]);
  });

  it("a wrong TOTP secret is refused as a wrong TOTP, without echoing it", async () => {
    const wrongSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    const err = await refusal(broker({ totpSecret: wrongSecret }).connect());
    expect(err.kind).toBe("rejected");
    expect(err.code).toBe("AB1050");
    expect(err.message).toMatch(/TOTP code was wrong/);
    expect(err.message).not.toContain(wrongSecret);
  });

  it("a wrong PIN is refused as a wrong client code or PIN, without echoing it", async () => {
    const err = await refusal(broker({ pin: "9999" }).connect());
    expect(err.kind).toBe("rejected");
    expect(err.message).toMatch(/client code or PIN was wrong/);
    expect(err.message).not.toContain("9999");
  });

  it("a TOTP secret that is not base32 is refused before any call", async () => {
    const err = await refusal(broker({ totpSecret: "not base32 at all!" }).connect());
    expect(err.message).toMatch(/not valid base32/);
    expect(calls("loginByPassword")).toBe(0);
  });
});

describe("the instrument list", () => {
  it("a list that cannot be downloaded makes connect unavailable, naming where it looked", async () => {
    const b = standInBroker(standIn, { scripMasterUrl: `${standIn.url}/no/such/file.json`, timeoutMs: 1500, now: () => clock });
    brokers.push(b);
    const err = await refusal(b.connect());
    expect(err.kind).toBe("unavailable");
    expect(err.message).toMatch(/could not download Angel One's instrument list from .*\/no\/such\/file\.json: HTTP 404/);
  });
});

describe("an expired session", () => {
  it("is renewed once with the refresh token and the call succeeds", async () => {
    const b = broker();
    await b.connect();
    const firstJwt = b.session.jwt;
    standIn.sessions.expireAll();
    const funds = await b.funds();
    expect(funds.cash).toBe(100_000_000);
    expect(calls("generateTokens")).toBe(1);
    expect(calls("loginByPassword")).toBe(1);
    expect(b.session.jwt).not.toBe(firstJwt);
    expect(standIn.sessions.checkJwt(b.session.jwt!)).toBe(true);
  });

  it("a second expiry right after the renewal is an error, not a loop", async () => {
    const b = broker();
    await b.connect();
    standIn.faults.next("getRMS", "expiredToken", 2);
    const err = await refusal(b.funds());
    expect(err.kind).toBe("unavailable");
    expect(err.code).toBe("AG8001");
    expect(err.message).toMatch(/expired again right after it was renewed/);
    expect(calls("getRMS")).toBe(2);
    expect(calls("generateTokens")).toBe(1);
    // The next call goes through on the renewed session.
    await expect(b.funds()).resolves.toMatchObject({ cash: 100_000_000 });
  });

  it("when the refresh fails, logs in again once and the call succeeds", async () => {
    const b = broker();
    await b.connect();
    standIn.sessions.expireAll();
    standIn.faults.next("generateTokens", "5xx");
    await expect(b.orderBook()).resolves.toEqual([]);
    expect(calls("generateTokens")).toBe(1);
    expect(calls("loginByPassword")).toBe(2);
  });

  it("calls that hit the expiry together renew it once", async () => {
    const b = broker();
    await b.connect();
    standIn.sessions.expireAll();
    const [a, c] = await Promise.all([b.funds(), b.profile()]);
    expect(a.cash).toBe(100_000_000);
    expect(c.clientCode).toBe(STANDIN_CREDENTIALS.clientCode);
    expect(calls("generateTokens")).toBe(1);
  });
});

describe("the daily session end", () => {
  it("logs in afresh on the first call after 05:00 IST", async () => {
    const b = broker();
    await b.connect();
    expect(b.session.validUntil).toEqual(fromIst("2025-11-22", "05:00"));
    clock = fromIst("2025-11-22", "04:59");
    await b.funds();
    expect(calls("loginByPassword")).toBe(1);
    clock = fromIst("2025-11-22", "05:00");
    await b.funds();
    expect(calls("loginByPassword")).toBe(2);
    expect(b.session.validUntil).toEqual(fromIst("2025-11-23", "05:00"));
  });
});
