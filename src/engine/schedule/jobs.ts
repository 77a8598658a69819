/**
 * The market-day job table: what runs when, in IST wall time, on NSE trading
 * days. Data only; MarketSchedule turns it into timers (live) or runs it as
 * market time moves (replay).
 *
 * Order matters: jobs due in the same minute run one after another in table
 * order, live and in replay alike, so a replay sees what live would. A bar
 * close comes before the tracker and the index watch that read its prices.
 */

export const JOB_NAMES = [
  "instrumentRefresh",
  "preOpenScan",
  "bankNiftyBarClose",
  "positionTracker",
  "indexWatch",
  "closeScan",
  "nearBreakout",
  "eodDigest",
] as const;

export type JobName = (typeof JOB_NAMES)[number];

export interface JobSpec {
  name: JobName;
  /** For people: /status, start-up notes. */
  label: string;
  /** IST wall times "HH:MM", ascending, each once. */
  times: readonly string[];
}

const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since midnight of "HH:MM". */
export function minuteOf(time: string): number {
  const m = HHMM_RE.exec(time);
  if (!m) throw new RangeError(`not a time (HH:MM): ${JSON.stringify(time)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/** "HH:MM" every `step` minutes from `from` to `to`, both included when on the step. */
export function everyMinutes(from: string, to: string, step: number): string[] {
  const start = minuteOf(from);
  const end = minuteOf(to);
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`everyMinutes: step must be a positive whole number of minutes, got ${step}`);
  if (end < start) throw new RangeError(`everyMinutes: ${to} is before ${from}`);
  const out: string[] = [];
  for (let m = start; m <= end; m += step) out.push(hhmm(m));
  return out;
}

export const JOB_TABLE: readonly JobSpec[] = [
  { name: "instrumentRefresh", label: "instrument master refresh", times: ["08:30"] },
  { name: "preOpenScan", label: "pre-open scan", times: ["09:25"] },
  // 75-minute bars from 09:15 close at 10:30, 11:45, 13:00, 14:15; the fifth is cut short by the 15:30 close.
  { name: "bankNiftyBarClose", label: "Bank Nifty 75-minute bar close", times: ["10:30", "11:45", "13:00", "14:15", "15:30"] },
  { name: "positionTracker", label: "position tracker", times: everyMinutes("09:15", "15:15", 60) },
  // While the market is open (09:15 <= t < 15:30, as NseCalendar.isMarketOpen): the last look is 15:25.
  { name: "indexWatch", label: "index watch", times: everyMinutes("09:15", "15:25", 5) },
  { name: "closeScan", label: "close scan", times: ["15:10"] },
  { name: "nearBreakout", label: "near-breakout check", times: ["15:20"] },
  { name: "eodDigest", label: "end-of-day digest", times: ["15:35"] },
];

/** Refuses a table a schedule could not run: unknown or repeated names, bad or unsorted times. */
export function checkJobTable(table: readonly JobSpec[]): void {
  const seen = new Set<string>();
  for (const job of table) {
    if (!(JOB_NAMES as readonly string[]).includes(job.name)) throw new RangeError(`job table: unknown job ${JSON.stringify(job.name)}`);
    if (seen.has(job.name)) throw new RangeError(`job table: ${job.name} is listed twice`);
    seen.add(job.name);
    if (job.times.length === 0) throw new RangeError(`job table: ${job.name} has no times`);
    let prev = -1;
    for (const t of job.times) {
      const m = minuteOf(t);
      if (m <= prev) throw new RangeError(`job table: ${job.name}'s times must be ascending and distinct (${t} follows ${hhmm(prev)})`);
      prev = m;
    }
  }
}
