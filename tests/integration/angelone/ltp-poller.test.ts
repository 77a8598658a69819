/**
 * The fallback feed: with the tick socket down, last prices are read in batches
 * from the SmartAPI stand-in through the Angel One adapter and handed on as
 * ticks, changed prices only; a failed read is reported and the next one works.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AngelOneBroker } from "../../../src/engine/execution/angelone/angel-broker.js";
import type { LiveTick } from "../../../src/engine/feed/live-feed.js";
import { LtpPoller } from "../../../src/engine/feed/ltp-poller.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { startSmartApiStandIn, type SmartApiStandIn } from "../../stand-ins/smartapi/server.js";
import { standInBroker } from "../../stand-ins/smartapi/broker.js";

let standIn: SmartApiStandIn;
let broker: AngelOneBroker;
const quoteCalls = (): number => standIn.requests.filter((r) => r.path.endsWith("/quote")).length;

beforeAll(async () => {
  standIn = await startSmartApiStandIn();
  standIn.market.now = fromIst("2025-11-21", "10:00");
  broker = standInBroker(standIn, { live: false });
  await broker.connect();
});

afterAll(async () => {
  await broker.close();
  await standIn.close();
});

describe("LTP polling while the socket is down", () => {
  it("reads nothing while the socket delivers, then hands on changed prices only", async () => {
    standIn.market.tick("RELIANCE", 140_010);
    standIn.market.tick("TCS", 310_050);
    let socketDown = false;
    const ticks: LiveTick[] = [];
    const problems: string[] = [];
    const poller = new LtpPoller({
      quotes: (list) => broker.quotes(list),
      symbols: ["RELIANCE", "TCS"],
      onTick: async (t) => void ticks.push(t),
      needed: () => socketDown,
      everyMs: 1000,
      onError: (p) => void problems.push(p),
    });
    const before = quoteCalls();
    expect(await poller.poll()).toBe(0);
    expect(quoteCalls()).toBe(before);

    socketDown = true;
    expect(await poller.poll()).toBe(2);
    expect(ticks.map((t) => [t.symbol, t.price])).toEqual([["RELIANCE", 140_010], ["TCS", 310_050]]);
    expect(quoteCalls()).toBe(before + 1); // both in one batched call

    expect(await poller.poll()).toBe(0); // nothing moved
    standIn.market.tick("RELIANCE", 140_100);
    expect(await poller.poll()).toBe(1);
    expect(ticks.at(-1)).toMatchObject({ symbol: "RELIANCE", price: 140_100 });

    standIn.faults.next("quote", "5xx");
    standIn.market.tick("TCS", 311_000);
    expect(await poller.poll()).toBe(0);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/LTP poll failed/);
    expect(await poller.poll()).toBe(1);
    expect(ticks.at(-1)).toMatchObject({ symbol: "TCS", price: 311_000 });
    await poller.stop();
  });
});
