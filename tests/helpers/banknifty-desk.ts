/**
 * A desk trading a strategy's (banknifty-trend by default) Bank Nifty signals as synthetic futures on
 * the paper broker, legs priced by the option model on the shipped India VIX:
 * the set-up the Bank Nifty tests share.
 */
import type { Store } from "../../src/db/store.js";
import type { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk, type DeskOptions } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { loadIndiaVix } from "../../src/engine/fno/india-vix.js";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";
import { bankNiftyTrend } from "../../src/engine/strategies/banknifty-trend.js";
import type { Strategy } from "../../src/engine/strategies/strategy.js";

export const BANKNIFTY_TEST_CAPITAL = 500_000_000; // ₹50,00,000, seed 002's portfolio

export function bankNiftyDesk(
  store: Store,
  clock: ManualClock,
  synthetic: Partial<NonNullable<DeskOptions["synthetic"]>> = {},
  strategy: Strategy<unknown> = bankNiftyTrend as Strategy<unknown>,
): Desk {
  return new Desk({
    repo: store,
    broker: new PaperBroker(),
    marketClock: clock,
    wallClock: clock,
    capital: BANKNIFTY_TEST_CAPITAL,
    riskPct: 1,
    signalTtlMinutes: 15,
    strategies: [strategy],
    autoAccept: [strategy.name],
    charges: deliveryFillCharges,
    mode: "paper",
    // Seed 002 runs on its own risk budget; the desk's daily-loss breaker would stop the replay on its first bad day.
    maxDailyLossPct: 100,
    synthetic: {
      underlyings: ["BANKNIFTY"],
      capital: BANKNIFTY_TEST_CAPITAL,
      riskPct: 1,
      marginPct: 15,
      rolloverDaysBefore: 5,
      ratePct: 6.5,
      calendar: loadNseCalendar(),
      vix: loadIndiaVix(),
      gapAdjustPct: 1,
      gapSkipPct: 2,
      divergenceAlertPct: 5,
      ...synthetic,
    },
  });
}
