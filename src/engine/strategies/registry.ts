import { smaCross } from "./sma-cross.js";
import type { Strategy } from "./strategy.js";

/** Every strategy Dalal knows, by name. */
export const STRATEGIES: ReadonlyMap<string, Strategy<unknown>> = new Map(
  [smaCross as Strategy<unknown>].map((s) => [s.name, s]),
);

export function strategyByName(name: string): Strategy<unknown> {
  const s = STRATEGIES.get(name);
  if (!s) throw new RangeError(`unknown strategy "${name}"; valid: ${[...STRATEGIES.keys()].join(", ")}`);
  return s;
}
