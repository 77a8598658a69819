import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { Bars } from "./reference.js";

const DATA_DIR = fileURLToPath(new URL("../../../data/nifty50_daily/", import.meta.url));

/** Daily bars of one shipped symbol, oldest first. */
export function loadDaily(symbol: string): Bars {
  const text = readFileSync(`${DATA_DIR}${symbol}.csv`, "utf8");
  const lines = text.trim().split(/\r?\n/);
  expect(lines[0]).toBe("timestamp,open,high,low,close,volume,oi");
  const bars: Bars = { open: [], high: [], low: [], close: [], volume: [] };
  for (const line of lines.slice(1)) {
    const f = line.split(",");
    bars.open.push(Number(f[1]));
    bars.high.push(Number(f[2]));
    bars.low.push(Number(f[3]));
    bars.close.push(Number(f[4]));
    bars.volume.push(Number(f[5]));
  }
  return bars;
}

/** Bars from rows of [open, high, low, close, volume]. */
export function barsOf(rows: readonly (readonly number[])[]): Bars {
  return {
    open: rows.map((r) => r[0]!),
    high: rows.map((r) => r[1]!),
    low: rows.map((r) => r[2]!),
    close: rows.map((r) => r[3]!),
    volume: rows.map((r) => r[4] ?? 0),
  };
}

/** Asserts bit-for-bit equality (Object.is: NaN equals NaN, 0 differs from -0). */
export function expectIdentical(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) bad.push(`#${i}: ${actual[i]} vs ${expected[i]}`);
  }
  expect(bad.slice(0, 5), `${label}: ${bad.length} bars differ`).toEqual([]);
}

/** Asserts |a - b| <= tol wherever b is a number, and NaN exactly where b is NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): number {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = 0;
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) bad.push(`#${i}: ${a} vs ${e}`);
      continue;
    }
    const d = Math.abs(a - e);
    if (d > worst) worst = d;
    if (d > tol) bad.push(`#${i}: ${a} vs ${e}`);
  }
  expect(bad.slice(0, 5), `${label}: ${bad.length} bars off by more than ${tol}`).toEqual([]);
  return worst;
}

/** First index holding a number (not NaN). */
export function firstValid(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!)) return i;
  return -1;
}
