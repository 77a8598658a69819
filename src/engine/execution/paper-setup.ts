import type { Candle } from "../market/candle.js";
import { advFrom } from "./adv.js";
import { PaperBroker } from "./paper-broker.js";
import { SEED_SLIPPAGE_MODEL } from "./slippage.js";

/**
 * The paper broker the daemon and the backtester both use: seed 000's slippage
 * (liquidity category and order size from the 20-day average volume; VIX unknown,
 * so the model's cautious default) or none.
 */
export function paperBroker(slippage: "seed" | "none", bars: (symbol: string) => readonly Candle[]): PaperBroker {
  if (slippage === "none") return new PaperBroker();
  return new PaperBroker({ slippage: SEED_SLIPPAGE_MODEL, adv: advFrom(bars), vix: () => null });
}
