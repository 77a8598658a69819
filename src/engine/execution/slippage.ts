/**
 * Slippage: how much worse than the quoted price a paper fill lands, after the
 * seed plan's SlippageSimulator (seed 000, component 5.2):
 *
 *   slippage = base[category] × size × vix
 *   base     = 5 bps large cap, 10 bps mid cap, 20 bps small cap
 *   size     = 1 when the order is under 1% of average daily volume, else 1 + 10 × (order / ADV)
 *   vix      = 1 + VIX / 20
 *
 * The size step is the seed's own: 0.99% of ADV pays ×1, 1% pays ×1.1.
 * Where the seed is silent this module decides, and says so at the spot.
 * Pure: plain numbers in, plain numbers out.
 */
import { roundToTick, type Paise } from "../money.js";

export type LiquidityCategory = "large_cap" | "mid_cap" | "small_cap";
export const LIQUIDITY_CATEGORIES: readonly LiquidityCategory[] = ["large_cap", "mid_cap", "small_cap"];

export interface SlippageModel {
  /** Base slippage of each category, in basis points. */
  baseBps: Readonly<Record<LiquidityCategory, number>>;
  /** Orders below this fraction of ADV pay no size penalty. */
  sizeFreeBelowAdvFraction: number;
  /** At or above it the size multiplier is 1 + slope × (order / ADV). */
  sizeSlope: number;
  /** The volatility multiplier is 1 + VIX / this. */
  vixDivisor: number;
  /** The India VIX assumed when none is known for the moment of the fill. */
  vixWhenUnknown: number;
  /** Average daily value traded (paise) at or above which a stock counts as large cap. */
  largeCapMinAdvValue: Paise;
  /** ... and at or above which it counts as mid cap; below it, small cap. */
  midCapMinAdvValue: Paise;
}

const CRORE: Paise = 100 * 10_000_000;

/**
 * The seed's numbers. Two were not in the seed:
 * - vixWhenUnknown 20: with no VIX reading we assume a stressed market (the
 *   seed's own "high volatility" line is VIX > 20), i.e. ×2, rather than ×1,
 *   which would be cheaper than any real day. Paper results should err dear.
 * - category thresholds by ADV value traded (the seed categorises by ADV but
 *   gives no cut-offs): ≥ ₹100 crore a day large cap, ≥ ₹20 crore mid cap,
 *   below that small cap. Rough NSE turnover of Nifty 100 names versus the
 *   Midcap 150 and Smallcap 250; an instrument table's category wins when known.
 */
export const SEED_SLIPPAGE_MODEL: SlippageModel = Object.freeze({
  baseBps: Object.freeze({ large_cap: 5, mid_cap: 10, small_cap: 20 }),
  sizeFreeBelowAdvFraction: 0.01,
  sizeSlope: 10,
  vixDivisor: 20,
  vixWhenUnknown: 20,
  largeCapMinAdvValue: 100 * CRORE,
  midCapMinAdvValue: 20 * CRORE,
});

/** Why a model cannot be used, or null when it is sound. */
export function slippageModelProblem(m: SlippageModel): string | null {
  for (const c of LIQUIDITY_CATEGORIES) {
    const b = m.baseBps?.[c];
    if (!(Number.isFinite(b) && b >= 0)) return `slippage model: base for ${c} must be zero or more basis points, got ${b}`;
  }
  if (!(Number.isFinite(m.sizeFreeBelowAdvFraction) && m.sizeFreeBelowAdvFraction >= 0)) return `slippage model: the size-free fraction of ADV must be zero or more, got ${m.sizeFreeBelowAdvFraction}`;
  if (!(Number.isFinite(m.sizeSlope) && m.sizeSlope >= 0)) return `slippage model: the size slope must be zero or more, got ${m.sizeSlope}`;
  if (!(Number.isFinite(m.vixDivisor) && m.vixDivisor > 0)) return `slippage model: the VIX divisor must be above zero, got ${m.vixDivisor}`;
  if (!(Number.isFinite(m.vixWhenUnknown) && m.vixWhenUnknown >= 0)) return `slippage model: the assumed VIX must be zero or more, got ${m.vixWhenUnknown}`;
  if (!(Number.isSafeInteger(m.midCapMinAdvValue) && m.midCapMinAdvValue >= 0)) return `slippage model: the mid-cap threshold must be whole paise, got ${m.midCapMinAdvValue}`;
  if (!(Number.isSafeInteger(m.largeCapMinAdvValue) && m.largeCapMinAdvValue >= m.midCapMinAdvValue)) return `slippage model: the large-cap threshold must be whole paise and not below the mid-cap one, got ${m.largeCapMinAdvValue}`;
  return null;
}

function assertModel(m: SlippageModel): void {
  const p = slippageModelProblem(m);
  if (p) throw new RangeError(p);
}

/**
 * Category from the average daily value traded (ADV shares × price). Unknown
 * or zero ADV counts as small cap: a stock we cannot see trade is treated as
 * the least liquid, the dear side. `symbol` only names the stock in errors.
 */
