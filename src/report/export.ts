/**
 * The desk's books as CSV files for a trader's spreadsheet (/export): the closed
 * trades in the backtest's trades.csv format, and the open positions. Pure text
 * from plain data: "\n" line endings, a trailing newline, money as rupees with
 * 2 decimals written from integer paise, times ISO 8601 with +05:30.
 */
import { tradesCsv, TRADES_CSV_HEADER } from "../engine/backtest/csv.js";
import type { TradeLike } from "../engine/backtest/metrics.js";
import type { Paise } from "../engine/money.js";
import type { PositionLine } from "../engine/reports.js";
import { toIsoIst } from "../engine/time/ist.js";

export { TRADES_CSV_HEADER };

export const POSITIONS_CSV_HEADER = "id,symbol,strategy,side,qty,avgPrice,lastPrice,unrealized,stop,unit,openedAt";

/** What positions.csv reads of a position line (desk.reports.positions gives these). */
export type PositionCsvLine = Pick<PositionLine, "id" | "symbol" | "strategy" | "side" | "qty" | "avgPrice" | "lastPrice" | "unrealized" | "stop" | "unit" | "openedAt">;

/** A closed trade as trades.csv needs it, plus the id that orders trades closed at the same instant. */
export type ExportTrade = TradeLike & { id?: number };

/**
 * Every closed trade, oldest exit first (the store lists newest first), in the
 * backtest's exact format so one spreadsheet reads both. Ties on the exit time
 * keep the id order, so the same book always gives the same bytes.
 */
export function exportTradesCsv(trades: readonly ExportTrade[]): string {
  const sorted = [...trades].sort((a, b) => a.exitTime.getTime() - b.exitTime.getTime() || (a.id ?? 0) - (b.id ?? 0));
  return tradesCsv(sorted);
}

/**
 * One row per open position, in the order given. Empty fields for what is not
 * known: no last price yet, no stop, no pyramid unit.
 */
export function positionsCsv(lines: readonly PositionCsvLine[]): string {
  const out = [POSITIONS_CSV_HEADER];
  for (const p of lines) {
    out.push(
      [
        String(p.id),
        field(p.symbol),
        field(p.strategy),
        p.side,
        String(p.qty),
        rupees2(p.avgPrice),
        p.lastPrice === null ? "" : rupees2(p.lastPrice),
        rupees2(p.unrealized),
        p.stop === null ? "" : rupees2(p.stop),
        p.unit === null ? "" : String(p.unit),
        toIsoIst(p.openedAt),
      ].join(","),
    );
  }
  return out.join("\n") + "\n";
}

// The two helpers below repeat engine/backtest/csv.ts's private ones: same quoting, same rupees.

/** RFC 4180: quote a field holding a comma, quote or line break; double inner quotes. */
function field(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Paise → "1234.50" / "-0.05", from the integer so float noise never shows. */
function rupees2(p: Paise): string {
  const n = Math.round(p);
  const abs = Math.abs(n);
  return `${n < 0 ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
