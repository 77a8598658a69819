import { adxDma } from "./adx-dma.js";
import { bankNiftyTrend } from "./banknifty-trend.js";
import { camarillaBreakout } from "./camarilla.js";
import { momentumLadder } from "./momentum-ladder.js";
import { smaCross } from "./sma-cross.js";
import type { Strategy } from "./strategy.js";
import { threeWeekInside } from "./three-week-inside.js";
import { tradingView } from "./tradingview.js";
import { volumeBreakout } from "./volume-breakout.js";

/** Every strategy that reads bars, by name, in the order the help lists them: what scans and backtests run. */
export const STRATEGIES: ReadonlyMap<string, Strategy<unknown>> = new Map(
  ([threeWeekInside, adxDma, camarillaBreakout, volumeBreakout, bankNiftyTrend, momentumLadder, smaCross] as Strategy<unknown>[]).map((s) => [s.name, s]),
);

/** Strategies whose signals come from outside (a webhook): they run in the desk, never in a scan or a backtest. */
export const EXTERNAL_STRATEGIES: ReadonlyMap<string, Strategy<unknown>> = new Map([[tradingView.name, tradingView as Strategy<unknown>]]);

/** Every strategy the desk can run: ENABLED_STRATEGIES and AUTO_ACCEPT_STRATEGIES name these. */
export const DESK_STRATEGIES: ReadonlyMap<string, Strategy<unknown>> = new Map([...STRATEGIES, ...EXTERNAL_STRATEGIES]);

export function strategyByName(name: string): Strategy<unknown> {
  const s = DESK_STRATEGIES.get(name);
  if (!s) throw new RangeError(`unknown strategy "${name}"; valid: ${[...DESK_STRATEGIES.keys()].join(", ")}`);
  return s;
}
