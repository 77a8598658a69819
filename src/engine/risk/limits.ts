import { formatRupees, type Paise } from "../money.js";
import { formatIst, istDate, istTime } from "../time/ist.js";

/**
 * Hard limits on NEW ENTRIES. Pure: the desk gathers the numbers (equity marked to
 * market, open positions, recent orders, the clock) and asks; nothing here reads a
 * clock or a database.
 *
 * Exits are never checked: a limit exists to stop risk being added, and refusing an
 * exit would trap the trader in the very risk the limit guards against (see checkExit).
 */
export interface LimitSettings {
  /** Per stock: value already held in the symbol + the new order ≤ this % of capital. */
  MAX_POSITION_PCT: number;
  /** Open risk (entry to stop, all positions) + the new order's ≤ this % of equity. */
  MAX_OPEN_RISK_PCT: number;
  /** Drawdown from peak equity; new entries stop at 90% of it. */
  MAX_DRAWDOWN_PCT: number;
  /** Distinct symbols held, counting the new one. */
  MAX_OPEN_POSITIONS: number;
  /** Open value (all positions) + the new order ≤ this % of equity. */
  MAX_EXPOSURE_PCT: number;
  /** Orders placed in the 60 seconds before now, counting the new one. */
  MAX_ORDERS_PER_MINUTE: number;
}

export const DEFAULT_LIMITS: Readonly<LimitSettings> = Object.freeze({
  MAX_POSITION_PCT: 20,
  MAX_OPEN_RISK_PCT: 6,
  MAX_DRAWDOWN_PCT: 20,
  MAX_OPEN_POSITIONS: 10,
  MAX_EXPOSURE_PCT: 100,
  MAX_ORDERS_PER_MINUTE: 10,
});

/** New entries stop once drawdown reaches this share of MAX_DRAWDOWN_PCT (seed 000: 90%). */
export const DRAWDOWN_STOP_SHARE = 0.9;

/** One open position, or the new order, as the limits see it. */
export interface Exposure {
  symbol: string;
  /** Value in paise (positive for longs and shorts alike). */
  value: Paise;
  /** Money lost if the stop is hit: qty × |entry − stop|, or the whole value with no stop. */
  risk: Paise;
}

export interface LimitContext {
  now: Date;
  /** CAPITAL: what per-stock sizes are a percentage of. */
  capital: Paise;
  /** Equity marked to market now. */
  equity: Paise;
  /** Highest equity so far (a lower value than equity is read as equity). */
  peakEquity: Paise;
  positions: readonly Exposure[];
  /** The entry being asked for; `margin` is the cash it ties up (default its value). */
  order: Exposure & { margin?: Paise };
  /** When orders were placed; those in the 60 s before now count. */
  recentOrders: ReadonlyArray<Date | number>;
  market: { open: boolean; why?: string };
  /** Cash / margin the broker would let us use now. */
  availableMargin: Paise;
  halted?: boolean;
  paused?: boolean;
  breaker?: { tripped: boolean; trippedAt?: string; reason?: string };
  settings?: Partial<LimitSettings>;
}

export type LimitName =
  | "HALTED"
  | "CIRCUIT_BREAKER"
  | "PAUSED"
  | "MARKET_HOURS"
  | "ORDER"
  | "EQUITY"
  | "MAX_DRAWDOWN_PCT"
  | "MAX_ORDERS_PER_MINUTE"
  | "MAX_OPEN_POSITIONS"
  | "MAX_POSITION_PCT"
  | "MAX_EXPOSURE_PCT"
  | "MAX_OPEN_RISK_PCT"
  | "AVAILABLE_MARGIN";

export type LimitCheck = { ok: true } | { ok: false; limit: LimitName; reason: string };

/** Fills unset settings with the defaults and names any that make no sense. */
export function resolveLimits(partial: Partial<LimitSettings> = {}): LimitSettings {
  const s: LimitSettings = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(partial) as [keyof LimitSettings, number | undefined][]) {
    if (v !== undefined) s[k] = v;
  }
  const pct = (k: keyof LimitSettings, max: number) => {
    if (!(Number.isFinite(s[k]) && s[k] > 0 && s[k] <= max)) throw new RangeError(`${k}: expected a percent above 0 and at most ${max}, got ${s[k]}`);
  };
  const count = (k: keyof LimitSettings) => {
    if (!(Number.isInteger(s[k]) && s[k] >= 1)) throw new RangeError(`${k}: expected a whole number of at least 1, got ${s[k]}`);
  };
  pct("MAX_POSITION_PCT", 100);
  pct("MAX_OPEN_RISK_PCT", 100);
  pct("MAX_DRAWDOWN_PCT", 100);
  // Above 100% is leverage (F&O margin): allowed, but bounded against typos.
  pct("MAX_EXPOSURE_PCT", 1000);
  count("MAX_OPEN_POSITIONS");
  count("MAX_ORDERS_PER_MINUTE");
  return s;
}

