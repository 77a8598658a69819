import type { IstDate } from "../time/ist.js";

/**
 * The rows of a shipped daily data file, oldest first and one a day. The header
 * must match, every row has `columns` cells, and `row` turns the cells into a
 * value (throwing, with `where`, on a bad one). Shipped data, so any bad row
 * throws, naming file and line.
 */
export function readDailyRows<T extends { date: IstDate }>(text: string, file: string, header: string, columns: number, row: (cells: string[], where: string, line: string) => T): T[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== header) throw new Error(`${file}:1: unexpected header "${lines[0]}" (expected ${header})`);
  const rows: T[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const where = `${file}:${i + 1}`;
    const cells = line.split(",");
    if (cells.length !== columns) throw new Error(`${where}: expected ${columns} columns (${header}), got ${cells.length}`);
    const r = row(cells, where, line);
    const prev = rows[rows.length - 1];
    if (prev && r.date <= prev.date) throw new Error(`${where}: ${r.date} is not after the previous row's ${prev.date} (rows must be oldest first, one a day)`);
    rows.push(r);
  }
  if (rows.length === 0) throw new Error(`${file}: no rows`);
  return rows;
}
