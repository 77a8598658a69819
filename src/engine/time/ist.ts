/**
 * Indian Standard Time helpers. IST is UTC+05:30 all year (no daylight saving
 * since 1945), so conversion is a fixed offset; Intl is used where a zone name
 * matters (display). Timestamps are stored in UTC; market logic reads IST.
 */
export const IST_ZONE = "Asia/Kolkata";
export const IST_OFFSET_MS = 330 * 60 * 1000;
const DAY_MS = 86_400_000;

/** A calendar date in IST, "YYYY-MM-DD". */
export type IstDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

export function isIstDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** The IST calendar date of an instant. */
export function istDate(t: Date | number): IstDate {
  const ms = typeof t === "number" ? t : t.getTime();
  // Scans ask for the same day many times in a row: remember the last answer.
  const day = Math.floor((ms + IST_OFFSET_MS) / DAY_MS);
  if (day !== lastDay) {
    lastDay = day;
    lastDate = new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 10);
  }
  return lastDate;
}
let lastDay = NaN;
let lastDate = "";

/** "HH:MM" in IST. */
export function istTime(t: Date | number): string {
  const ms = typeof t === "number" ? t : t.getTime();
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(11, 16);
}

/** Minutes since IST midnight. */
export function istMinuteOfDay(t: Date | number): number {
  const ms = typeof t === "number" ? t : t.getTime();
  const local = (((ms + IST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(local / 60_000);
}

/** The instant of an IST wall time, e.g. fromIst("2025-01-03", "09:15"). */
export function fromIst(date: IstDate, time = "00:00"): Date {
  const d = DATE_RE.exec(date);
  const t = TIME_RE.exec(time);
  if (!d || !isIstDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  if (!t || Number(t[1]) > 23 || Number(t[2]) > 59 || Number(t[3] ?? 0) > 59) throw new RangeError(`not a time (HH:MM): ${time}`);
  const utc = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3] ?? 0));
  return new Date(utc - IST_OFFSET_MS);
}

/** ISO 8601 with the +05:30 offset: "2025-01-03T09:15:00+05:30". */
export function toIsoIst(t: Date | number): string {
  const ms = typeof t === "number" ? t : t.getTime();
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 19) + "+05:30";
}

/** "03 Jan 2025 09:15 IST" for people. */
export function formatIst(t: Date | number, withTime = true): string {
  const fmt = new Intl.DateTimeFormat("en-GB", {
    timeZone: IST_ZONE,
    day: "2-digit",
    month: "short",
    year: "numeric",
    ...(withTime ? { hour: "2-digit", minute: "2-digit", hour12: false } : {}),
  });
  return fmt.format(typeof t === "number" ? new Date(t) : t).replace(",", "") + (withTime ? " IST" : "");
}

export function addDays(date: IstDate, days: number): IstDate {
  const base = fromIst(date).getTime() + IST_OFFSET_MS;
  return new Date(base + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, for an IST calendar date. */
export function weekday(date: IstDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}
