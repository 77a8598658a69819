/**
 * TradingView alerts for Bank Nifty through the webhook into a desk trading it
 * as synthetic futures (seed 002's production path): a base and a pyramid
 * become pairs of option legs, numbered as units, and an EXIT closes every leg.
 * Real HTTP server, paper broker, the shipped 75-minute bars and India VIX.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/db/memory-store.js";
import { ManualClock } from "../../src/engine/clock.js";
import type { Desk } from "../../src/engine/desk.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { parseOptionSymbol } from "../../src/engine/fno/option-contract.js";
import { TradingViewIntake } from "../../src/engine/intake/intake.js";
import { loadBankNifty75m } from "../../src/engine/market/shipped-data.js";
import type { Strategy } from "../../src/engine/strategies/strategy.js";
import { tradingView } from "../../src/engine/strategies/tradingview.js";
import { startHttpServer } from "../../src/http/server.js";
import { tradingViewWebhook, WEBHOOK_PATH } from "../../src/http/webhook.js";
import { bankNiftyDesk } from "../helpers/banknifty-desk.js";

const SECRET = "tv-banknifty-secret-0123456789";
const CAPITAL = 500_000_000; // ₹50,00,000, seed 002's portfolio

describe("TradingView Bank Nifty alerts on synthetic futures", () => {
  const store = new MemoryStore();
  const clock = new ManualClock(new Date("2022-01-03T03:45:00Z"));
  let desk: Desk;
  let feed: ReplayFeed;
  let url: string;
  let close: () => Promise<void>;
  let intake: TradingViewIntake;

  beforeAll(async () => {
    await store.upsertCandles(loadBankNifty75m().candles);
    desk = bankNiftyDesk(store, clock, { capital: CAPITAL }, tradingView as Strategy<unknown>);
    await desk.init();
    feed = new ReplayFeed(store, desk, { from: "2022-01-03", to: "2022-01-31", paceMs: 0 });
    await feed.prepare();
    intake = new TradingViewIntake({ desk, clock });
    const server = await startHttpServer("127.0.0.1", 0, { ready: () => true, webhook: tradingViewWebhook({ intake, secret: SECRET, ready: () => true }) });
    url = `${server.url}${WEBHOOK_PATH}`;
    close = server.close;
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  const post = async (signal_type: string, minutes: number, extra: Record<string, unknown> = {}) => {
    const spot = desk.lastPrice("BANKNIFTY")! / 100;
    const body = {
      timestamp: new Date(clock.now().getTime() - 60_000 + minutes).toISOString(),
      signal_type,
      symbol: "BANKNIFTY",
      price: spot,
      conditions: { rsi: 72.5, adx: 28.5, er: 0.85 },
      theoretical_lots: 2,
      ...(signal_type === "EXIT" ? {} : { stop_loss: Math.round(spot - 300) }),
      secret: SECRET,
      ...extra,
    };
    const res = await fetch(url, { method: "POST", body: JSON.stringify(body) });
    const answer = (await res.json()) as { accepted: boolean; signalId: string };
    expect(res.status).toBe(200);
    expect(answer.accepted).toBe(true);
    await intake.idle(); // answered once recorded; the desk takes it just after
    return (await store.signal(answer.signalId))!;
  };
  const legs = async () => (await store.openPositions()).filter((p) => p.strategy === "tradingview");

  it("opens a base as a bought ATM call and a sold ATM put, then a pyramid as unit 1", async () => {
    const base = await post("BASE_ENTRY", 0);
    expect(base).toMatchObject({ strategy: "tradingview", unit: 0, status: "ordered" });
    const entryOrders = (await store.ordersByStatus(["new", "submitted"])).filter((o) => o.signalId === base.id);
    expect(entryOrders.map((o) => `${o.side} ${parseOptionSymbol(o.symbol)?.type}`).sort()).toEqual(["buy CE", "sell PE"]);
    await feed.step();
    expect((await legs()).map((p) => `${p.unit} ${p.side} ${parseOptionSymbol(p.symbol)?.type}`).sort()).toEqual(["0 long CE", "0 short PE"]);

    // Decided after the close: approved now, its legs ordered at the next open under the gap rule.
    const pyramid = await post("PYRAMID", 1);
    expect(pyramid).toMatchObject({ unit: 1, status: "approved" });
    await feed.step();
    expect((await legs()).map((p) => p.unit).sort()).toEqual([0, 0, 1, 1]);
    // The next one counts the legs held: unit 2.
    const again = await post("PYRAMID", 2);
    expect(again.unit).toBe(2);
  });

  it("closes every leg of every unit on EXIT", async () => {
    await feed.step();
    const held = await legs();
    expect(held.length).toBeGreaterThanOrEqual(4);
    const exit = await post("EXIT", 3);
    expect(exit).toMatchObject({ kind: "exit", status: "ordered" });
    await feed.step();
    expect(await legs()).toEqual([]);
  });
});