/**
 * An open position's exposure. Risk counts only the loss side of the stop: a long whose
 * stop has trailed above its entry can no longer lose from entry, so it adds no open risk.
 */
export function positionExposure(p: { symbol: string; side?: "long" | "short"; qty: number; entry: Paise; mark?: Paise; stop: Paise | null }): Exposure {
  const qty = Math.abs(p.qty);
  const value = qty * (p.mark ?? p.entry);
  if (p.stop === null) return { symbol: p.symbol, value, risk: value };
  const perUnit = (p.side ?? "long") === "long" ? p.entry - p.stop : p.stop - p.entry;
  return { symbol: p.symbol, value, risk: qty * Math.max(0, perUnit) };
}

/** Percent settings as millionths of the base, so pct% of x is x × units / 1e6 in BigInt. */
function pctUnits(pct: number): bigint {
  return BigInt(Math.round(pct * 10_000));
}

/** amount ≤ base × pct / 100, exactly. */
function withinPct(amount: Paise, base: Paise, pct: number): boolean {
  return BigInt(amount) * 1_000_000n <= BigInt(base) * pctUnits(pct);
}

/** floor(base × pct / 100): the largest whole-paise amount within the limit. */
export function pctOf(base: Paise, pct: number): Paise {
  const p = BigInt(base) * pctUnits(pct);
  const q = p / 1_000_000n;
  return Number(p < 0n && q * 1_000_000n !== p ? q - 1n : q);
}

function pct2(amount: number, base: number): string {
  return `${((amount / base) * 100).toFixed(2)}%`;
}

function refuse(limit: LimitName, reason: string): LimitCheck {
  return { ok: false, limit, reason };
}

/** "11:02 IST" today, "03 Jan 2025 11:02 IST" on another day. */
function when(iso: string, now: Date): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return istDate(t) === istDate(now) ? `${istTime(t)} IST` : formatIst(t);
}

/**
 * May this entry go to the broker? The first limit it breaks, in this order: admin
 * switches (halt, breaker, pause), market hours, account health (drawdown), the order
 * rate, then the book (positions, per stock, exposure, open risk) and finally cash.
 * A value exactly at a limit passes; the drawdown stop bites at exactly 90%.
 */
