/**
 * Synthetic futures from two options of one expiry and strike: a long is a
 * bought call plus a sold put (payoff S − K, like a long future bought at K
 * plus the net premium), a short is the reverse. The strike is the one
 * nearest to spot on the underlying's strike step (at the money).
 */
import { formatRupees, type Paise } from "../money.js";
import type { IstDate } from "../time/ist.js";
import { optionContract, type OptionContract } from "./option-contract.js";

/**
 * Strike steps of the monthly contracts, in paise: BANKNIFTY ₹100, NIFTY ₹50,
 * as listed in the instrument master (data/instruments/scrip_master_sample.json:
 * BANKNIFTY November 2025 strikes 56,800-57,200, NIFTY October 2025 24,350-24,450)
 * and in NSE's strike scheme for near-the-money index options, which had the
 * same steps through 2021-2023. When the master is at hand, its listed strikes win.
 */
export const STRIKE_STEP: Readonly<Record<string, Paise>> = Object.freeze({
  BANKNIFTY: 10_000,
  NIFTY: 5_000,
});

/**
 * The strike nearest to spot on the step. A spot exactly halfway between two
 * strikes takes the upper one (round half up), so a rising market is not held
 * a strike behind. Note: InstrumentMaster.nearestStrike breaks the same tie
 * downward; a tie needs spot on an exact half step to the paisa, which is rare.
 */
export function atmStrike(spot: Paise, step: Paise): Paise {
  if (!Number.isSafeInteger(spot) || spot <= 0) throw new RangeError(`atmStrike: spot must be a positive whole number of paise, got ${spot}`);
  if (!Number.isSafeInteger(step) || step <= 0) throw new RangeError(`atmStrike: strike step must be a positive whole number of paise, got ${step}`);
  const below = spot - (spot % step);
  const strike = (spot - below) * 2 >= step ? below + step : below;
  // A spot under half a step would round to a zero strike, which no exchange lists.
  return strike > 0 ? strike : step;
}

export interface SyntheticLeg {
  contract: OptionContract;
  side: "buy" | "sell";
}

/**
 * The two legs of a synthetic future at the ATM strike, call leg first:
 * long = buy CE + sell PE, short = sell CE + buy PE. The step defaults to the
 * underlying's STRIKE_STEP; an underlying without one needs it passed.
 */
export function syntheticLegs(
  side: "long" | "short",
  underlying: string,
  spot: Paise,
  expiry: IstDate,
  step: Paise | undefined = STRIKE_STEP[underlying],
): [SyntheticLeg, SyntheticLeg] {
  if (side !== "long" && side !== "short") throw new RangeError(`syntheticLegs: side must be "long" or "short", got ${JSON.stringify(side)}`);
  if (step === undefined) {
    throw new RangeError(`syntheticLegs: no strike step known for ${underlying} (known: ${Object.keys(STRIKE_STEP).join(", ")}); pass one`);
  }
  const strike = atmStrike(spot, step);
  const call = optionContract(underlying, expiry, strike, "CE");
  const put = optionContract(underlying, expiry, strike, "PE");
  return side === "long"
    ? [{ contract: call, side: "buy" }, { contract: put, side: "sell" }]
    : [{ contract: call, side: "sell" }, { contract: put, side: "buy" }];
}

/** "long BANKNIFTY 2025-11-25 ₹56,800.00: buy CE + sell PE", for messages. */
export function describeSynthetic(legs: readonly [SyntheticLeg, SyntheticLeg]): string {
  const [ce, pe] = legs;
  const side = ce.side === "buy" ? "long" : "short";
  return `${side} ${ce.contract.underlying} ${ce.contract.expiry} ${formatRupees(ce.contract.strike)}: ${ce.side} CE + ${pe.side} PE`;
}
