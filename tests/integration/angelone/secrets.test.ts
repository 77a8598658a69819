/**
 * No secret (API key, PIN, TOTP secret, session tokens) reaches a log line
 * or an error message, through logins good and bad, renewals, faults and
 * orders. The log is captured line by line; every token the session held is
 * remembered and looked for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrokerLog } from "../../../src/engine/execution/angelone/secrets.js";
import type { AngelOneBroker } from "../../../src/engine/execution/angelone/angel-broker.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { STANDIN_CREDENTIALS, startSmartApiStandIn, type SmartApiStandIn } from "../../stand-ins/smartapi/server.js";
import { standInBroker } from "../../stand-ins/smartapi/broker.js";

let standIn: SmartApiStandIn;
const lines: string[] = [];
const errors: string[] = [];
const secrets = new Set<string>();

const capture: BrokerLog = {
  info: (msg, fields) => lines.push(`info ${msg} ${JSON.stringify(fields ?? {})}`),
  warn: (msg, fields) => lines.push(`warn ${msg} ${JSON.stringify(fields ?? {})}`),
  error: (msg, fields) => lines.push(`error ${msg} ${JSON.stringify(fields ?? {})}`),
};

function broker(over: Partial<typeof STANDIN_CREDENTIALS> = {}): AngelOneBroker {
  const c = { ...STANDIN_CREDENTIALS, ...over };
  for (const s of [c.apiKey, c.pin, c.totpSecret]) secrets.add(s);
  return standInBroker(standIn, { ...over, timeoutMs: 800, log: capture });
}

function remember(b: AngelOneBroker): void {
  for (const t of [b.session.jwt, b.session.feedToken]) if (t) secrets.add(t);
}

async function attempt(p: Promise<unknown>): Promise<void> {
  await p.catch((e: unknown) => {
    errors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  });
}

beforeAll(async () => {
  standIn = await startSmartApiStandIn();
  standIn.market.now = fromIst("2025-11-21", "10:00");
  standIn.market.tick("RELIANCE", 140_000);
});

afterAll(async () => {
  await standIn.close();
});

describe("secrets", () => {
  it("never appear in a log line or an error message", async () => {
    await attempt(broker({ totpSecret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" }).connect());
    await attempt(broker({ pin: "8642" }).connect());
    await attempt(broker({ apiKey: "wrong-api-key-0001" }).connect());

    const b = broker();
    await b.connect();
    remember(b);
    standIn.sessions.expireAll();
    await b.funds();
    remember(b);
    standIn.faults.next("getRMS", "expiredToken", 2);
    await attempt(b.funds());
    remember(b);
    standIn.faults.next("generateTokens", "5xx");
    standIn.sessions.expireAll();
    await b.orderBook();
    remember(b);
    for (const kind of ["timeout", "5xx", "rateLimit", "drop", "dropAfterAccept"] as const) {
      standIn.faults.next("placeOrder", kind);
      await attempt(b.placeOrder({ clientOrderId: `D${kind}`.slice(0, 20), symbol: "RELIANCE", side: "buy", qty: 1, type: "market" }));
    }
    await attempt(b.placeOrder({ clientOrderId: "D".repeat(25), symbol: "RELIANCE", side: "buy", qty: 1, type: "market" }));
    await attempt(b.cancelOrder("999999999999"));
    await b.close();

    for (const r of standIn.requests) {
      const body = r.body as { refreshToken?: string } | undefined;
      if (body?.refreshToken) secrets.add(body.refreshToken);
    }

    // The run did produce the lines and errors it is checked on.
    expect(errors.length).toBeGreaterThanOrEqual(9);
    expect(errors.some((e) => /TOTP code was wrong/.test(e))).toBe(true);
    expect(errors.some((e) => /client code or PIN was wrong/.test(e))).toBe(true);
    expect(errors.some((e) => /API key is not valid/.test(e))).toBe(true);
    expect(lines.some((l) => l.startsWith("warn angel one call failed"))).toBe(true);
    expect(lines.some((l) => l.startsWith("info angel one session renewed"))).toBe(true);
    expect(secrets.size).toBeGreaterThanOrEqual(12);

    for (const secret of secrets) {
      expect(lines.filter((l) => l.includes(secret))).toEqual([]);
      expect(errors.filter((e) => e.includes(secret))).toEqual([]);
    }
  });
});
