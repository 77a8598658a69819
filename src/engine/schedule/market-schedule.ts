/**
 * Runs the market-day job table (jobs.ts) on NSE trading days, live or in replay.
 *
 * - live: node-schedule cron timers in Asia/Kolkata, one per group of IST
 *   minutes (cronSpecs). Cron only knows Monday-Friday; whether the day is a
 *   trading day is asked of the calendar when the timer fires.
 * - simulated (replay): no timers. `advanceTo(t)` runs, in time order, every
 *   occurrence due in (last advance, t] on trading days, as market time moves.
 *
 * Rules that hold in both modes:
 * - Regular trading days only (NseCalendar.isTradingDay). Special sessions
 *   (Muhurat evenings, Saturday/Sunday Budget or DR-drill sessions) get no
 *   scheduled jobs, not even the digest: they are short or odd, and the chat
 *   commands still work. A trading day with special hours (the 2021-02-24
 *   outage) runs at the regular clock times.
 * - Jobs due in the same minute run one after another in table order.
 * - Every run is claimed before it starts (settings `schedule:last:<name>`
 *   holds the latest occurrence run) and recorded after it ends (event
 *   "schedule.run", key `<name>@<YYYY-MM-DDTHH:MM IST>`). An occurrence at or
 *   before the claimed one is never run again: not after a restart, not after a
 *   host sleep makes node-schedule fire twice. At most once: a run that threw,
 *   or was cut off by a crash, is not retried.
 * - A job that throws is logged and recorded as failed; the error never
 *   reaches node-schedule (an unhandled 'error' there takes the process down).
 * - Missed occurrences (Dalal was down, or a timer fired more than
 *   `lateLimitMs` late after a host sleep, when node-schedule fires every
 *   missed minute at once) are NEVER run: a scan or a digest hours late would
 *   act on stale prices. `missedSince` lists them for the start-up report.
 *
 * Times are recorded with `clock` (the wall clock); occurrences are market time.
 */
import nodeSchedule from "node-schedule";
import type { Store } from "../../db/store.js";
import type { Clock } from "../clock.js";
import type { NseCalendar } from "../market/calendar.js";
import { addDays, formatIst, fromIst, IST_ZONE, istDate, istTime, toIsoIst, type IstDate } from "../time/ist.js";
import { checkJobTable, hhmm, JOB_TABLE, minuteOf, type JobName, type JobSpec } from "./jobs.js";

export interface ScheduledRun {
  name: JobName;
  /** The occurrence's time (the minute it was due), not when it started. */
  at: Date;
  /** `${name}@${YYYY-MM-DDTHH:MM}` in IST. */
  key: string;
}

export type JobFn = (run: ScheduledRun) => Promise<void>;

/** What the schedule needs of a logger (src/log.ts's Logger fits). */
export interface ScheduleLog {
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
  error(msg: string, detail?: Record<string, unknown>): void;
}

/** One node-schedule cron spec and the IST minutes it fires at. */
export interface CronSpec {
  rule: string;
  tz: string;
  times: string[];
}

/** Starts a timer; node-schedule's scheduleJob by default (tests pass a fake). */
export type Scheduler = (spec: { rule: string; tz: string }, fire: (fireDate: Date) => void) => { cancel(): unknown } | null;

export interface MarketScheduleOptions {
  calendar: NseCalendar;
  store: Pick<Store, "getSetting" | "setSetting" | "event">;
  /** Wall clock: run stamps, and "now" for the lateness check. */
  clock: Clock;
  jobs: Record<JobName, JobFn>;
  mode: "live" | "simulated";
  log: ScheduleLog;
  /** Default JOB_TABLE. */
  table?: readonly JobSpec[];
  /** Live only; default node-schedule. */
  scheduler?: Scheduler;
  /** Live only: a timer firing later than this after its minute is dropped as missed. Default 2 minutes. */
  lateLimitMs?: number;
  /** Called after a job threw (after it is logged and recorded): e.g. tell the admin chat. */
  onFailure?: (run: ScheduledRun, error: Error) => void;
}

export type RunOutcome = "ran" | "failed" | "already-run" | "busy" | "not-recorded";

interface Claim {
  key: string;
  at: string;
}

const SETTING_PREFIX = "schedule:last:";
const DEFAULT_LATE_LIMIT_MS = 120_000;
// How far nextRuns looks ahead: beyond any run of holidays.
const LOOKAHEAD_DAYS = 40;

export function runKey(name: JobName, at: Date): string {
  return `${name}@${toIsoIst(at).slice(0, 16)}`;
}

