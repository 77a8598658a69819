/** Small pieces both SVG charts share. */

/** At most `max` evenly spread indices of 0..n−1, first and last included. */
export function labelIndices(n: number, max: number): number[] {
  const k = Math.min(n, max);
  if (k === 1) return [0];
  const out: number[] = [];
  for (let j = 0; j < k; j++) {
    const i = Math.round((j * (n - 1)) / (k - 1));
    if (out[out.length - 1] !== i) out.push(i);
  }
  return out;
}

/** A coordinate with two decimals, never "-0.00": the same input gives the same bytes. */
export function f(v: number): string {
  const s = v.toFixed(2);
  return s === "-0.00" ? "0.00" : s;
}

/** Text for an SVG element or attribute. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
