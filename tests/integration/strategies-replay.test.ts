/**
 * The replay runs every registered strategy on its own bars — the daily ones on
 * the stocks, banknifty-trend on the Bank Nifty 75-minute bars — through the real
 * desk, database and notifier, and the notifier's messages reach a Telegram
 * stand-in: trade signals, pyramid units, and three-week-inside's near-breakout alert.
 */
import { Api } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Notifier } from "../../src/bot/notifier.js";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { loadBankNifty75m, loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { STRATEGIES } from "../../src/engine/strategies/registry.js";
import { istDate } from "../../src/engine/time/ist.js";
import type { SignalView } from "../../src/engine/views.js";
import { silentLogger } from "../../src/log.js";
import { startTelegramStandIn, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const SYMBOLS = ["RELIANCE", "AXISBANK", "INFY", "SBIN", "HDFCBANK", "TATASTEEL", "ITC", "SUNPHARMA"];
const CHAT = 4242;

describe("the replay runs every enabled strategy", () => {
  let database: Database;
  let repo: Repo;
  let tg: TelegramStandIn;
  let desk: Desk;
  let notifier: Notifier;
  const proposed: SignalView[] = [];
  const alerts: SignalView[] = [];

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    repo = new Repo(database.db);
    await repo.upsertCandles(loadShippedDaily(undefined, SYMBOLS).candles);
    await repo.upsertCandles(loadBankNifty75m().candles);
    desk = new Desk({
      repo,
      broker: new PaperBroker(),
      marketClock: new ManualClock(),
      wallClock: new ManualClock(new Date("2026-01-05T04:00:00Z")),
      capital: 1_000_000_000, // ₹1 crore: enough cash left for Bank Nifty pyramids after the stocks
      riskPct: 1,
      signalTtlMinutes: 15,
      strategies: [...STRATEGIES.values()],
      autoAccept: [...STRATEGIES.keys()],
      charges: deliveryFillCharges,
      mode: "paper",
    });
    await desk.init();
    desk.bus.on("signal.proposed", ({ signal }) => void proposed.push(signal));
    desk.bus.on("signal.alert", ({ signal }) => void alerts.push(signal));
    notifier = new Notifier({ api: new Api(tg.token, { apiRoot: tg.apiRoot }), desk, mode: "paper", chats: [CHAT], estimateCharges: () => 0, log: silentLogger });
    const feed = new ReplayFeed(repo, desk, { from: "2022-06-01", to: "2022-09-30", paceMs: 0 });
    await feed.prepare();
    while (await feed.step()) {
      /* play every day */
    }
    await notifier.flush();
  }, 180_000);

  afterAll(async () => {
    notifier?.close();
    await database?.close();
    await tg?.close();
  });

  it("stores signals from all seven strategies", async () => {
    const byStrategy = new Map<string, number>();
    for (const s of await repo.signalsByStatus(["alerted", "proposed", "approved", "rejected", "expired", "refused", "skipped", "ordered", "filled", "failed"], 100_000)) {
      byStrategy.set(s.strategy, (byStrategy.get(s.strategy) ?? 0) + 1);
    }
    expect([...byStrategy.keys()].sort()).toEqual([...STRATEGIES.keys()].sort());
  });

  it("plays Bank Nifty on 75-minute bars: entries at intraday bar times, a pyramid unit as its own position", async () => {
    const all = await repo.signalsByStatus(["alerted", "refused", "skipped", "ordered", "filled", "failed", "approved"], 100_000);
    const bank = all.filter((s) => s.strategy === "banknifty-trend");
    expect(bank.length).toBeGreaterThan(0);
    for (const s of bank) {
      expect(s.symbol).toBe("BANKNIFTY");
      expect(s.timeframe).toBe("75m");
    }
    const entries = bank.filter((s) => s.kind === "entry");
    expect(entries.some((s) => s.unit === 0)).toBe(true);
    // Some entries fire on bars other than the day's first: the replay really steps inside the day.
    expect(new Set(entries.map((s) => s.barTime.toISOString().slice(11, 16))).size).toBeGreaterThan(1);
    const filledUnits = entries.filter((s) => s.status === "filled" && s.positionId !== null);
    const pyramid = filledUnits.find((s) => (s.unit ?? 0) > 0);
    expect(pyramid, `filled banknifty-trend entries: ${filledUnits.map((s) => `${s.unit}@${s.barTime.toISOString()}`).join(", ")}`).toBeDefined();
    const pos = await repo.position(pyramid!.positionId!);
    expect(pos?.unit).toBe(pyramid!.unit);
    expect(pos?.strategy).toBe("banknifty-trend");
    const base = filledUnits.find((s) => s.unit === 0 && s.barTime < pyramid!.barTime);
    expect(base?.positionId).not.toBe(pyramid!.positionId);
    // Each daily strategy only ever saw stocks, and the 75-minute one only the index.
    for (const s of all) expect(s.symbol === "BANKNIFTY").toBe(s.strategy === "banknifty-trend");
  });

  it("tells the chat about RELIANCE's near breakout of 3 Aug 2022 once, with no buttons", async () => {
    const rel = alerts.filter((a) => a.strategy === "three-week-inside" && a.symbol === "RELIANCE" && a.kind === "alert");
    expect(rel).toHaveLength(1);
    expect(rel[0]!.conditions.day).toBe("2022-08-03");
    expect(rel[0]!.status).toBe("alerted");
    const msgs = tg.messages(CHAT).filter((m) => m.text?.includes("🔔") && m.text.includes("RELIANCE"));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.text).toMatch(/three-week-inside · 1w bar of 01 Aug 2022/);
    expect(msgs[0]!.text).toMatch(/RELIANCE within 1% of its 3-week-inside mother high ₹/);
    expect(msgs[0]!.text).toContain("No order is placed for an alert.");
    expect(msgs[0]!.reply_markup?.inline_keyboard ?? []).toEqual([]);
  });

  it("auto-accepted entries filled, and every trade signal went through the desk's lifecycle", async () => {
    const filled = await repo.signalsByStatus(["filled"], 100_000);
    expect(new Set(filled.filter((s) => s.kind === "entry").map((s) => s.strategy)).size).toBeGreaterThanOrEqual(4);
    for (const s of filled) expect(istDate(s.barTime) >= "2022-05-30").toBe(true);
    // Nothing was left waiting: auto-accept decided every proposal.
    expect(await repo.signalsByStatus(["proposed"])).toEqual([]);
    expect(proposed.length).toBe(0);
  });

  it("closes a held long on the strategy's exit, and never a position the exit's side does not close", async () => {
    const exits = (await repo.signalsByStatus(["ordered", "filled"], 100_000)).filter((s) => s.kind === "exit");
    expect(exits.length).toBeGreaterThan(0);
    for (const e of exits) {
      const pos = await repo.position(e.positionId!);
      expect(pos?.strategy).toBe(e.strategy);
      expect(pos?.side).not.toBe(e.side);
    }
  });
});