export function checkEntry(ctx: LimitContext): LimitCheck {
  const s = resolveLimits(ctx.settings);
  const { order } = ctx;

  if (ctx.halted) return refuse("HALTED", "trading is halted by the admin");
  if (ctx.breaker?.tripped) {
    const at = ctx.breaker.trippedAt ? ` at ${when(ctx.breaker.trippedAt, ctx.now)}` : "";
    return refuse("CIRCUIT_BREAKER", `the daily-loss circuit breaker tripped${at}${ctx.breaker.reason ? `: ${ctx.breaker.reason}` : ""}`);
  }
  if (ctx.paused) return refuse("PAUSED", "entries are paused");
  if (!ctx.market.open) return refuse("MARKET_HOURS", `the market is closed${ctx.market.why ? `: ${ctx.market.why}` : ""}`);

  if (!Number.isSafeInteger(order.value) || order.value <= 0) return refuse("ORDER", `the order for ${order.symbol} has no value (${order.value} paise)`);
  if (!Number.isSafeInteger(order.risk) || order.risk < 0) return refuse("ORDER", `the order for ${order.symbol} has no valid risk (${order.risk} paise)`);
  if (ctx.equity <= 0) return refuse("EQUITY", `equity is ${formatRupees(ctx.equity)}: no new entries`);

  // Drawdown from peak; new entries stop at 90% of the limit: (peak − equity) / peak ≥ 0.9 × pct%.
  const peak = Math.max(ctx.peakEquity, ctx.equity);
  const dd = peak - ctx.equity;
  if (dd > 0 && BigInt(dd) * 10_000_000n >= BigInt(peak) * pctUnits(s.MAX_DRAWDOWN_PCT) * 9n) {
    const stopAt = (s.MAX_DRAWDOWN_PCT * DRAWDOWN_STOP_SHARE).toFixed(2);
    return refuse(
      "MAX_DRAWDOWN_PCT",
      `MAX_DRAWDOWN_PCT: equity ${formatRupees(ctx.equity)} is ${pct2(dd, peak)} below its peak of ${formatRupees(peak)}; new entries stop at ${stopAt}%, 90% of the ${s.MAX_DRAWDOWN_PCT}% limit`,
    );
  }

  const from = ctx.now.getTime() - 60_000;
  const lastMinute = ctx.recentOrders.filter((t) => {
    const ms = typeof t === "number" ? t : t.getTime();
    return ms > from && ms <= ctx.now.getTime();
  }).length;
  if (lastMinute + 1 > s.MAX_ORDERS_PER_MINUTE) {
    return refuse(
      "MAX_ORDERS_PER_MINUTE",
      `MAX_ORDERS_PER_MINUTE: ${lastMinute} order${lastMinute === 1 ? "" : "s"} in the last minute already, the limit is ${s.MAX_ORDERS_PER_MINUTE}`,
    );
  }

  const held = new Set(ctx.positions.map((p) => p.symbol));
  if (!held.has(order.symbol) && held.size + 1 > s.MAX_OPEN_POSITIONS) {
    return refuse(
      "MAX_OPEN_POSITIONS",
      `MAX_OPEN_POSITIONS: ${held.size} stock${held.size === 1 ? " is" : "s are"} held and ${order.symbol} would make ${held.size + 1}, above the limit of ${s.MAX_OPEN_POSITIONS}`,
    );
  }

  const heldValue = ctx.positions.filter((p) => p.symbol === order.symbol).reduce((a, p) => a + Math.abs(p.value), 0);
  const stockValue = heldValue + order.value;
  if (!withinPct(stockValue, ctx.capital, s.MAX_POSITION_PCT)) {
    const parts = heldValue > 0 ? `: ${formatRupees(heldValue)} held + ${formatRupees(order.value)} new` : "";
    return refuse(
      "MAX_POSITION_PCT",
      `MAX_POSITION_PCT: ${order.symbol} would be ${pct2(stockValue, ctx.capital)} of capital (${formatRupees(stockValue)}${parts}), above the ${s.MAX_POSITION_PCT}% limit (${formatRupees(pctOf(ctx.capital, s.MAX_POSITION_PCT))})`,
    );
  }

  const exposure = ctx.positions.reduce((a, p) => a + Math.abs(p.value), 0) + order.value;
  if (!withinPct(exposure, ctx.equity, s.MAX_EXPOSURE_PCT)) {
    return refuse(
      "MAX_EXPOSURE_PCT",
      `MAX_EXPOSURE_PCT: open value would be ${pct2(exposure, ctx.equity)} of equity (${formatRupees(exposure)}), above the ${s.MAX_EXPOSURE_PCT}% limit (${formatRupees(pctOf(ctx.equity, s.MAX_EXPOSURE_PCT))})`,
    );
  }

  const risk = ctx.positions.reduce((a, p) => a + Math.abs(p.risk), 0) + order.risk;
  if (!withinPct(risk, ctx.equity, s.MAX_OPEN_RISK_PCT)) {
    return refuse(
      "MAX_OPEN_RISK_PCT",
      `MAX_OPEN_RISK_PCT: open risk would be ${pct2(risk, ctx.equity)} of equity (${formatRupees(risk)}), above the ${s.MAX_OPEN_RISK_PCT}% limit (${formatRupees(pctOf(ctx.equity, s.MAX_OPEN_RISK_PCT))})`,
    );
  }

  const need = order.margin ?? order.value;
  if (need > ctx.availableMargin) {
    return refuse("AVAILABLE_MARGIN", `AVAILABLE_MARGIN: the order needs ${formatRupees(need)} and only ${formatRupees(Math.max(0, ctx.availableMargin))} is available`);
  }
  return { ok: true };
}

/**
 * Exits are always allowed: halted, paused, breaker tripped, in drawdown, over the
 * order rate or not. Every limit guards against adding risk; an exit only removes it.
 * (Whether the exchange takes the order is the broker's answer, not a limit's.)
 */
export function checkExit(): { ok: true } {
  return { ok: true };
}