export function liquidityCategory(symbol: string, adv: number | null, price: Paise, model: SlippageModel = SEED_SLIPPAGE_MODEL): LiquidityCategory {
  assertModel(model);
  if (!(Number.isInteger(price) && price > 0)) throw new RangeError(`${symbol}: price must be positive whole paise to judge liquidity, got ${price}`);
  if (adv !== null && !(Number.isFinite(adv) && adv >= 0)) throw new RangeError(`${symbol}: average daily volume must be zero or more shares, got ${adv}`);
  if (adv === null || adv === 0) return "small_cap";
  // BigInt: shares × paise passes 2^53 for the busiest stocks.
  const value = BigInt(Math.floor(adv)) * BigInt(price);
  if (value >= BigInt(model.largeCapMinAdvValue)) return "large_cap";
  if (value >= BigInt(model.midCapMinAdvValue)) return "mid_cap";
  return "small_cap";
}

export type SlippageInput = {
  category: LiquidityCategory;
  /** Average daily volume in shares (20-day), known before the fill; null when unknown. */
  adv: number | null;
  /** India VIX at the fill; null when unknown (the model's assumed VIX is used). */
  vix: number | null;
} & ({ qty: number } | { orderValue: Paise; price: Paise });

/** The three multipliers and their product, for explaining a fill. */
export interface SlippageBreakdown {
  baseBps: number;
  sizeMultiplier: number;
  vixMultiplier: number;
  bps: number;
}

export function slippageBreakdown(input: SlippageInput, model: SlippageModel = SEED_SLIPPAGE_MODEL): SlippageBreakdown {
  assertModel(model);
  if (!LIQUIDITY_CATEGORIES.includes(input.category)) throw new RangeError(`liquidity category must be large_cap, mid_cap or small_cap, got ${String(input.category)}`);
  let shares: number;
  if ("qty" in input) {
    shares = input.qty;
    if (!(Number.isFinite(shares) && shares > 0)) throw new RangeError(`order quantity must be more than zero shares, got ${shares}`);
  } else {
    if (!(Number.isFinite(input.orderValue) && input.orderValue > 0)) throw new RangeError(`order value must be more than zero paise, got ${input.orderValue}`);
    if (!(Number.isInteger(input.price) && input.price > 0)) throw new RangeError(`price must be positive whole paise to turn an order value into shares, got ${input.price}`);
    shares = input.orderValue / input.price;
  }
  const { adv, vix } = input;
  if (adv !== null && !(Number.isFinite(adv) && adv >= 0)) throw new RangeError(`average daily volume must be zero or more shares, got ${adv}`);
  if (vix !== null && !(Number.isFinite(vix) && vix >= 0)) throw new RangeError(`VIX must be zero or more, got ${vix}`);

  // Unknown (or zero) ADV: no size penalty can be measured, so none is charged;
  // the caller's category (small cap when ADV is unknown) carries the caution.
  const advFraction = adv === null || adv === 0 ? 0 : shares / adv;
  const sizeMultiplier = advFraction < model.sizeFreeBelowAdvFraction ? 1 : 1 + advFraction * model.sizeSlope;
  const vixMultiplier = 1 + (vix ?? model.vixWhenUnknown) / model.vixDivisor;
  const baseBps = model.baseBps[input.category];
  return { baseBps, sizeMultiplier, vixMultiplier, bps: baseBps * sizeMultiplier * vixMultiplier };
}

/** Slippage in basis points (1 bp = 0.01%) for one order, per the model. */
export function slippageBps(input: SlippageInput, model: SlippageModel = SEED_SLIPPAGE_MODEL): number {
  return slippageBreakdown(input, model).bps;
}

const BPS_SCALE = 1_000_000; // bps kept to a millionth of a basis point, then exact integer maths
const ONE = 10_000n * BigInt(BPS_SCALE);

/**
 * The fill price moved against the trader by `bps` (a buy pays more, a sell
 * gets less), rounded to the tick in the same adverse direction, so a price
 * already on the tick moves at least one tick whenever bps > 0. A sell never
 * goes below one tick (a price must stay positive).
 */
export function applySlippage(price: Paise, side: "buy" | "sell", bps: number, tick: Paise): Paise {
  if (!(Number.isSafeInteger(price) && price > 0)) throw new RangeError(`price must be positive whole paise, got ${price}`);
  if (!(Number.isSafeInteger(tick) && tick > 0)) throw new RangeError(`tick must be positive whole paise, got ${tick}`);
  if (side !== "buy" && side !== "sell") throw new RangeError(`side must be buy or sell, got ${String(side)}`);
  if (!(Number.isFinite(bps) && bps >= 0 && bps < 10_000)) throw new RangeError(`slippage must be from 0 to under 10,000 basis points, got ${bps}`);
  const m = BigInt(Math.round(bps * BPS_SCALE));
  const t = BigInt(tick);
  if (side === "buy") {
    const num = BigInt(price) * (ONE + m);
    const den = ONE * t;
    return Number((num + den - 1n) / den) * tick;
  }
  const steps = (BigInt(price) * (ONE - m)) / (ONE * t);
  return Math.max(Number(steps), 1) * tick;
}

/** Rounds a price to the tick against the trader: up for a buy, down for a sell (never below one tick). */
export function roundAdverse(price: Paise, side: "buy" | "sell", tick: Paise): Paise {
  return side === "buy" ? roundToTick(price, tick, "up") : Math.max(roundToTick(price, tick, "down"), tick);
}
