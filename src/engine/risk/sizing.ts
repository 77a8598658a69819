import { formatRupees, type Paise } from "../money.js";
import { DEFAULT_LIMITS } from "./limits.js";

export interface SizingInput {
  capital: Paise;
  riskPct: number;
  entry: Paise;
  stop: Paise;
  /** Cash the broker would let us spend now. */
  available: Paise;
  lotSize?: number;
}

export type Sizing =
  | { ok: true; qty: number; riskAmount: Paise; inputs: Record<string, number> }
  | { ok: false; reason: string; inputs: Record<string, number> };

/**
 * qty = floor(capital × risk% / (entry − stop)), in whole lots, then capped by the
 * cash available. Below one lot (or one share) the signal is refused with the reason.
 */
export function sizePosition(s: SizingInput): Sizing {
  const lot = s.lotSize ?? 1;
  const perUnitRisk = s.entry - s.stop;
  // Exact: risk % as whole hundredths of a basis point, multiplied in BigInt, so
  // ₹5,00,000 × 2.3% is ₹11,500.00 and not a paisa less through float noise.
  const budget = Number((BigInt(s.capital) * BigInt(Math.round(s.riskPct * 10_000))) / 1_000_000n);
  const inputs: Record<string, number> = {
    capital: s.capital,
    riskPct: s.riskPct,
    riskBudget: budget,
    entry: s.entry,
    stop: s.stop,
    perUnitRisk,
    available: s.available,
    lotSize: lot,
  };
  if (perUnitRisk <= 0) return { ok: false, reason: "the stop is not below the entry", inputs };
  const byRisk = Math.floor(budget / perUnitRisk / lot) * lot;
  const byCash = Math.floor(Math.max(0, s.available) / s.entry / lot) * lot;
  const qty = Math.min(byRisk, byCash);
  inputs.qtyByRisk = byRisk;
  inputs.qtyByCash = byCash;
  if (qty < lot) {
    const unit = lot > 1 ? "one lot" : "one share";
    const why = byRisk < lot ? `the risk budget buys less than ${unit}` : `the available cash buys less than ${unit}`;
    return { ok: false, reason: why, inputs };
  }
  return { ok: true, qty, riskAmount: qty * perUnitRisk, inputs };
}

// ---------------------------------------------------------------------------
// Sizing a strategy's signal: risk budget × plan, capped by half-Kelly, the
// per-stock limit and cash.
// ---------------------------------------------------------------------------

/**
 * Seed 000's profit scaling: once the account is up more than 10% on its starting
 * capital, positions grow ×1.2; more than 20%, ×1.5. Strictly above: exactly +20% is ×1.2.
 */
export const PROFIT_SCALING: ReadonlyArray<{ abovePct: number; factor: number }> = Object.freeze([
  { abovePct: 20, factor: 1.5 },
  { abovePct: 10, factor: 1.2 },
]);

/** The profit-scaling factor for equity against the starting capital, compared exactly. */
export function profitScaling(equity: Paise, startingCapital: Paise): { factor: number; profitPct: number } {
  const profitPct = startingCapital > 0 ? ((equity - startingCapital) / startingCapital) * 100 : 0;
  if (startingCapital <= 0) return { factor: 1, profitPct };
  const gain100 = (BigInt(equity) - BigInt(startingCapital)) * 100n;
  for (const step of PROFIT_SCALING) {
    // profit% > abovePct  ⇔  (equity − start) × 100 > abovePct × start
    if (gain100 * 10_000n > BigInt(Math.round(step.abovePct * 10_000)) * BigInt(startingCapital)) return { factor: step.factor, profitPct };
  }
  return { factor: 1, profitPct };
}

/**
 * Signal strength 0-100 to a size factor: 0.5 + strength / 200, so 0 → ½ and 100 → 1.
 * Why not seed 000's strength / 100: strengths are each strategy's own scale, not a
 * calibrated probability, and a valid but "40-strength" signal cut to 40% of the risk
 * budget would be mostly noise-driven. Halving at worst keeps the signal's say bounded;
 * never above 1 keeps RISK_PER_TRADE_PCT the ceiling a strong signal alone can reach.
 */
