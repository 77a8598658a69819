import type { Paise } from "../money.js";

/**
 * Half-Kelly from a strategy's closed trades (seed 000, Component 4.1):
 *
 *   Kelly = W − (1 − W) / R     W = win rate, R = average win / average loss
 *   fraction = Kelly / 2, clamped to [0, 20%]
 *
 * Until the strategy has 20 closed trades the estimate is noise, so it gets a flat 5%.
 * A win is a trade with net > 0; every other trade (a loss, or a scratch at exactly
 * ₹0.00 after charges) is a non-win, and the average loss is over all non-wins. That
 * keeps W·avgWin − (1−W)·avgLoss equal to the mean net P&L, so Kelly is simply
 * mean net / average win.
 *
 * Edge cases: no money lost (every non-win a scratch, or no non-wins) makes R infinite:
 * payoff is reported as null and Kelly is W, which the clamp holds at 20%. No wins
 * gives 0: nothing says the strategy has an edge.
 *
 * The arithmetic is exact: Kelly = (Σwins − Σlosses) × wins / (n × Σwins), in BigInt,
 * with one rounding when the final ratio becomes a number.
 */
export interface KellyOptions {
  /** Closed trades needed before the trades speak for themselves (default 20). */
  minTrades?: number;
  /** The fraction used until then (default 0.05). */
  defaultFraction?: number;
  /** Upper clamp on half-Kelly (default 0.20). */
  maxFraction?: number;
}

export interface KellyEstimate {
  /** Share of capital one position of this strategy may take, 0 … maxFraction. */
  fraction: number;
  /** Closed trades it was computed from. */
  trades: number;
  /** Wins / trades (0 with no trades). */
  winRate: number;
  /** Average win / average loss; null when nothing was lost or nothing was won. */
  payoff: number | null;
  /** One line for the trader: why this fraction. */
  reason: string;
}

export const KELLY_MIN_TRADES = 20;
export const KELLY_DEFAULT_FRACTION = 0.05;
export const KELLY_MAX_FRACTION = 0.2;

export function kellyFraction(trades: ReadonlyArray<{ net: Paise }>, opts: KellyOptions = {}): KellyEstimate {
  const minTrades = opts.minTrades ?? KELLY_MIN_TRADES;
  const dflt = opts.defaultFraction ?? KELLY_DEFAULT_FRACTION;
  const max = opts.maxFraction ?? KELLY_MAX_FRACTION;
  if (!Number.isInteger(minTrades) || minTrades < 1) throw new RangeError(`minTrades must be a whole number of at least 1, got ${minTrades}`);
  if (!(dflt >= 0 && dflt <= 1)) throw new RangeError(`defaultFraction must be between 0 and 1, got ${dflt}`);
  if (!(max >= 0 && max <= 1)) throw new RangeError(`maxFraction must be between 0 and 1, got ${max}`);

  let wins = 0;
  let sumWin = 0n;
  let sumLoss = 0n; // as a positive amount
  trades.forEach((t, i) => {
    if (!Number.isSafeInteger(t.net)) throw new RangeError(`trade ${i + 1}: net P&L must be whole paise, got ${t.net}`);
    if (t.net > 0) {
      wins++;
      sumWin += BigInt(t.net);
    } else sumLoss += BigInt(-t.net);
  });
  const n = trades.length;
  const losses = n - wins;
  const winRate = n === 0 ? 0 : wins / n;
  const payoff = wins === 0 || sumLoss === 0n ? null : ratio(sumWin * BigInt(losses), sumLoss * BigInt(wins));
  const pct = (f: number) => `${(f * 100).toFixed(2)}%`;
  const base = { trades: n, winRate, payoff };

  if (n < minTrades) {
    return { ...base, fraction: dflt, reason: `${n} closed trade${n === 1 ? "" : "s"}, fewer than ${minTrades}: the conservative ${pct(dflt)} until there are enough` };
  }
  if (wins === 0) return { ...base, fraction: 0, reason: `no winning trade in ${n}: 0%, no evidence of an edge` };

  const stats = `win rate ${pct(winRate)}, payoff ${payoff === null ? "unbounded (no losses)" : payoff.toFixed(2)}, ${n} trades`;
  // Kelly = (Σwins − Σlosses) × wins / (n × Σwins); half of it is the same over 2 × n × Σwins.
  const num = (sumWin - sumLoss) * BigInt(wins);
  const den = 2n * BigInt(n) * sumWin;
  if (num <= 0n) return { ...base, fraction: 0, reason: `half-Kelly is ${pct(ratio(num, den))} (${stats}): no edge, 0%` };
  const half = ratio(num, den);
  if (half >= max) return { ...base, fraction: max, reason: `half-Kelly ${pct(half)} (${stats}), capped at ${pct(max)}` };
  return { ...base, fraction: half, reason: `half-Kelly ${pct(half)} (${stats})` };
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** num / den as the nearest number: exact when the reduced terms fit in a double, else to 1e-18. */
function ratio(num: bigint, den: bigint): number {
  const g = gcd(num, den) || 1n;
  const n = num / g;
  const d = den / g;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  if (n <= safe && n >= -safe && d <= safe) return Number(n) / Number(d);
  const SCALE = 10n ** 18n;
  return Number((n * SCALE) / d) / 1e18;
}
