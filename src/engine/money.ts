/**
 * Money is held as integer paise (1 rupee = 100 paise) so sums are exact.
 * A JS number holds integers exactly up to 2^53 paise (about ₹90 lakh crore).
 */
export type Paise = number;

/** Rupees (number or decimal string) to paise, rounding half away from zero. */
export function toPaise(rupees: number | string): Paise {
  if (typeof rupees === "string") {
    const m = /^\s*(-)?(\d+)(?:\.(\d+))?\s*$/.exec(rupees);
    if (!m) throw new RangeError(`not an amount in rupees: ${JSON.stringify(rupees)}`);
    const frac = (m[3] ?? "").padEnd(3, "0");
    let p = Number(m[2]) * 100 + Number(frac.slice(0, 2));
    if (Number(frac[2]) >= 5) p += 1;
    return m[1] ? -p : p;
  }
  if (!Number.isFinite(rupees)) throw new RangeError(`not an amount in rupees: ${rupees}`);
  // Float inputs like 1060.55 sit a hair off; a tiny nudge makes .5 paise round away from zero.
  const scaled = rupees * 100;
  return Math.sign(scaled) * Math.round(Math.abs(scaled) + 1e-7);
}

/** Paise to rupees as a JSON-friendly number (exact to 2 decimals). */
export function toRupees(paise: Paise): number {
  return paise / 100;
}

/** Indian digit grouping: 12345678.9 → "1,23,45,678.90". */
export function groupIndian(paise: Paise): string {
  const neg = paise < 0;
  const abs = Math.abs(Math.round(paise));
  const whole = Math.floor(abs / 100).toString();
  const frac = (abs % 100).toString().padStart(2, "0");
  let grouped = whole;
  if (whole.length > 3) {
    const head = whole.slice(0, -3);
    grouped = head.replace(/\B(?=(\d{2})+(?!\d))/g, ",") + "," + whole.slice(-3);
  }
  return `${neg ? "-" : ""}${grouped}.${frac}`;
}

/** "₹1,23,456.78", "-₹12.50". */
export function formatRupees(paise: Paise): string {
  const s = groupIndian(paise);
  return s.startsWith("-") ? `-₹${s.slice(1)}` : `₹${s}`;
}

/** "+₹1,200.00" / "-₹300.00": for P&L, where the sign is the news. */
export function formatSignedRupees(paise: Paise): string {
  return paise > 0 ? `+${formatRupees(paise)}` : formatRupees(paise);
}

export type TickRounding = "nearest" | "down" | "up";

/** Puts a price (paise) on the instrument's tick (paise). */
export function roundToTick(price: Paise, tick: Paise, mode: TickRounding = "nearest"): Paise {
  if (!Number.isInteger(tick) || tick <= 0) throw new RangeError(`tick must be a positive whole number of paise: ${tick}`);
  const q = price / tick;
  const n = mode === "down" ? Math.floor(q) : mode === "up" ? Math.ceil(q) : Math.round(q);
  return n * tick;
}
