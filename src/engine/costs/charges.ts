/**
 * Exact charges on one trade (a buy side and a sell side in one segment, one
 * day), in integer paise.
 *
 * Arithmetic: each percentage becomes an exact fraction of BigInts, so
 * 0.00297% of ₹1,00,000 is exactly 297 paise and no float error can move a
 * paisa. Rounding:
 * - STT: the whole trade's STT (buy side plus sell side, exact) is rounded
 *   once to the nearest rupee, as on a contract note; ₹x.50 rounds up.
 * - Exchange charge, SEBI fee, IPFT: the same rate applies to both sides, so
 *   each is taken on the combined turnover and rounded once to the paisa.
 * - Stamp duty: buy turnover, rounded to the paisa.
 * - Brokerage: per executed order, rounded to the paisa per order.
 * - GST: 18% of the rounded brokerage + exchange + SEBI + IPFT + DP charge,
 *   rounded to the paisa. Paisa rounding is half up throughout.
 */
import type { Paise } from "../money.js";
import { isIstDate, type IstDate } from "../time/ist.js";
import {
  ANGEL_ONE_PLAN,
  PERCENT_RE,
  RATE_CARDS,
  SEGMENTS,
  isSegment,
  type BrokerageEntry,
  type BrokeragePlan,
  type Percent,
  type RateCard,
  type Segment,
} from "./rates.js";

export interface ChargesInput {
  segment: Segment;
  /** Buy turnover in paise (premium turnover, for options). */
  buyValue: Paise;
  /** Sell turnover in paise (premium turnover, for options). */
  sellValue: Paise;
  /** Trade date: the rate card and brokerage rule in force on this day apply. */
  on: IstDate;
  /**
   * Executed orders on the buy side; default 1 if buyValue > 0 else 0. With
   * several, brokerage is worked per order on buyValue split evenly across them.
   */
  buyOrders?: number;
  sellOrders?: number;
  /**
   * The value of each executed buy order, when known: overrides the even
   * split. Must add up to buyValue; its length is the order count.
   */
  buyOrderValues?: Paise[];
  sellOrderValues?: Paise[];
  /** Scrips sold out of the demat account that day (DP charge); default 1 on a delivery sell. */
  scripsSoldFromDelivery?: number;
  /** Default: Angel One's plan. */
  brokerage?: BrokeragePlan;
}

export interface Charges {
  brokerage: Paise;
  stt: Paise;
  exchange: Paise;
  sebi: Paise;
  stamp: Paise;
  ipft: Paise;
  /** Includes the GST on the DP charge. */
  gst: Paise;
  dp: Paise;
  total: Paise;
}

/** The keys of Charges in display order. */
export const CHARGE_KEYS = ["brokerage", "stt", "exchange", "sebi", "stamp", "ipft", "gst", "dp", "total"] as const;

// --- exact fractions -------------------------------------------------------

interface Ratio {
  num: bigint;
  den: bigint;
}

/** "0.00297" (percent) → 297 / 10^7. */
export function percentToRatio(p: Percent): Ratio {
  if (!PERCENT_RE.test(p)) throw new RangeError(`not a percentage: ${JSON.stringify(p)}`);
  const [whole, frac = ""] = p.split(".");
  return { num: BigInt(whole! + frac), den: 10n ** BigInt(frac.length + 2) };
}

/** value × ratio, exact. */
function times(value: bigint, r: Ratio): Ratio {
  return { num: value * r.num, den: r.den };
}

function add(a: Ratio, b: Ratio): Ratio {
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

/** Nearest whole number, half up (inputs are never negative here). */
function roundHalfUp(r: Ratio): bigint {
  return (2n * r.num + r.den) / (2n * r.den);
}

/** value (paise) × percent, rounded half up to the paisa. */
function pctOf(value: bigint, p: Percent): bigint {
  return roundHalfUp(times(value, percentToRatio(p)));
}

// --- look-ups --------------------------------------------------------------

function checkSegment(segment: unknown): Segment {
  if (typeof segment !== "string" || !isSegment(segment)) {
    throw new RangeError(`segment must be one of ${SEGMENTS.join(", ")}: ${JSON.stringify(segment)}`);
  }
  return segment;
}

function checkDate(on: unknown): IstDate {
  if (typeof on !== "string" || !isIstDate(on)) throw new RangeError(`on must be a date (YYYY-MM-DD): ${JSON.stringify(on)}`);
  return on;
}

function latestOnOrBefore<T extends { effectiveFrom: IstDate }>(entries: readonly T[], on: IstDate, what: string): T {
  let found: T | undefined;
  for (const e of entries) if (e.effectiveFrom <= on) found = e;
  if (!found) throw new RangeError(`on: no ${what} before ${entries[0]?.effectiveFrom ?? "any date"} (asked for ${on})`);
  return found;
}

/** The statutory/exchange rate card in force for a segment on a date. */
export function rateCardFor(segment: Segment, on: IstDate): RateCard {
  const s = checkSegment(segment);
  return latestOnOrBefore(RATE_CARDS[s], checkDate(on), `${s} rate card`);
}

/** The brokerage rule of a plan in force for a segment on a date. */
export function brokerageEntryFor(plan: BrokeragePlan, segment: Segment, on: IstDate): BrokerageEntry {
  const s = checkSegment(segment);
  return latestOnOrBefore(plan.segments[s], checkDate(on), `${plan.name} ${s} brokerage rule`);
}

// --- input checks ----------------------------------------------------------

function checkPaise(field: string, v: unknown): bigint {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${field} must be a whole, non-negative number of paise: ${String(v)}`);
  }
  return BigInt(v);
}

function checkCount(field: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${field} must be a whole, non-negative number: ${String(v)}`);
  }
  return v;
}

