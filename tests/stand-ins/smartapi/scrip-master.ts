/**
 * The instrument master the stand-in serves: the shipped sample (35 real rows
 * in Angel One's format) plus an NSE cash row for every stock in
 * data/nifty50_daily that the sample lacks, so every shipped symbol can be
 * quoted and traded.
 *
 * The added rows are made up: their tokens are not Angel One's. A token comes
 * from a hash of the symbol (so it stays the same when other symbols are added
 * or removed) in a range the sample does not use. Their tick size follows NSE's
 * price bands at the last shipped close (₹0.01 under ₹250, else ₹0.05).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SCRIP_MASTER_SAMPLE } from "../../../src/engine/market/instruments.js";
import { NIFTY50_DIR, shippedSymbols } from "../../../src/engine/market/shipped-data.js";
import { toPaise } from "../../../src/engine/money.js";

/** One record exactly as the scrip master JSON holds it: every field a string. */
export interface ScripRecord {
  token: string;
  symbol: string;
  name: string;
  expiry: string;
  strike: string;
  lotsize: string;
  instrumenttype: string;
  exch_seg: string;
  tick_size: string;
}

/** Made-up tokens live in 900000–989999; Angel One's NSE cash tokens in the sample are far below. */
const MADE_UP_BASE = 900_000;
const MADE_UP_SPAN = 90_000;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The last close in a shipped CSV, in paise (the file ends with the newest day). */
function lastClose(symbol: string): number {
  const lines = readFileSync(join(NIFTY50_DIR, `${symbol}.csv`), "utf8").trimEnd().split(/\r?\n/);
  const close = lines[lines.length - 1]?.split(",")[4];
  return close ? toPaise(close) : 0;
}

export function loadSampleRecords(path = SCRIP_MASTER_SAMPLE): ScripRecord[] {
  return JSON.parse(readFileSync(path, "utf8")) as ScripRecord[];
}

/** The sample plus made-up `-EQ` rows for the shipped symbols it lacks. */
export function buildScripMaster(): ScripRecord[] {
  const records = loadSampleRecords();
  const used = new Set(records.map((r) => r.token));
  const have = new Set(records.filter((r) => r.exch_seg === "NSE").map((r) => r.symbol));
  for (const name of shippedSymbols()) {
    const symbol = `${name}-EQ`;
    if (have.has(symbol)) continue;
    let n = fnv1a(symbol) % MADE_UP_SPAN;
    while (used.has(String(MADE_UP_BASE + n))) n = (n + 1) % MADE_UP_SPAN;
    const token = String(MADE_UP_BASE + n);
    used.add(token);
    records.push({
      token,
      symbol,
      name,
      expiry: "",
      strike: "-1.000000",
      lotsize: "1",
      instrumenttype: "",
      exch_seg: "NSE",
      tick_size: lastClose(name) < 25_000 ? "1.000000" : "5.000000",
    });
  }
  return records;
}
