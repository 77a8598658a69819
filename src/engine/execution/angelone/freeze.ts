/**
 * NSE's quantity freeze limits for index F&O and the split of a large order
 * into pieces that each pass it.
 *
 * The limit is the most units one order may carry (Angel's own table calls it
 * "maximum units you can buy or sell per order"; an order above it is
 * rejected), so a piece may equal it. NSE revises the limits every month or
 * two by circular, so they are data: data/freeze_quantities.csv, one row per
 * underlying and effective date, each naming where it was read. A row holds
 * from its date until the next row of that underlying. Known gap: a revision
 * around May 2025 was not found; the 2025-03-03 row stands until 2025-07-01.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "../../market/shipped-data.js";
import { isIstDate, type IstDate } from "../../time/ist.js";

export const FREEZE_QUANTITIES_CSV = join(DATA_DIR, "freeze_quantities.csv");
const HEADER = "underlying,effective_from,freeze_qty,source";

export interface FreezeRow {
  underlying: string;
  effectiveFrom: IstDate;
  freezeQty: number;
  source: string;
}

/** Shipped data: a bad row is a bug and throws with file and line. The source column may hold commas. */
export function parseFreezeCsv(text: string, file = "freeze_quantities.csv"): FreezeRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER) throw new Error(`${file}: unexpected header "${lines[0]}" (expected ${HEADER})`);
  const rows: FreezeRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const where = `${file}:${i + 1}`;
    const m = /^([A-Z0-9&-]+),([^,]*),([^,]*),(.+)$/.exec(line);
    if (!m) throw new Error(`${where}: expected ${HEADER}`);
    const [, underlying, from, qty, source] = m as unknown as [string, string, string, string, string];
    if (!isIstDate(from)) throw new Error(`${where}: effective_from is not a date: ${from}`);
    if (!/^[1-9]\d*$/.test(qty)) throw new Error(`${where}: freeze_qty is not a positive whole number: ${qty}`);
    rows.push({ underlying, effectiveFrom: from, freezeQty: Number(qty), source: source.trim() });
  }
  return rows;
}

export class FreezeTable {
  private readonly byUnderlying = new Map<string, FreezeRow[]>();

  constructor(rows: readonly FreezeRow[]) {
    for (const r of rows) {
      const list = this.byUnderlying.get(r.underlying) ?? [];
      list.push(r);
      this.byUnderlying.set(r.underlying, list);
    }
    for (const [u, list] of this.byUnderlying) {
      list.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.effectiveFrom === list[i - 1]!.effectiveFrom) throw new Error(`freeze quantities: two rows for ${u} from ${list[i]!.effectiveFrom}`);
      }
    }
  }

  static load(file = FREEZE_QUANTITIES_CSV): FreezeTable {
    return new FreezeTable(parseFreezeCsv(readFileSync(file, "utf8"), file));
  }

  /** The freeze quantity of an underlying's contracts on a trading day; undefined when the table has none (stock F&O, or a date before it starts). */
  freezeQty(underlying: string, on: IstDate): number | undefined {
    let found: FreezeRow | undefined;
    for (const r of this.byUnderlying.get(underlying) ?? []) if (r.effectiveFrom <= on) found = r;
    return found?.freezeQty;
  }
}

/**
 * `qty` in pieces of whole lots, none above `freezeQty`: as many full pieces
 * as fit (the largest whole number of lots within the limit), then the rest.
 * Throws a RangeError when qty is not whole lots or one lot exceeds the limit.
 */
export function splitAtFreeze(qty: number, freezeQty: number, lot: number): number[] {
  for (const [name, v] of [["quantity", qty], ["freeze quantity", freezeQty], ["lot", lot]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive whole number, got ${v}`);
  }
  if (qty % lot !== 0) throw new RangeError(`quantity ${qty} is not a whole number of lots of ${lot}`);
  const maxPiece = Math.floor(freezeQty / lot) * lot;
  if (maxPiece === 0) throw new RangeError(`one lot (${lot}) is above the freeze quantity ${freezeQty}`);
  const pieces: number[] = [];
  let left = qty;
  while (left > maxPiece) {
    pieces.push(maxPiece);
    left -= maxPiece;
  }
  pieces.push(left);
  return pieces;
}