/** The side's orders as either explicit values or (count, total) for an even split. */
type SideOrders = { values: bigint[] } | { count: bigint; total: bigint };

function sideOrders(side: "buy" | "sell", total: bigint, count: number | undefined, values: Paise[] | undefined): SideOrders {
  const countField = `${side}Orders`;
  const valuesField = `${side}OrderValues`;
  if (values !== undefined) {
    if (!Array.isArray(values)) throw new RangeError(`${valuesField} must be an array of paise`);
    const vs = values.map((v, i) => checkPaise(`${valuesField}[${i}]`, v));
    if (vs.some((v) => v === 0n)) throw new RangeError(`${valuesField}: every executed order must be worth more than zero`);
    const sum = vs.reduce((a, b) => a + b, 0n);
    if (sum !== total) throw new RangeError(`${valuesField} add up to ${sum} paise, not ${side}Value ${total}`);
    if (count !== undefined && checkCount(countField, count) !== vs.length) {
      throw new RangeError(`${countField} (${count}) disagrees with ${valuesField} (${vs.length} orders)`);
    }
    return { values: vs };
  }
  const n = count === undefined ? (total > 0n ? 1 : 0) : checkCount(countField, count);
  if (n === 0 && total > 0n) throw new RangeError(`${countField} is 0 but ${side}Value is above zero`);
  if (n > 0 && total === 0n) throw new RangeError(`${countField} is ${n} but ${side}Value is zero`);
  return { count: BigInt(n), total };
}

// --- brokerage -------------------------------------------------------------

/** Brokerage on one order worth value.num/value.den paise, rounded to the paisa. */
function orderBrokerage(entry: BrokerageEntry, value: Ratio): bigint {
  const rule = entry.rule;
  if (rule.kind === "flat") return BigInt(rule.perOrder);
  const p = percentToRatio(rule.percent);
  let fee: Ratio = { num: value.num * p.num, den: value.den * p.den };
  // Cap and minimum compare exact fractions, so rounding happens once, last.
  if (rule.cap !== undefined && fee.num > BigInt(rule.cap) * fee.den) fee = { num: BigInt(rule.cap), den: 1n };
  if (rule.minimum !== undefined && fee.num < BigInt(rule.minimum) * fee.den) fee = { num: BigInt(rule.minimum), den: 1n };
  return roundHalfUp(fee);
}

function sideBrokerage(entry: BrokerageEntry, orders: SideOrders): bigint {
  if ("values" in orders) return orders.values.reduce((sum, v) => sum + orderBrokerage(entry, { num: v, den: 1n }), 0n);
  if (orders.count === 0n) return 0n;
  // Even split: every order is worth total/count, so each pays the same fee.
  return orders.count * orderBrokerage(entry, { num: orders.total, den: orders.count });
}

// --- the calculator --------------------------------------------------------

export function computeCharges(input: ChargesInput): Charges {
  const segment = checkSegment(input.segment);
  const on = checkDate(input.on);
  const buy = checkPaise("buyValue", input.buyValue);
  const sell = checkPaise("sellValue", input.sellValue);
  const plan = input.brokerage ?? ANGEL_ONE_PLAN;

  const buyOrders = sideOrders("buy", buy, input.buyOrders, input.buyOrderValues);
  const sellOrders = sideOrders("sell", sell, input.sellOrders, input.sellOrderValues);

  let scrips = 0;
  if (input.scripsSoldFromDelivery !== undefined) {
    scrips = checkCount("scripsSoldFromDelivery", input.scripsSoldFromDelivery);
    if (scrips > 0 && (segment !== "equity-delivery" || sell === 0n)) {
      throw new RangeError("scripsSoldFromDelivery applies to equity-delivery sells only");
    }
    if (scrips === 0 && segment === "equity-delivery" && sell > 0n) {
      throw new RangeError("scripsSoldFromDelivery must be at least 1 on a delivery sell");
    }
  } else if (segment === "equity-delivery" && sell > 0n) {
    scrips = 1;
  }

  const card = rateCardFor(segment, on);
  const entry = brokerageEntryFor(plan, segment, on);
  const turnover = buy + sell;

  const brokerage = sideBrokerage(entry, buyOrders) + sideBrokerage(entry, sellOrders);
  const sttExact = add(times(buy, percentToRatio(card.sttBuy)), times(sell, percentToRatio(card.sttSell)));
  const stt = roundHalfUp({ num: sttExact.num, den: sttExact.den * 100n }) * 100n;
  const exchange = pctOf(turnover, card.exchange);
  const sebi = pctOf(turnover, card.sebi);
  const ipft = pctOf(turnover, card.ipft);
  const stamp = pctOf(buy, card.stampBuy);
  const dp = BigInt(plan.dpPerScrip) * BigInt(scrips);
  const gst = pctOf(brokerage + exchange + sebi + ipft + dp, card.gst);
  const total = brokerage + stt + exchange + sebi + stamp + ipft + gst + dp;

  const n = (v: bigint) => Number(v);
  return {
    brokerage: n(brokerage),
    stt: n(stt),
    exchange: n(exchange),
    sebi: n(sebi),
    stamp: n(stamp),
    ipft: n(ipft),
    gst: n(gst),
    dp: n(dp),
    total: n(total),
  };
}
