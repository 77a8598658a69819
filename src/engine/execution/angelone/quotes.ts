/**
 * Quotes in batches: SmartAPI's market-data call takes at most 50 tokens per
 * request, grouped by exchange.
 */
import type { Quote } from "../broker.js";
import { toPaise } from "../../money.js";
import type { AngelInstrument } from "./instruments.js";
import type { QuoteRow } from "./schemas.js";

export const MAX_TOKENS_PER_QUOTE = 50;

/** Distinct instruments in requests of at most `max` tokens, each as SmartAPI's `exchangeTokens`. */
export function quoteBatches(instruments: readonly AngelInstrument[], max = MAX_TOKENS_PER_QUOTE): Array<Record<string, string[]>> {
  const seen = new Set<string>();
  const batches: Array<Record<string, string[]>> = [];
  let current: Record<string, string[]> = {};
  let count = 0;
  for (const i of instruments) {
    const key = `${i.exchange}:${i.token}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (count === max) {
      batches.push(current);
      current = {};
      count = 0;
    }
    (current[i.exchange] ??= []).push(i.token);
    count++;
  }
  if (count > 0) batches.push(current);
  return batches;
}

/** A fetched row as our quote; a field the mode did not send falls back on the LTP. */
export function toQuote(row: QuoteRow, symbol: string, at: Date): Quote {
  const ltp = toPaise(row.ltp);
  const or = (v: number | null | undefined): number => (v === null || v === undefined || v <= 0 ? ltp : toPaise(v));
  return { symbol, ltp, open: or(row.open), high: or(row.high), low: or(row.low), close: or(row.close), at };
}