/**
 * The cron specs for a table: the union of its IST minutes, one spec per group
 * of hours that share the same minutes, Monday-Friday. Every minute fires
 * exactly one timer; the schedule then runs whichever jobs are due then.
 */
export function cronSpecs(table: readonly JobSpec[] = JOB_TABLE): CronSpec[] {
  checkJobTable(table);
  const byHour = new Map<number, Set<number>>();
  for (const job of table) {
    for (const t of job.times) {
      const m = minuteOf(t);
      const hour = Math.floor(m / 60);
      const set = byHour.get(hour) ?? new Set<number>();
      set.add(m % 60);
      byHour.set(hour, set);
    }
  }
  const groups = new Map<string, { minutes: number[]; hours: number[] }>();
  for (const hour of [...byHour.keys()].sort((a, b) => a - b)) {
    const minutes = [...byHour.get(hour)!].sort((a, b) => a - b);
    const k = minutes.join(",");
    const g = groups.get(k);
    if (g) g.hours.push(hour);
    else groups.set(k, { minutes, hours: [hour] });
  }
  return [...groups.values()].map((g) => ({
    rule: `${g.minutes.join(",")} ${g.hours.join(",")} * * 1-5`,
    tz: IST_ZONE,
    times: g.hours.flatMap((h) => g.minutes.map((m) => hhmm(h * 60 + m))),
  }));
}

const nodeScheduler: Scheduler = (spec, fire) => {
  const job = nodeSchedule.scheduleJob({ rule: spec.rule, tz: spec.tz }, (fireDate) => fire(fireDate));
  // Our callback never throws; a listener anyway, since an unheard 'error' event throws inside node-schedule's timer.
  job?.on("error", () => {});
  return job;
};

export class MarketSchedule {
  private readonly table: readonly JobSpec[];
  /** Minutes of the day with the jobs due then, in table order; ascending. */
  private readonly slots: Array<{ minute: number; names: JobName[] }>;
  private readonly lateLimitMs: number;
  /** Latest occurrence claimed per job (ms), once read from settings. */
  private readonly last = new Map<JobName, number>();
  /** Jobs running now, with the key of the occurrence each is running. */
  private readonly running = new Map<JobName, string>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly warnedYears = new Set<string>();
  /** Dates already logged as skipped (live: a holiday fires ~77 timers). */
  private readonly quietDays = new Set<IstDate>();
  private handles: Array<{ cancel(): unknown }> = [];
  private floor: number | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private started = false;

  constructor(private readonly opts: MarketScheduleOptions) {
    this.table = opts.table ?? JOB_TABLE;
    checkJobTable(this.table);
    for (const job of this.table) {
      if (typeof opts.jobs[job.name] !== "function") throw new TypeError(`MarketSchedule: no function given for the ${job.name} job`);
    }
    const byMinute = new Map<number, JobName[]>();
    for (const job of this.table) {
      for (const t of job.times) {
        const m = minuteOf(t);
        byMinute.set(m, [...(byMinute.get(m) ?? []), job.name]);
      }
    }
    this.slots = [...byMinute].sort(([a], [b]) => a - b).map(([minute, names]) => ({ minute, names }));
    this.lateLimitMs = opts.lateLimitMs ?? DEFAULT_LATE_LIMIT_MS;
  }

  get mode(): "live" | "simulated" {
    return this.opts.mode;
  }

  /**
   * Live: starts the timers. Simulated: no timers; `from` (if given) is where
   * the first advanceTo starts counting, else the start of its IST day.
   */
  start(from?: Date): void {
    if (this.started) return;
    this.started = true;
    if (this.opts.mode === "simulated") {
      if (from) this.floor = from.getTime();
      return;
    }
    const scheduler = this.opts.scheduler ?? nodeScheduler;
    for (const spec of cronSpecs(this.table)) {
      const handle = scheduler({ rule: spec.rule, tz: spec.tz }, (fireDate) => {
        this.track(this.onFire(fireDate));
      });
      if (!handle) {
        this.stopTimers();
        throw new Error(`node-schedule refused the cron rule "${spec.rule}" (${spec.tz})`);
      }
      this.handles.push(handle);
    }
    const next = this.nextRuns(this.opts.clock.now(), 1)[0];
    this.opts.log.info("market schedule started", { mode: "live", timers: this.handles.length, next: next ? next.key : null });
  }

  /** Stops the timers and waits for runs in progress (call before closing the database). */
  async stop(): Promise<void> {
    this.stopTimers();
    await this.chain;
    await Promise.allSettled([...this.inflight]);
  }