export function strengthFactor(strength: number): number {
  const s = Math.min(100, Math.max(0, strength));
  return 0.5 + s / 200;
}

export type BindingCap = "risk" | "kelly" | "stock" | "cash";

export interface SizeSignalInput {
  /** For the reasons ("the half-Kelly cap for sma-cross"). */
  strategy?: string;
  symbol?: string;
  side?: "long" | "short";
  /** CAPITAL: the starting capital; the risk budget and caps are percentages of it. */
  capital: Paise;
  /** Equity marked to market, for profit scaling (default: capital, no scaling). */
  equity?: Paise;
  /** RISK_PER_TRADE_PCT. */
  riskPct: number;
  entry: Paise;
  stop: Paise | null;
  /** The signal's strength, 0-100. */
  strength: number;
  /** The strategy's share of the plan (default 1). */
  allocationWeight?: number;
  /** From news sentiment (default 1; 0 skips the trade). */
  sentimentMultiplier?: number;
  /** From the day's regime and REGIME_SIZING (default 1). */
  regimeMultiplier?: number;
  /** The strategy's half-Kelly (kellyFraction over its closed trades). */
  kelly: { fraction: number; trades: number };
  /** MAX_POSITION_PCT (default 20). */
  maxPositionPct?: number;
  /** Value already held in this symbol, counted against the per-stock cap. */
  heldValue?: Paise;
  /** Cash (or margin) the broker would let us use now. */
  available: Paise;
  /** What one unit takes from cash: the price for delivery, the margin per unit for F&O (default entry). */
  cashPerUnit?: Paise;
  /** F&O lot size; quantities are whole lots (default 1). */
  lotSize?: number;
}

export type SizingRecord = Record<string, number | string>;

export type SignalSizing =
  | { ok: true; qty: number; riskAmount: Paise; value: Paise; bindingCap: BindingCap; inputs: SizingRecord }
  | { ok: false; reason: string; bindingCap: BindingCap | null; inputs: SizingRecord };

const PPM = 1_000_000n;

