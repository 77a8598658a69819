/**
 * CSV exports of a run: the trade list and the daily equity curve.
 * Byte-for-byte reproducible: no locale, no clock; "\n" line endings and a
 * trailing newline; fields quoted per RFC 4180 only when they need it.
 * Money is rupees with 2 decimals, written from integer paise (no float drift).
 */
import type { Paise } from "../money.js";
import { toIsoIst } from "../time/ist.js";
import { drawdownSeries, round, type EquityRow, type TradeLike } from "./metrics.js";

export const TRADES_CSV_HEADER = "symbol,side,entryTime,entryPrice,exitTime,exitPrice,qty,gross,charges,net,r,exitReason";
export const EQUITY_CSV_HEADER = "date,equity,drawdownPct";

export function tradesCsv(trades: readonly TradeLike[]): string {
  const lines = [TRADES_CSV_HEADER];
  for (const t of trades) {
    lines.push(
      [
        field(t.symbol),
        field(t.side),
        toIsoIst(t.entryTime),
        rupees2(t.entryPrice),
        toIsoIst(t.exitTime),
        rupees2(t.exitPrice),
        String(t.qty),
        rupees2(t.gross),
        rupees2(t.charges),
        rupees2(t.net),
        t.r === null ? "" : fixed4(t.r),
        field(t.exitReason),
      ].join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/** The equity curve with each day's drawdown from the running high (≤ 0, percent). */
export function equityCsv(rows: readonly EquityRow[]): string {
  const dd = drawdownSeries(rows);
  const lines = [EQUITY_CSV_HEADER];
  rows.forEach((row, i) => lines.push([field(row.date), rupees2(row.equity), fixed4(dd[i]!)].join(",")));
  return lines.join("\n") + "\n";
}

/** RFC 4180: quote a field holding a comma, quote or line break; double inner quotes. */
function field(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Paise → "1234.50" / "-0.05", from the integer so 0.1 + 0.2 never shows up. */
function rupees2(p: Paise): string {
  const n = Math.round(p);
  const abs = Math.abs(n);
  return `${n < 0 ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

function fixed4(x: number): string {
  return round(x, 4).toFixed(4);
}
