/**
 * The market-day schedule on NSE's real calendar. The week of 2024-03-25 has
 * Holi on Monday and Good Friday on Friday: trading only Tue 26, Wed 27, Thu 28.
 */
import nodeSchedule from "node-schedule";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../../src/db/memory-store.js";
import { Repo } from "../../../src/db/repo.js";
import { ManualClock } from "../../../src/engine/clock.js";
import { loadNseCalendar } from "../../../src/engine/market/calendar.js";
import { JOB_NAMES, JOB_TABLE, type JobName } from "../../../src/engine/schedule/jobs.js";
import {
  cronSpecs,
  describeMissed,
  MarketSchedule,
  type ScheduledRun,
  type Scheduler,
} from "../../../src/engine/schedule/market-schedule.js";
import { fromIst, istDate, istTime } from "../../../src/engine/time/ist.js";
import { testDatabases } from "../../helpers/databases.js";

const calendar = loadNseCalendar();
const quiet = { info() {}, warn() {}, error() {} };

/** Jobs that write down what ran ("name HH:MM" per IST date); `fail` names a key that throws. */
function recorder(fail?: string) {
  const ran: ScheduledRun[] = [];
  const jobs = Object.fromEntries(
    JOB_NAMES.map((name) => [
      name,
      async (run: ScheduledRun) => {
        ran.push(run);
        if (run.key === fail) throw new Error("broker timed out");
      },
    ]),
  ) as Record<JobName, (run: ScheduledRun) => Promise<void>>;
  const byDay = () => {
    const out: Record<string, string[]> = {};
    for (const r of ran) (out[istDate(r.at)] ??= []).push(`${r.name} ${istTime(r.at)}`);
    return out;
  };
  return { ran, jobs, byDay };
}

