/**
 * The symbol sets the scanner reads: the 50 shipped Nifty 50 stocks, the NIFTY
 * BANK index, or a text file of symbols (one a line, # comments allowed).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Candle, Timeframe } from "./candle.js";
import { BANKNIFTY, loadBankNifty75m, loadBankNiftyDaily, loadShippedDaily, NIFTY50_DIR, shippedSymbols } from "./shipped-data.js";

export const UNIVERSE_NAMES = ["nifty50", "banknifty"] as const;

export class UniverseError extends Error {
  override name = "UniverseError";
}

export interface Universe {
  /** "nifty50", "banknifty" or the file's path as given. */
  name: string;
  /** Bars per symbol, oldest first, in the requested timeframe. */
  series: Map<string, Candle[]>;
  /** False for an index: its bars carry no volume. */
  hasVolume: boolean;
}

function bySymbol(candles: Candle[]): Map<string, Candle[]> {
  const out = new Map<string, Candle[]>();
  for (const c of candles) {
    const list = out.get(c.symbol);
    if (list) list.push(c);
    else out.set(c.symbol, [c]);
  }
  for (const list of out.values()) list.sort((a, b) => a.time.getTime() - b.time.getTime());
  return out;
}

/** Every symbol with shipped bars. */
export function knownSymbols(): string[] {
  return [...shippedSymbols(NIFTY50_DIR), BANKNIFTY];
}

/** Symbols of a universe file: one a line, blank lines and # comments ignored. Unknown symbols are named. */
export function readUniverseFile(path: string, cwd: string): string[] {
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new UniverseError(`universe file ${path} does not exist; use nifty50, banknifty or a text file with one symbol a line`);
  if (!statSync(full).isFile()) throw new UniverseError(`universe ${path} is not a file`);
  const symbols: string[] = [];
  const seen = new Set<string>();
  const known = new Set(knownSymbols());
  const unknown: string[] = [];
  readFileSync(full, "utf8")
    .split(/\r?\n/)
    .forEach((raw) => {
      const s = raw.replace(/#.*/, "").trim().toUpperCase();
      if (s === "" || seen.has(s)) return;
      seen.add(s);
      if (known.has(s)) symbols.push(s);
      else unknown.push(s);
    });
  if (unknown.length) {
    throw new UniverseError(`unknown symbol${unknown.length > 1 ? "s" : ""} in ${path}: ${unknown.join(", ")}; shipped symbols: ${[...known].join(", ")}`);
  }
  if (symbols.length === 0) throw new UniverseError(`universe file ${path} lists no symbols (one a line, # starts a comment)`);
  return symbols;
}

/** Loads a universe's bars in `timeframe` ("1d", or "75m" where shipped: Bank Nifty only). */
export function loadUniverse(name: string, timeframe: Timeframe, cwd = process.cwd()): Universe {
  const symbols = name === "nifty50" ? shippedSymbols(NIFTY50_DIR) : name === "banknifty" ? [BANKNIFTY] : readUniverseFile(name, cwd);
  const wantBank = symbols.includes(BANKNIFTY);
  const stocks = symbols.filter((s) => s !== BANKNIFTY);
  if (timeframe === "75m" && stocks.length > 0) {
    throw new UniverseError(`75-minute bars are shipped for ${BANKNIFTY} only, not ${stocks.slice(0, 5).join(", ")}${stocks.length > 5 ? ", ..." : ""}; use --universe banknifty`);
  }
  if (timeframe !== "1d" && timeframe !== "75m") throw new UniverseError(`no shipped ${timeframe} bars; strategies read 1d or 75m bars`);
  const candles: Candle[] = [];
  if (stocks.length) candles.push(...loadShippedDaily(NIFTY50_DIR, stocks).candles);
  if (wantBank) candles.push(...(timeframe === "75m" ? loadBankNifty75m() : loadBankNiftyDaily()).candles);
  const series = bySymbol(candles);
  const hasVolume = [...series.values()].every((list) => list.some((c) => c.volume > 0));
  return { name, series, hasVolume };
}
