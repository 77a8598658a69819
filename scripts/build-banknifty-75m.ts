/**
 * Builds data/banknifty_75m/banknifty_75m_2021-01_2023-01.csv from the shared
 * Bank Nifty spot 1-minute file. Run: npx tsx scripts/build-banknifty-75m.ts
 *
 * The source labels each minute bar by its END (first regular bar 09:16, last
 * 15:30), so a label maps to the bar opening one minute earlier. Pre-open
 * ticks (09:08/09:09) and post-close ticks (15:31 on, incl. the 2021-02-24
 * extended and Muhurat evening sessions) are dropped, as is any bar the
 * calendar puts outside a session window (a stray tick during the 2021-02-24
 * halt would otherwise make a one-minute 14:15 bar).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { aggregate75mWithReport } from "../src/engine/market/aggregate.js";
import { loadNseCalendar } from "../src/engine/market/calendar.js";
import type { Candle } from "../src/engine/market/candle.js";
import { toPaise } from "../src/engine/money.js";
import { fromIst, istDate, toIsoIst } from "../src/engine/time/ist.js";

const SOURCE = process.argv[2] ?? "/work/shared/data/intraday_1min/banknifty_spot_1min_2021-01_2023-01.csv";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "data/banknifty_75m/banknifty_75m_2021-01_2023-01.csv");
const FIRST_LABEL = "09:16";
const LAST_LABEL = "15:30";

const lines = readFileSync(SOURCE, "utf8").split(/\r?\n/);
if (lines[0]?.trim() !== "symbol,date,time,open,high,low,close,volume,oi") throw new Error(`${SOURCE}: unexpected header`);

const calendar = loadNseCalendar();
const bars: Candle[] = [];
const dropped = new Map<string, number>();
const sourceDays = new Set<string>();
for (let i = 1; i < lines.length; i++) {
  const line = lines[i]!.trim();
  if (line === "") continue;
  const [, ymd, label, o, h, l, c, v] = line.split(",");
  if (!ymd || !/^\d{8}$/.test(ymd) || !label) throw new Error(`${SOURCE}:${i + 1}: bad row`);
  const date = `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`;
  sourceDays.add(date);
  if (label < FIRST_LABEL || label > LAST_LABEL) {
    const why = label < FIRST_LABEL ? "pre-open" : "after 15:30";
    dropped.set(why, (dropped.get(why) ?? 0) + 1);
    continue;
  }
  const time = new Date(fromIst(date, label).getTime() - 60_000);
  if (!calendar.isMarketOpen(time)) {
    dropped.set("outside session", (dropped.get("outside session") ?? 0) + 1);
    continue;
  }
  bars.push({
    symbol: "BANKNIFTY",
    timeframe: "1m",
    time,
    open: toPaise(o ?? ""),
    high: toPaise(h ?? ""),
    low: toPaise(l ?? ""),
    close: toPaise(c ?? ""),
    volume: Number(v),
  });
}

const { bars: out, ignored } = aggregate75mWithReport(bars);
const rupees = (p: number): string => `${Math.trunc(p / 100)}.${String(p % 100).padStart(2, "0")}`;
const rows = out.map((b) => [toIsoIst(b.time), rupees(b.open), rupees(b.high), rupees(b.low), rupees(b.close), b.volume].join(","));
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, ["time,open,high,low,close,volume", ...rows].join("\n") + "\n");

const perDay = new Map<string, number>();
for (const b of out) perDay.set(istDate(b.time), (perDay.get(istDate(b.time)) ?? 0) + 1);
const minutesPerDay = new Map<string, number>();
for (const b of bars) minutesPerDay.set(istDate(b.time), (minutesPerDay.get(istDate(b.time)) ?? 0) + 1);
console.log(`source days ${sourceDays.size}, 1m bars kept ${bars.length}, dropped ${JSON.stringify(Object.fromEntries(dropped))}, ignored by aggregate ${ignored}`);
console.log(`75m rows ${out.length} over ${perDay.size} days`);
for (const d of [...sourceDays].sort()) {
  const n = perDay.get(d) ?? 0;
  const m = minutesPerDay.get(d) ?? 0;
  if (n !== 5 || m !== 375) console.log(`  ${d}: ${n} bars from ${m} minutes`);
}