const indexWatchTimes: string[] = [];
for (let m = 9 * 60 + 15; m <= 15 * 60 + 25; m += 5) indexWatchTimes.push(`${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);

describe("the job table", () => {
  it("lists every job at its IST times: 92 runs on a trading day", () => {
    const times = Object.fromEntries(JOB_TABLE.map((j) => [j.name, j.times]));
    expect(times.instrumentRefresh).toEqual(["08:30"]);
    expect(times.preOpenScan).toEqual(["09:25"]);
    expect(times.positionTracker).toEqual(["09:15", "10:15", "11:15", "12:15", "13:15", "14:15", "15:15"]);
    expect(times.bankNiftyBarClose).toEqual(["10:30", "11:45", "13:00", "14:15", "15:30"]);
    expect(times.closeScan).toEqual(["15:10"]);
    expect(times.nearBreakout).toEqual(["15:20"]);
    expect(times.eodDigest).toEqual(["15:35"]);
    // 09:15 to 15:25 every 5 minutes: (15:25 − 09:15) / 5 + 1 = 370 / 5 + 1 = 75.
    expect(times.indexWatch).toEqual(indexWatchTimes);
    expect(indexWatchTimes).toHaveLength(75);
    expect(JOB_TABLE.reduce((n, j) => n + j.times.length, 0)).toBe(1 + 1 + 7 + 5 + 75 + 1 + 1 + 1);
  });
});

describe("live timers: the cron specs", () => {
  it("covers each IST minute of the table with exactly one Monday-Friday spec in Asia/Kolkata", () => {
    const specs = cronSpecs();
    expect(specs.map((s) => s.rule)).toEqual([
      "30 8 * * 1-5",
      "15,20,25,30,35,40,45,50,55 9 * * 1-5",
      "0,5,10,15,20,25,30,35,40,45,50,55 10,11,12,13,14 * * 1-5",
      "0,5,10,15,20,25,30,35 15 * * 1-5",
    ]);
    expect(specs.every((s) => s.tz === "Asia/Kolkata")).toBe(true);
    // Expand the rules back: the union of the table's minutes, each once.
    const fired: string[] = [];
    for (const s of specs) {
      const [mins, hours] = s.rule.split(" ") as [string, string];
      for (const h of hours.split(",")) for (const m of mins.split(",")) fired.push(`${h.padStart(2, "0")}:${m.padStart(2, "0")}`);
    }
    const union = [...new Set(JOB_TABLE.flatMap((j) => j.times))].sort();
    expect(fired.sort()).toEqual(union);
    expect(union).toHaveLength(1 + 77); // 08:30, then every 5 minutes 09:15..15:35: 380 / 5 + 1
  });

  it("node-schedule accepts each spec and puts its next firing on a weekday at one of the spec's IST minutes", () => {
    for (const s of cronSpecs()) {
      const job = nodeSchedule.scheduleJob({ rule: s.rule, tz: s.tz }, () => {});
      try {
        expect(job).not.toBeNull();
        const next = job.nextInvocation()!;
        expect(s.times).toContain(istTime(next));
        expect([1, 2, 3, 4, 5]).toContain(new Date(`${istDate(next)}T00:00:00Z`).getUTCDay());
      } finally {
        job.cancel();
      }
    }
  });
});

describe("simulated (replay) schedule on PGlite", () => {
  let database: Awaited<ReturnType<ReturnType<typeof testDatabases>[number]["open"]>>;
  let repo: Repo;
  const wall = new ManualClock(new Date("2024-03-31T12:00:00Z"));

  beforeAll(async () => {
    database = await testDatabases()[0]!.open();
    repo = new Repo(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const make = (jobs: Record<JobName, (run: ScheduledRun) => Promise<void>>, onFailure?: (run: ScheduledRun, e: Error) => void) =>
    new MarketSchedule({ calendar, store: repo, clock: wall, jobs, mode: "simulated", log: quiet, ...(onFailure ? { onFailure } : {}) });

  const week = recorder("closeScan@2024-03-27T15:10");
  const failures: string[] = [];

  it("runs the week of Holi and Good Friday: 92 runs on each of the three trading days, none on holidays or the weekend", async () => {
    const s = make(week.jobs, (run, e) => failures.push(`${run.key}: ${e.message}`));
    s.start(fromIst("2024-03-23", "00:00"));
    // Tuesday in 5-minute steps (as a replay moving bar by bar), the rest in one jump.
    for (let t = fromIst("2024-03-26", "00:00").getTime(); t <= fromIst("2024-03-26", "23:55").getTime(); t += 5 * 60_000) await s.advanceTo(new Date(t));
    const started = await s.advanceTo(fromIst("2024-03-31", "23:59"));
    expect(started).toHaveLength(92 * 2); // Wed and Thu in the jump

    const days = week.byDay();
    expect(Object.keys(days)).toEqual(["2024-03-26", "2024-03-27", "2024-03-28"]);
    for (const date of Object.keys(days)) {
      const list = days[date]!;
      expect(list).toHaveLength(92);
      const at = (name: JobName) => list.filter((x) => x.startsWith(`${name} `)).map((x) => x.slice(-5));
      expect(at("instrumentRefresh")).toEqual(["08:30"]);
      expect(at("preOpenScan")).toEqual(["09:25"]);
      expect(at("positionTracker")).toEqual(["09:15", "10:15", "11:15", "12:15", "13:15", "14:15", "15:15"]);
      expect(at("bankNiftyBarClose")).toEqual(["10:30", "11:45", "13:00", "14:15", "15:30"]);
      expect(at("indexWatch")).toEqual(indexWatchTimes);
      expect(at("closeScan")).toEqual(["15:10"]);
      expect(at("nearBreakout")).toEqual(["15:20"]);
      expect(at("eodDigest")).toEqual(["15:35"]);
      // Time order, and table order within a minute.
      expect(list.slice(0, 6)).toEqual(["instrumentRefresh 08:30", "positionTracker 09:15", "indexWatch 09:15", "indexWatch 09:20", "preOpenScan 09:25", "indexWatch 09:25"]);
      const i = list.indexOf("bankNiftyBarClose 14:15");
      expect(list.slice(i, i + 3)).toEqual(["bankNiftyBarClose 14:15", "positionTracker 14:15", "indexWatch 14:15"]);
      expect(list.slice(-5)).toEqual(["indexWatch 15:20", "nearBreakout 15:20", "indexWatch 15:25", "bankNiftyBarClose 15:30", "eodDigest 15:35"]);
    }
    // The job is given the occurrence's time and key.
    const digest = week.ran.find((r) => r.name === "eodDigest")!;
    expect(digest.at.toISOString()).toBe("2024-03-26T10:05:00.000Z");
    expect(digest.key).toBe("eodDigest@2024-03-26T15:35");
  });

  it("records every run as an event, the failed one as failed, and tells onFailure", async () => {
    const events = await repo.events("schedule.run", 1000);
    expect(events).toHaveLength(276);
    const failed = events.filter((e) => e.detail.ok === false);
    expect(failed.map((e) => e.detail.key)).toEqual(["closeScan@2024-03-27T15:10"]);
    expect(failed[0]!.message).toBe("closeScan@2024-03-27T15:10 failed: broker timed out");
    expect(failures).toEqual(["closeScan@2024-03-27T15:10: broker timed out"]);
    // The jobs after the failure still ran that day.
    expect(week.byDay()["2024-03-27"]).toContain("nearBreakout 15:20");
    expect(await repo.getSetting("schedule:last:eodDigest")).toEqual({ key: "eodDigest@2024-03-28T15:35", at: "2024-03-28T10:05:00.000Z" });
  });

  it("after a restart, advancing over the same span runs nothing again (the failed run included)", async () => {
    const again = recorder();
    const s = make(again.jobs);
    s.start(fromIst("2024-03-23", "00:00"));
    expect(await s.advanceTo(fromIst("2024-03-31", "23:59"))).toEqual([]);
    expect(again.ran).toEqual([]);
    expect(await repo.events("schedule.run", 1000)).toHaveLength(276);
  });

  it("lists what was missed while down (never running it): from the last run to now", async () => {
    const s = make(recorder().jobs);
    const lastSeen = await s.lastRunAt();
    expect(lastSeen?.toISOString()).toBe(fromIst("2024-03-28", "15:35").toISOString());
    // Down over Good Friday and the weekend, back on Monday 1 April at 09:22.
    const missed = await s.missedSince(lastSeen!, fromIst("2024-04-01", "09:22"));
    expect(missed.map((r) => r.key)).toEqual([
      "instrumentRefresh@2024-04-01T08:30",
      "positionTracker@2024-04-01T09:15",
      "indexWatch@2024-04-01T09:15",
      "indexWatch@2024-04-01T09:20",
    ]);
    expect(describeMissed(missed)).toEqual([
      "instrument master refresh: 01 Apr 2024 08:30 IST",
      "position tracker: 01 Apr 2024 09:15 IST",
      "index watch: 2 runs, 01 Apr 2024 09:15 IST → 01 Apr 2024 09:20 IST",
    ]);
    // Occurrences that did run are not missed: Tuesday morning ran in the first test.
    expect(s.occurrences(fromIst("2024-03-26", "00:00"), fromIst("2024-03-26", "09:20"))).toHaveLength(4);
    expect(await s.missedSince(fromIst("2024-03-26", "00:00"), fromIst("2024-03-26", "09:20"))).toEqual([]);
    // Across Id-Ul-Fitr (Thu 11 Apr 2024): nothing on the holiday.
    const overEid = await s.missedSince(fromIst("2024-04-10", "15:36"), fromIst("2024-04-12", "09:15"));
    expect(overEid.map((r) => r.key)).toEqual(["instrumentRefresh@2024-04-12T08:30", "positionTracker@2024-04-12T09:15", "indexWatch@2024-04-12T09:15"]);
  });

  it("a restart in the middle of a day runs only what is left of it", async () => {
    const first = recorder();
    const a = make(first.jobs);
    await a.advanceTo(fromIst("2024-04-01", "11:00")); // starts counting at the day's midnight
    // Up to 11:00: 08:30, 09:25, tracker 09:15 and 10:15, bar 10:30, index watch 09:15..11:00 (22).
    expect(first.ran).toHaveLength(1 + 1 + 2 + 1 + 22);
    const second = recorder();
    const b = make(second.jobs);
    await b.advanceTo(fromIst("2024-04-01", "23:59"));
    expect(second.ran).toHaveLength(92 - 27);
    expect(second.ran[0]!.key).toBe("indexWatch@2024-04-01T11:05");
  });

  it("nextRuns skips Good Friday and the weekend", () => {
    const s = make(recorder().jobs);
    expect(s.nextRuns(fromIst("2024-03-28", "15:32"), 3).map((r) => r.key)).toEqual([
      "eodDigest@2024-03-28T15:35",
      "instrumentRefresh@2024-04-01T08:30",
      "positionTracker@2024-04-01T09:15",
    ]);
  });

  it("refuses advanceTo on a live schedule and a job table entry without a function", async () => {
    const live = new MarketSchedule({ calendar, store: repo, clock: wall, jobs: recorder().jobs, mode: "live", log: quiet });
    await expect(live.advanceTo(fromIst("2024-04-02", "09:15"))).rejects.toThrow(/simulated/);
    const { eodDigest: _gone, ...partial } = recorder().jobs;
    expect(() => new MarketSchedule({ calendar, store: repo, clock: wall, jobs: partial as Record<JobName, () => Promise<void>>, mode: "simulated", log: quiet })).toThrow(
      "no function given for the eodDigest job",
    );
  });
});

describe("live schedule (fake timers: the callbacks node-schedule would call)", () => {
  function live(store: MemoryStore, clock: ManualClock, jobs: Record<JobName, (run: ScheduledRun) => Promise<void>>) {
    const timers: Array<{ rule: string; tz: string; fire: (d: Date) => void; cancelled: boolean }> = [];
    const scheduler: Scheduler = (spec, fire) => {
      const t = { ...spec, fire, cancelled: false };
      timers.push(t);
      return { cancel: () => (t.cancelled = true) };
    };
    const s = new MarketSchedule({ calendar, store, clock, jobs, mode: "live", log: quiet, scheduler });
    return { s, timers };
  }

  it("fires on trading days only, once per minute even when the timer fires twice, and drops a late firing", async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(fromIst("2024-10-31", "20:00"));
    const rec = recorder("positionTracker@2024-11-04T14:15");
    const { s, timers } = live(store, clock, rec.jobs);
    s.start();
    expect(timers.map((t) => t.tz)).toEqual(["Asia/Kolkata", "Asia/Kolkata", "Asia/Kolkata", "Asia/Kolkata"]);
    const fire = async (at: Date, now: Date) => {
      clock.set(now);
      await s.onFire(at);
    };

    // Fri 1 Nov 2024, Diwali: cron fires (a weekday) but it is an exchange holiday (Muhurat in the evening only).
    await fire(fromIst("2024-11-01", "09:15"), fromIst("2024-11-01", "09:15"));
    expect(rec.ran).toEqual([]);

    // Mon 4 Nov 14:15, a second after the minute: the bar close, the tracker (which throws) and the index watch, in that order.
    await fire(fromIst("2024-11-04", "14:15"), new Date(fromIst("2024-11-04", "14:15").getTime() + 1000));
    expect(rec.ran.map((r) => r.key)).toEqual(["bankNiftyBarClose@2024-11-04T14:15", "positionTracker@2024-11-04T14:15", "indexWatch@2024-11-04T14:15"]);
    // The same minute again (node-schedule after a host sleep): nothing runs twice.
    await fire(fromIst("2024-11-04", "14:15"), new Date(fromIst("2024-11-04", "14:15").getTime() + 2000));
    expect(rec.ran).toHaveLength(3);
    // 14:20 firing at 14:25: more than two minutes late, dropped as missed.
    await fire(fromIst("2024-11-04", "14:20"), fromIst("2024-11-04", "14:25"));
    expect(rec.ran).toHaveLength(3);
    const missed = await store.events("schedule.missed");
    expect(missed.map((e) => e.message)).toEqual(["indexWatch@2024-11-04T14:20: fired 300 s late, not run"]);
    const runs = await store.events("schedule.run");
    expect(runs.map((e) => [e.detail.key, e.detail.ok])).toEqual([
      ["indexWatch@2024-11-04T14:15", true],
      ["positionTracker@2024-11-04T14:15", false],
      ["bankNiftyBarClose@2024-11-04T14:15", true],
    ]);

    // The timer callback itself never throws or returns a promise that could reject into node-schedule.
    clock.set(fromIst("2024-11-04", "14:25"));
    expect(timers[2]!.fire(fromIst("2024-11-04", "14:25"))).toBeUndefined();
    await s.stop();
    expect(rec.ran.map((r) => r.key)).toContain("indexWatch@2024-11-04T14:25");
    expect(timers.every((t) => t.cancelled)).toBe(true);
  });

  it("a minute outside the table does nothing; a date outside the holiday data runs nothing", async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(fromIst("2024-11-04", "14:17"));
    const rec = recorder();
    const errors: string[] = [];
    const s = new MarketSchedule({ calendar, store, clock, jobs: rec.jobs, mode: "live", log: { ...quiet, error: (m) => errors.push(m) }, scheduler: () => ({ cancel() {} }) });
    await s.onFire(fromIst("2024-11-04", "14:17"));
    clock.set(fromIst("2031-01-06", "09:15"));
    await s.onFire(fromIst("2031-01-06", "09:15"));
    expect(rec.ran).toEqual([]);
    expect(errors).toEqual(["no scheduled jobs run on dates outside the NSE holiday data"]);
  });
});