  /**
   * Live timers call this with node-schedule's fire date (the minute that was
   * due). Exposed for tests. Never rejects.
   */
  async onFire(fireDate: Date): Promise<void> {
    try {
      const at = new Date(Math.floor(fireDate.getTime() / 60_000) * 60_000);
      const names = this.dueAt(at);
      if (names.length === 0) return;
      const late = this.opts.clock.now().getTime() - at.getTime();
      if (late > this.lateLimitMs) {
        // node-schedule fires every minute it slept through, at once, on wake-up: those are missed runs.
        const keys = names.map((n) => runKey(n, at));
        this.opts.log.warn("scheduled runs missed: the timer fired late (host asleep or overloaded); not run", { keys, lateMs: late });
        await this.opts.store.event("schedule.missed", `${keys.join(", ")}: fired ${Math.round(late / 1000)} s late, not run`, this.opts.clock.now(), "schedule", { keys, lateMs: late });
        return;
      }
      const date = istDate(at);
      if (!this.isTradingDay(date)) {
        if (!this.quietDays.has(date)) {
          this.quietDays.add(date);
          this.opts.log.info("not an NSE trading day: scheduled jobs skipped", { date });
        }
        return;
      }
      for (const name of names) await this.runOne({ name, at, key: runKey(name, at) });
    } catch (err) {
      this.opts.log.error("scheduled run failed before the job started", { at: fireDate.toISOString(), error: (err as Error).message });
    }
  }