/** A multiplier or fraction as whole millionths (nearest), so products stay exact in BigInt. */
function ppm(x: number): bigint {
  return BigInt(Math.round(x * 1_000_000));
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** Whole lots of `lot` units, each costing `perUnit`, that `amount` pays for. */
function lotsFor(amount: Paise | bigint, perUnit: Paise, lot: number): number {
  const a = typeof amount === "bigint" ? amount : BigInt(amount);
  if (a <= 0n) return 0;
  return Number(floorDiv(a, BigInt(perUnit) * BigInt(lot))) * lot;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function fmtPct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/**
 * One formula, every step recorded in `inputs`:
 *
 *   plan      = allocationWeight × strengthFactor × sentimentMultiplier × regimeMultiplier × profitScaling
 *   budget    = floor(capital × RISK_PER_TRADE_PCT/100 × plan)
 *   qtyByRisk = budget / |entry − stop|
 *
 * then the smallest of that and three caps, each in whole lots:
 *   qtyByKelly    = kellyFraction × capital / entry        (half-Kelly position value)
 *   qtyByStockCap = (MAX_POSITION_PCT × capital − held) / entry
 *   qtyByCash     = available / cashPerUnit
 *
 * Below one lot (one share) → refused, naming the cap that bound it. Each plan part is
 * taken to millionths and every product is BigInt, so a budget is exact to the paisa.
 */
export function sizeSignal(s: SizeSignalInput): SignalSizing {
  const lot = s.lotSize ?? 1;
  const side = s.side ?? "long";
  const equity = s.equity ?? s.capital;
  const weight = s.allocationWeight ?? 1;
  const sentiment = s.sentimentMultiplier ?? 1;
  const regime = s.regimeMultiplier ?? 1;
  const stockPct = s.maxPositionPct ?? DEFAULT_LIMITS.MAX_POSITION_PCT;
  const held = Math.max(0, s.heldValue ?? 0);
  const cashPerUnit = s.cashPerUnit ?? s.entry;
  const strategy = s.strategy ?? "this strategy";
  const symbol = s.symbol ?? "this stock";
  const unit = lot > 1 ? `one lot (${lot})` : "one share";
  const perWhat = lot > 1 ? "per lot" : "per share";

  const inputs: SizingRecord = {
    capital: s.capital,
    equity,
    riskPct: s.riskPct,
    strength: s.strength,
    allocationWeight: weight,
    sentimentMultiplier: sentiment,
    regimeMultiplier: regime,
    entry: s.entry,
    stop: s.stop ?? "none",
    side,
    lotSize: lot,
    kellyFraction: s.kelly.fraction,
    tradesForKelly: s.kelly.trades,
    maxPositionPct: stockPct,
    heldValue: held,
    available: s.available,
    cashPerUnit,
  };
  if (s.strategy !== undefined) inputs.strategy = s.strategy;
  if (s.symbol !== undefined) inputs.symbol = s.symbol;
  const bad = (reason: string): SignalSizing => ({ ok: false, reason, bindingCap: null, inputs });

  // Bad inputs first: each names itself.
  if (!Number.isSafeInteger(s.capital) || s.capital <= 0) return bad(`capital must be a positive amount, got ${s.capital} paise`);
  if (!Number.isSafeInteger(equity)) return bad(`equity must be whole paise, got ${equity}`);
  if (!(Number.isFinite(s.riskPct) && s.riskPct > 0 && s.riskPct <= 100)) return bad(`RISK_PER_TRADE_PCT must be above 0 and at most 100, got ${s.riskPct}`);
  if (!Number.isSafeInteger(s.entry) || s.entry <= 0) return bad(`the entry price must be a positive amount, got ${s.entry} paise`);
  if (!Number.isInteger(lot) || lot < 1) return bad(`the lot size must be a whole number of at least 1, got ${lot}`);
  if (!Number.isFinite(s.strength)) return bad(`the signal strength must be a number from 0 to 100, got ${s.strength}`);
  if (!(Number.isFinite(weight) && weight >= 0)) return bad(`the allocation weight must be 0 or more, got ${weight}`);
  if (!(Number.isFinite(sentiment) && sentiment >= 0)) return bad(`the sentiment multiplier must be 0 or more, got ${sentiment}`);
  if (!(Number.isFinite(regime) && regime >= 0)) return bad(`the regime multiplier must be 0 or more, got ${regime}`);
  if (!(s.kelly.fraction >= 0 && s.kelly.fraction <= 1)) return bad(`the Kelly fraction must be between 0 and 1, got ${s.kelly.fraction}`);
  if (!(Number.isFinite(stockPct) && stockPct > 0 && stockPct <= 100)) return bad(`MAX_POSITION_PCT must be above 0 and at most 100, got ${stockPct}`);
  if (!Number.isSafeInteger(s.available)) return bad(`the available cash must be whole paise, got ${s.available}`);
  if (!Number.isSafeInteger(cashPerUnit) || cashPerUnit <= 0) return bad(`the cash per unit must be a positive amount, got ${cashPerUnit} paise`);
  if (s.stop === null) return bad("the signal has no stop, so there is no risk per share to size from");
  const perUnitRisk = side === "long" ? s.entry - s.stop : s.stop - s.entry;
  inputs.perUnitRisk = perUnitRisk;
  if (perUnitRisk <= 0) return bad(side === "long" ? "the stop is not below the entry" : "the stop is not above the entry (a short)");

  // The plan, exact: five parts in millionths.
  const sf = strengthFactor(s.strength);
  const scaling = profitScaling(equity, s.capital);
  const planNum = ppm(weight) * ppm(sf) * ppm(sentiment) * ppm(regime) * ppm(scaling.factor);
  const planDen = PPM ** 5n;
  const plan = round6(Number((planNum * PPM) / planDen) / 1e6);
  Object.assign(inputs, { strengthFactor: sf, profitPct: round6(scaling.profitPct), profitScaling: scaling.factor, plan });

  // budget = capital × riskPct/100 × plan; riskPct/100 in millionths is riskPct × 10,000.
  const budget = floorDiv(BigInt(s.capital) * BigInt(Math.round(s.riskPct * 10_000)) * planNum, PPM * planDen);
  const kellyValue = floorDiv(BigInt(s.capital) * ppm(s.kelly.fraction), PPM);
  const stockCapValue = floorDiv(BigInt(s.capital) * BigInt(Math.round(stockPct * 10_000)), PPM);
  const stockRoom = stockCapValue - BigInt(held);
  const caps: Record<BindingCap, number> = {
    risk: lotsFor(budget, perUnitRisk, lot),
    kelly: lotsFor(kellyValue, s.entry, lot),
    stock: lotsFor(stockRoom, s.entry, lot),
    cash: lotsFor(s.available, cashPerUnit, lot),
  };
  Object.assign(inputs, {
    riskBudget: Number(budget),
    qtyByRisk: caps.risk,
    kellyValue: Number(kellyValue),
    qtyByKelly: caps.kelly,
    maxPositionValue: Number(stockCapValue),
    qtyByStockCap: caps.stock,
    qtyByCash: caps.cash,
  });

  const order: BindingCap[] = ["risk", "kelly", "stock", "cash"];
  const qty = Math.min(...order.map((c) => caps[c]));
  const binding = order.find((c) => caps[c] === qty) ?? "risk";
  inputs.bindingCap = binding;

  if (qty < lot) {
    const why: Record<BindingCap, string> = {
      risk:
        planNum === 0n
          ? `the plan is 0 (allocation weight ${weight} × strength factor ${sf} × sentiment ${sentiment} × regime ${regime} × profit scaling ${scaling.factor}), so there is no risk budget`
          : `the risk budget of ${formatRupees(Number(budget))} (${s.riskPct}% of capital × plan ${plan}) buys less than ${unit} at ${formatRupees(perUnitRisk * lot)} of risk ${perWhat}`,
      kelly: `the half-Kelly cap for ${strategy}, ${fmtPct(s.kelly.fraction)} of capital (${formatRupees(Number(kellyValue))}, from ${s.kelly.trades} closed trades), buys less than ${unit} at ${formatRupees(s.entry * lot)}`,
      stock:
        held > 0
          ? `MAX_POSITION_PCT: ${stockPct}% of capital is ${formatRupees(Number(stockCapValue))} per stock, ${formatRupees(held)} is already in ${symbol}, and the ${formatRupees(Math.max(0, Number(stockRoom)))} left buys less than ${unit} at ${formatRupees(s.entry * lot)}`
          : `MAX_POSITION_PCT: ${stockPct}% of capital (${formatRupees(Number(stockCapValue))}) buys less than ${unit} at ${formatRupees(s.entry * lot)}`,
      cash: `the available cash (${formatRupees(Math.max(0, s.available))}) buys less than ${unit} at ${formatRupees(cashPerUnit * lot)}`,
    };
    const names: Record<BindingCap, string> = { risk: "the risk budget", kelly: "the half-Kelly cap", stock: "MAX_POSITION_PCT", cash: "cash" };
    const alsoShort = order.filter((c) => c !== binding && caps[c] < lot).map((c) => names[c]);
    const also = alsoShort.length ? ` (also short: ${alsoShort.join(", ")})` : "";
    return { ok: false, reason: why[binding] + also, bindingCap: binding, inputs };
  }
  return { ok: true, qty, riskAmount: qty * perUnitRisk, value: qty * s.entry, bindingCap: binding, inputs };
}
