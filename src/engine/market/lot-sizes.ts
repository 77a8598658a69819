/**
 * Index F&O lot sizes through time, for contracts older than the shipped
 * instrument master. For any contract the master lists, the master's lotsize
 * is the answer; this table is history, kept as data (data/lot_sizes.csv).
 *
 * Rows are keyed by contract EXPIRY, not trade date, because NSE revisions
 * apply to newly listed contracts while listed ones keep their lot: a row
 * holds for contracts expiring on or after `effective_from_expiry` until the
 * next row of that underlying. That is why NIFTY has 75 → 25 → 75 around
 * January 2025: the January 2025 monthly was listed before the revision.
 *
 * Known gap: long-dated (quarterly/half-yearly) contracts were re-lotted
 * mid-life on a stated day; the table gives the lot they had at expiry.
 * The last row of an underlying stays in force until a newer row is added.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isIstDate, type IstDate } from "../time/ist.js";
import { DATA_DIR } from "./shipped-data.js";

export const LOT_SIZES_CSV = join(DATA_DIR, "lot_sizes.csv");
const HEADER = "underlying,effective_from_expiry,lot_size,source";

export interface LotSizeRow {
  underlying: string;
  effectiveFromExpiry: IstDate;
  lotSize: number;
  source: string;
}

/** Parses the CSV. Shipped data, so a bad row is a bug and throws (file and line). The source column may contain commas. */
export function parseLotSizesCsv(text: string, file = "lot_sizes.csv"): LotSizeRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER) throw new Error(`${file}: unexpected header "${lines[0]}" (expected ${HEADER})`);
  const rows: LotSizeRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const m = /^([A-Z0-9&-]+),([^,]*),([^,]*),(.+)$/.exec(line);
    const where = `${file}:${i + 1}`;
    if (!m) throw new Error(`${where}: expected underlying,effective_from_expiry,lot_size,source`);
    const [, underlying, from, lot, source] = m as unknown as [string, string, string, string, string];
    if (!isIstDate(from)) throw new Error(`${where}: effective_from_expiry is not a date: ${from}`);
    if (!/^[1-9]\d*$/.test(lot)) throw new Error(`${where}: lot_size is not a positive whole number: ${lot}`);
    rows.push({ underlying, effectiveFromExpiry: from, lotSize: Number(lot), source: source.trim() });
  }
  return rows;
}

export class LotSizeTable {
  private readonly byUnderlying = new Map<string, LotSizeRow[]>();

  constructor(rows: readonly LotSizeRow[]) {
    for (const r of rows) {
      const list = this.byUnderlying.get(r.underlying) ?? [];
      list.push(r);
      this.byUnderlying.set(r.underlying, list);
    }
    for (const [u, list] of this.byUnderlying) {
      list.sort((a, b) => a.effectiveFromExpiry.localeCompare(b.effectiveFromExpiry));
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.effectiveFromExpiry === list[i - 1]!.effectiveFromExpiry) {
          throw new Error(`lot sizes: two rows for ${u} from ${list[i]!.effectiveFromExpiry}`);
        }
      }
    }
  }

  underlyings(): string[] {
    return [...this.byUnderlying.keys()].sort();
  }

  /** The row in force for a contract of `underlying` expiring on `expiry`. */
  rowFor(underlying: string, expiry: IstDate): LotSizeRow {
    if (!isIstDate(expiry)) throw new RangeError(`not a date (YYYY-MM-DD): ${expiry}`);
    const list = this.byUnderlying.get(underlying);
    if (!list) throw new RangeError(`lot sizes: no table for ${underlying} (expiry ${expiry}); known: ${this.underlyings().join(", ")}`);
    let found: LotSizeRow | undefined;
    for (const r of list) if (r.effectiveFromExpiry <= expiry) found = r;
    if (!found) throw new RangeError(`lot sizes: ${underlying} expiry ${expiry} is before the table starts (${list[0]!.effectiveFromExpiry})`);
    return found;
  }

  lotSizeOn(underlying: string, expiry: IstDate): number {
    return this.rowFor(underlying, expiry).lotSize;
  }
}

export function loadLotSizes(path = LOT_SIZES_CSV): LotSizeTable {
  return new LotSizeTable(parseLotSizesCsv(readFileSync(path, "utf8"), path));
}

let shipped: LotSizeTable | undefined;

/** Lot size of an index contract by its expiry, from the shipped table. Throws a RangeError when the table does not cover it. */
export function lotSizeOn(underlying: string, expiry: IstDate): number {
  shipped ??= loadLotSizes();
  return shipped.lotSizeOn(underlying, expiry);
}
