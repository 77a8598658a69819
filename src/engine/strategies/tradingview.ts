/**
 * The strategy TradingView alerts belong to. Its signals are computed on
 * TradingView (seed 002's Pine script) and posted to POST /webhook/tradingview;
 * here it reads no bars and finds nothing, so a scan or a backtest of it has
 * nothing to show and it is kept out of both (registry.ts). It exists so that
 * its signals have a strategy the desk knows: `/auto tradingview on`,
 * AUTO_ACCEPT_STRATEGIES and INTRADAY_STRATEGIES govern them like any other.
 */
import { z } from "zod";
import type { Strategy } from "./strategy.js";

export const TRADINGVIEW = "tradingview";

const params = z.object({}).strict();

export const tradingView: Strategy<z.output<typeof params>> = {
  name: TRADINGVIEW,
  description: "Signals posted by TradingView alerts to POST /webhook/tradingview (seed 002's JSON); entries, pyramids, exits and stops as TradingView says.",
  timeframe: "75m",
  defaultUniverse: "banknifty",
  needsVolume: false,
  // Its exits and trailing stops come from TradingView (EXIT, STOP): the desk's seed-001 rules leave its positions alone.
  ownExits: true,
  params,
  defaults: {},
  scan: () => [],
  evaluate: () => [],
};