  /**
   * Simulated mode: runs every occurrence in (last advance, t] on trading days,
   * in time order, each at most once. Returns the occurrences started (run or
   * failed). Calls queue; a job must not call advanceTo itself (it would wait on itself).
   */
  advanceTo(t: Date): Promise<ScheduledRun[]> {
    if (this.opts.mode !== "simulated") return Promise.reject(new Error("advanceTo is for the simulated (replay) schedule; the live one runs on timers"));
    const p = this.chain.then(() => this.advance(t));
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async advance(t: Date): Promise<ScheduledRun[]> {
    const floor = this.floor ?? fromIst(istDate(t)).getTime() - 1;
    if (t.getTime() <= floor) return [];
    const due = this.occurrences(new Date(floor), t);
    this.floor = t.getTime();
    const started: ScheduledRun[] = [];
    for (const run of due) {
      const outcome = await this.runOne(run);
      if (outcome === "ran" || outcome === "failed") started.push(run);
    }
    return started;
  }

  /** Every occurrence in (from, to] on trading days, in time then table order. */
  occurrences(from: Date, to: Date): ScheduledRun[] {
    const out: ScheduledRun[] = [];
    if (to.getTime() <= from.getTime()) return out;
    const last = istDate(to);
    for (let d = istDate(from); d <= last; d = addDays(d, 1)) {
      if (!this.isTradingDay(d)) continue;
      for (const run of this.runsOn(d)) if (run.at > from && run.at <= to) out.push(run);
    }
    return out;
  }

  /** The next n occurrences strictly after now, on trading days (fewer past the calendar's years). */
  nextRuns(now: Date, n: number): ScheduledRun[] {
    const out: ScheduledRun[] = [];
    let d = istDate(now);
    for (let i = 0; i <= LOOKAHEAD_DAYS && out.length < n; i++, d = addDays(d, 1)) {
      if (!this.isTradingDay(d)) continue;
      for (const run of this.runsOn(d)) {
        if (run.at > now) out.push(run);
        if (out.length >= n) break;
      }
    }
    return out;
  }

  /**
   * Occurrences in (lastSeen, now] on trading days that were never run: what
   * should have run while Dalal was down. For the start-up report; they are
   * never run.
   */
  async missedSince(lastSeen: Date, now: Date): Promise<ScheduledRun[]> {
    const out: ScheduledRun[] = [];
    for (const run of this.occurrences(lastSeen, now)) {
      if (run.at.getTime() > (await this.lastClaimed(run.name))) out.push(run);
    }
    return out;
  }

  /** The latest occurrence any job ran (or started), from the store: a good "last seen" for missedSince. */
  async lastRunAt(): Promise<Date | undefined> {
    let latest = -Infinity;
    for (const job of this.table) latest = Math.max(latest, await this.lastClaimed(job.name));
    return Number.isFinite(latest) ? new Date(latest) : undefined;
  }

  /** The table's occurrences on one date, without asking the calendar. */
  runsOn(date: IstDate): ScheduledRun[] {
    const out: ScheduledRun[] = [];
    for (const slot of this.slots) {
      const at = fromIst(date, hhmm(slot.minute));
      for (const name of slot.names) out.push({ name, at, key: runKey(name, at) });
    }
    return out;
  }

  private dueAt(at: Date): JobName[] {
    const minute = minuteOf(istTime(at));
    return this.slots.find((s) => s.minute === minute)?.names ?? [];
  }

  /** Trading day or not; a date outside the holiday data counts as not (no guessing), said once per year. */
  private isTradingDay(d: IstDate): boolean {
    try {
      return this.opts.calendar.isTradingDay(d);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      const year = d.slice(0, 4);
      if (!this.warnedYears.has(year)) {
        this.warnedYears.add(year);
        this.opts.log.error("no scheduled jobs run on dates outside the NSE holiday data", { year, error: err.message });
      }
      return false;
    }
  }

  private async lastClaimed(name: JobName): Promise<number> {
    const cached = this.last.get(name);
    if (cached !== undefined) return cached;
    const stored = await this.opts.store.getSetting<Claim>(SETTING_PREFIX + name);
    const ms = stored && typeof stored.at === "string" ? Date.parse(stored.at) : NaN;
    const value = Number.isFinite(ms) ? ms : -Infinity;
    this.last.set(name, value);
    return value;
  }

  /** Claims, runs and records one occurrence. Never throws. */
  private async runOne(run: ScheduledRun): Promise<RunOutcome> {
    const { store, log, clock } = this.opts;
    const current = this.running.get(run.name);
    // The same minute fired twice (node-schedule after a host sleep): the first one has it.
    if (current === run.key) return "already-run";
    if (current !== undefined) {
      log.warn("scheduled run skipped: the previous run of this job is still going", { key: run.key });
      await store.event("schedule.skipped", `${run.key}: previous run still going`, clock.now(), "schedule", { name: run.name, key: run.key }).catch(() => undefined);
      return "busy";
    }
    this.running.set(run.name, run.key);
    try {
      if (run.at.getTime() <= (await this.lastClaimed(run.name))) return "already-run";
      const claim: Claim = { key: run.key, at: run.at.toISOString() };
      try {
        await store.setSetting(SETTING_PREFIX + run.name, claim, clock.now(), "schedule");
      } catch (err) {
        // Unrecorded means it could run twice later: do not run it now.
        log.error("scheduled run not started: could not record it", { key: run.key, error: (err as Error).message });
        return "not-recorded";
      }
      this.last.set(run.name, run.at.getTime());
      const t0 = performance.now();
      let error: Error | null = null;
      try {
        await this.opts.jobs[run.name](run);
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err));
      }
      const ms = Math.round(performance.now() - t0);
      const detail = { name: run.name, key: run.key, at: toIsoIst(run.at), ok: error === null, ms, ...(error ? { error: error.message } : {}) };
      if (error) log.error("scheduled job failed", detail);
      else log.info("scheduled job ran", detail);
      try {
        await store.event("schedule.run", error ? `${run.key} failed: ${error.message}` : `${run.key} ran in ${ms} ms`, clock.now(), "schedule", detail);
      } catch (err) {
        log.error("could not record a scheduled run", { key: run.key, error: (err as Error).message });
      }
      if (error) {
        try {
          this.opts.onFailure?.(run, error);
        } catch (err) {
          log.error("onFailure hook threw", { key: run.key, error: (err as Error).message });
        }
      }
      return error ? "failed" : "ran";
    } catch (err) {
      log.error("scheduled run failed", { key: run.key, error: (err as Error).message });
      return "failed";
    } finally {
      this.running.delete(run.name);
    }
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private stopTimers(): void {
    for (const h of this.handles) h.cancel();
    this.handles = [];
  }
}

/** Missed runs for people, one line per job: "index watch: 75 runs, 26 Mar 2024 09:15 IST → 26 Mar 2024 15:25 IST". Plain text. */
export function describeMissed(runs: readonly ScheduledRun[], table: readonly JobSpec[] = JOB_TABLE): string[] {
  const lines: string[] = [];
  for (const job of table) {
    const mine = runs.filter((r) => r.name === job.name);
    if (mine.length === 0) continue;
    const first = formatIst(mine[0]!.at);
    const last = formatIst(mine[mine.length - 1]!.at);
    lines.push(mine.length === 1 ? `${job.label}: ${first}` : `${job.label}: ${mine.length} runs, ${first} → ${last}`);
  }
  return lines;
}
