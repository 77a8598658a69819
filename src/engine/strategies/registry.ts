import { adxDma } from "./adx-dma.js";
import { bankNiftyTrend } from "./banknifty-trend.js";
import { camarillaBreakout } from "./camarilla.js";
import { momentumLadder } from "./momentum-ladder.js";
import { smaCross } from "./sma-cross.js";
import type { Strategy } from "./strategy.js";
import { threeWeekInside } from "./three-week-inside.js";
import { volumeBreakout } from "./volume-breakout.js";

/** Every strategy Dalal knows, by name, in the order the help lists them. */
export const STRATEGIES: ReadonlyMap<string, Strategy<unknown>> = new Map(
  ([threeWeekInside, adxDma, camarillaBreakout, volumeBreakout, bankNiftyTrend, momentumLadder, smaCross] as Strategy<unknown>[]).map((s) => [s.name, s]),
);

export function strategyByName(name: string): Strategy<unknown> {
  const s = STRATEGIES.get(name);
  if (!s) throw new RangeError(`unknown strategy "${name}"; valid: ${[...STRATEGIES.keys()].join(", ")}`);
  return s;
}
