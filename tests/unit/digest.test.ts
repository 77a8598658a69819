/**
 * The end-of-day digest on a real store. Capital ₹10,00,000; the day is
 * Tue 26 Mar 2024 (Holi was Monday; BANKNIFTY's monthly expiry is Wednesday).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayLabel, digestChart, digestText, TELEGRAM_MAX_CHARS } from "../../src/bot/digest-format.js";
import { Repo } from "../../src/db/repo.js";
import { buildDigest, composeDigest, equityHistory, tomorrowFor, type Digest } from "../../src/engine/digest.js";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";
import { ledger } from "../../src/engine/portfolio/ledger.js";
import { armBreaker, describe as describeBreaker } from "../../src/engine/risk/breaker.js";
import { fromIst } from "../../src/engine/time/ist.js";
import { testDatabases } from "../helpers/databases.js";

const calendar = loadNseCalendar();
const CAPITAL = 100_000_000; // ₹10,00,000
const DAY = "2024-03-26";
const breaker = describeBreaker(armBreaker(DAY, 100_016_000), 3);

const open = (symbol: string, side: "long" | "short", qty: number, price: number, stop: number | null, last: number, openedAt: Date, openCharges: number) => ({
  symbol,
  strategy: "3wi",
  side,
  qty,
  costBasis: qty * price,
  openCharges,
  initialStop: stop,
  stop,
  targets: [],
  lastPrice: last,
  signalId: null,
  openedAt,
});

describe("EOD digest on PGlite", () => {
  let database: Awaited<ReturnType<ReturnType<typeof testDatabases>[number]["open"]>>;
  let repo: Repo;
  let digest: Digest;

  beforeAll(async () => {
    database = await testDatabases()[0]!.open();
    repo = new Repo(database.db);
    // Closed today: M&M won, INFY lost; and one from Friday that must not count today.
    const trade = async (symbol: string, qty: number, entry: number, exit: number, charges: number, exitAt: Date, r: number, reason: string) => {
      const p = await repo.insertPosition(open(symbol, "long", qty, entry, entry - 5_000, exit, fromIst("2024-03-20", "09:15"), 0));
      await repo.updatePosition(p.id, { status: "closed", closedAt: exitAt, lastPrice: exit });
      const gross = qty * (exit - entry);
      await repo.insertTrade({ positionId: p.id, symbol, strategy: "3wi", side: "long", qty, entryTime: p.openedAt, entryPrice: entry, exitTime: exitAt, exitPrice: exit, gross, charges, net: gross - charges, r, exitReason: reason });
    };
    await trade("M&M", 10, 150_000, 156_000, 4_000, fromIst(DAY, "11:00"), 1.12, "target"); // gross ₹600, net ₹560
    await trade("INFY", 20, 150_000, 148_000, 6_000, fromIst(DAY, "14:00"), -0.5, "stop"); // gross −₹400, net −₹460
    await trade("WIPRO", 10, 50_000, 51_100, 1_000, fromIst("2024-03-22", "15:00"), 0.4, "target"); // Friday: net ₹100
    // Open: TCS long with a stop below, SBIN short, HDFCBANK without a stop, RELIANCE with its stop trailed above entry.
    await repo.insertPosition(open("TCS", "long", 5, 400_000, 390_000, 410_000, fromIst("2024-03-21", "10:00"), 1_000));
    await repo.insertPosition(open("SBIN", "short", 100, 75_000, 77_000, 76_000, fromIst("2024-03-26", "09:30"), 2_000));
    await repo.insertPosition(open("HDFCBANK", "long", 10, 145_000, null, 146_000, fromIst("2024-03-22", "09:30"), 500));
    await repo.insertPosition(open("RELIANCE", "long", 4, 290_000, 295_000, 305_000, fromIst("2024-03-15", "09:30"), 500));
    // Closes booked: Thursday and Friday (Monday was Holi).
    const daily = (date: string, endingEquity: number) =>
      repo.upsertDaily({ date, startingEquity: CAPITAL, endingEquity, realized: 0, unrealized: 0, charges: 0, trades: 0, wins: 0 });
    await daily("2024-03-21", 100_200_000);
    await daily("2024-03-22", 100_016_000);
    digest = await buildDigest({ date: DAY, store: repo, capital: CAPITAL, calendar, breaker });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("adds up the day by hand", async () => {
    // Closed today: ₹560 − ₹460 = ₹100 net, after ₹40 + ₹60 = ₹100 charges; 1 of 2 won.
    expect(digest.closedToday.map((t) => t.symbol)).toEqual(["M&M", "INFY"]);
    expect(digest.realizedToday).toBe(10_000);
    expect(digest.chargesToday).toBe(10_000);
    expect(digest.wins).toBe(1);
    expect(digest.winRatePct).toBe(50);
    // Unrealized: TCS 5×(4,100−4,000) = +₹500; SBIN short 100×(750−760) = −₹1,000;
    // HDFCBANK 10×(1,460−1,450) = +₹100; RELIANCE 4×(3,050−2,900) = +₹600. Total +₹200.
    expect(digest.openPositions.map((p) => [p.symbol, p.unrealized])).toEqual([
      ["RELIANCE", 60_000],
      ["TCS", 50_000],
      ["HDFCBANK", 10_000],
      ["SBIN", -100_000],
    ]);
    expect(digest.unrealized).toBe(20_000);
    const tcs = digest.openPositions.find((p) => p.symbol === "TCS")!;
    expect(tcs.unrealizedPct).toBeCloseTo(2.5, 10); // ₹500 on ₹20,000
    expect(tcs.daysHeld).toBe(5);
    expect(digest.openPositions.find((p) => p.symbol === "SBIN")!.unrealizedPct).toBeCloseTo(-1.3333, 4); // −₹1,000 on ₹75,000
    // Equity = capital + all realized (₹560 − ₹460 + ₹100 = ₹200) − open entry charges (₹40) + unrealized (₹200) = ₹10,00,360.
    expect(digest.equity).toBe(100_036_000);
    expect(digest.equity).toBe((await ledger(repo, CAPITAL)).equity);
    // Net today: ₹10,00,360 − Friday's close ₹10,00,160 = +₹200.
    expect(digest.startEquity).toBe(100_016_000);
    expect(digest.netToday).toBe(20_000);
    // Risk to stop: TCS 5×(4,000−3,900) = ₹500; SBIN 100×(770−750) = ₹2,000; RELIANCE stop above entry: 0; HDFCBANK: no stop.
    expect(digest.openPositions.map((p) => [p.symbol, p.riskToStop])).toEqual([
      ["RELIANCE", 0],
      ["TCS", 50_000],
      ["HDFCBANK", null],
      ["SBIN", 200_000],
    ]);
    expect(digest.openRisk).toBe(250_000);
    expect(digest.unstopped).toEqual(["HDFCBANK"]);
    expect(digest.openRiskPct).toBeCloseTo((250_000 / 100_036_000) * 100, 10); // 0.2499…%
    // Deployed: ₹20,000 + ₹75,000 + ₹14,500 + ₹11,600 = ₹1,21,100 = 12.1056…% of equity.
    expect(digest.capitalDeployed).toBe(12_110_000);
    expect(digest.capitalDeployedPct).toBeCloseTo(12.1056, 4);
    expect(digest.breaker).toBe(breaker);
    // Wednesday is BANKNIFTY's monthly expiry (last Wednesday of March 2024).
    expect(digest.tomorrow).toEqual({ date: "2024-03-27", events: [{ kind: "expiry", underlying: "BANKNIFTY", date: "2024-03-27" }] });
  });

  it("writes the key lines, escaped, under Telegram's limit", () => {
    const text = digestText(digest, "paper");
    const lines = text.split("\n");
    expect(lines[0]).toBe("📝 <b>PAPER</b> · <b>End of day · Tue 26 Mar 2024</b>");
    expect(lines).toContain("<b>Net today +₹200.00</b> · equity ₹10,00,360.00 (last close ₹10,00,160.00)");
    expect(lines).toContain("Realized +₹100.00 after ₹100.00 charges · 2 trades closed, 1 won (50%)");
    expect(lines).toContain("Unrealized +₹200.00 on 4 open positions (before exit charges)");
    expect(lines).toContain("Open risk ₹2,500.00 (0.25% of equity) · ⚠️ no stop: HDFCBANK · deployed ₹1,21,100.00 (12.1% of equity)");
    expect(lines).toContain("Daily-loss circuit breaker: armed. 2024-03-26 started at ₹10,00,160.00; it trips at ₹9,70,155.20 or below (a 3% loss).");
    expect(lines).toContain("M&amp;M × 10: ₹1,500.00 → ₹1,560.00 · net +₹560.00 (target, 1.12R)");
    expect(lines).toContain("INFY × 20: ₹1,500.00 → ₹1,480.00 · net -₹460.00 (stop, -0.50R)");
    expect(lines).toContain("<b>TCS</b> long × 5 · 3wi · avg ₹4,000.00 · LTP ₹4,100.00 · +₹500.00 (+2.50%) · stop ₹3,900.00 (risk ₹500.00)");
    expect(lines).toContain("<b>SBIN</b> short × 100 · 3wi · avg ₹750.00 · LTP ₹760.00 · -₹1,000.00 (-1.33%) · stop ₹770.00 (risk ₹2,000.00)");
    expect(lines).toContain("<b>HDFCBANK</b> long × 10 · 3wi · avg ₹1,450.00 · LTP ₹1,460.00 · +₹100.00 (+0.69%) · ⚠️ no stop");
    expect(lines).toContain("<b>Tomorrow</b> (next trading day): Wed 27 Mar 2024");
    expect(lines).toContain("• <b>BANKNIFTY monthly expiry tomorrow</b>");
    expect(text).not.toMatch(/M&M/);
    expect(text.length).toBeLessThan(TELEGRAM_MAX_CHARS);
    expect(digestText(digest, "live").split("\n")[0]).toBe("🔴 <b>LIVE</b> · <b>End of day · Tue 26 Mar 2024</b>");
  });

  it("reads the daily equity rows back for the chart, oldest first", async () => {
    await repo.upsertDaily({ date: DAY, startingEquity: 100_016_000, endingEquity: 100_036_000, realized: 10_000, unrealized: 20_000, charges: 10_000, trades: 2, wins: 1 });
    const rows = await equityHistory(repo, DAY);
    expect(rows).toEqual([
      { date: "2024-03-21", equity: 100_200_000 },
      { date: "2024-03-22", equity: 100_016_000 },
      { date: "2024-03-26", equity: 100_036_000 },
    ]);
    expect(await equityHistory(repo, DAY, 2)).toEqual(rows.slice(1));
    // A day without its own row yet starts from the last close before it.
    expect((await equityHistory(repo, "2024-03-25")).map((r) => r.date)).toEqual(["2024-03-21", "2024-03-22"]);
    const png = digestChart(rows, { fonts: { loadSystemFonts: false } })!;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(digestChart(rows.slice(0, 1))).toBeNull();
  });
});

describe("the next trading day's events", () => {
  it("names holidays in between and monthly expiries", () => {
    // Fri 22 Mar 2024: Monday is Holi, next trading day Tuesday.
    expect(tomorrowFor("2024-03-22", calendar)).toEqual({ date: "2024-03-26", events: [{ kind: "closed", date: "2024-03-25", reason: "Holi" }] });
    // Rollovers are not tomorrow's events: the digest's rollover notices follow the desk's own rule (tests/unit/bot/digest-rollover.test.ts).
    expect(tomorrowFor("2024-03-21", calendar)).toEqual({ date: "2024-03-22", events: [] });
    // Wed 27 Mar: NIFTY's monthly expiry is Thursday (Good Friday is the 29th, so no roll-back).
    expect(tomorrowFor("2024-03-27", calendar).events).toEqual([{ kind: "expiry", underlying: "NIFTY", date: "2024-03-28" }]);
    // Thu 28 Mar: Good Friday and the weekend, back on Monday 1 April.
    expect(tomorrowFor("2024-03-28", calendar)).toEqual({ date: "2024-04-01", events: [{ kind: "closed", date: "2024-03-29", reason: "Good Friday" }] });
    // Thu 31 Oct 2024: Diwali Friday is a holiday with a Muhurat session in the evening.
    expect(tomorrowFor("2024-10-31", calendar)).toEqual({
      date: "2024-11-04",
      events: [
        { kind: "special-session", date: "2024-11-01", windows: ["18:00–19:00"], description: "Muhurat trading (Diwali Laxmi Pujan)" },
        { kind: "closed", date: "2024-11-01", reason: "Diwali Laxmi Pujan" },
      ],
    });
    // Beyond the holiday data: said, not guessed.
    const end = tomorrowFor("2026-12-31", calendar);
    expect(end.date).toBeNull();
    expect(end.note).toMatch(/2027-01-01 is outside the NSE holiday data/);
  });

  it("says so in the text, with the holiday before it", () => {
    const d = composeDigest({
      date: "2024-03-28",
      capital: CAPITAL,
      startEquity: CAPITAL,
      book: { capital: CAPITAL, realized: 0, openCost: 0, openCharges: 0, unrealized: 0, cash: CAPITAL, equity: CAPITAL, reserved: 0 },
      positions: [],
      trades: [],
      breaker: "armed",
      calendar,
    });
    expect(d.winRatePct).toBeNull();
    const lines = digestText(d, "paper").split("\n");
    expect(lines).toContain("No trades closed today.");
    expect(lines).toContain("<b>Net today ₹0.00</b> · equity ₹10,00,000.00 (last close ₹10,00,000.00)");
    expect(lines).toContain("<b>Tomorrow</b> (next trading day): Mon 01 Apr 2024");
    expect(lines).toContain("• Exchange closed Fri 29 Mar 2024 (Good Friday)");
    expect(dayLabel("2024-03-22")).toBe("Fri 22 Mar 2024");
  });
});

describe("a long day", () => {
  it("cuts long lists to fit 4096 characters and says how many are left out", () => {
    const t0 = fromIst(DAY, "10:00");
    const positions = Array.from({ length: 300 }, (_, i) => ({
      id: i + 1,
      symbol: `SYM&${i}`,
      strategy: "<tricky>",
      side: "long" as const,
      status: "open" as const,
      qty: 1,
      costBasis: 10_000,
      openCharges: 0,
      initialStop: 9_000,
      stop: 9_000,
      targets: [],
      lastPrice: 10_500,
      realized: 0,
      signalId: null,
      unit: null,
      openedAt: t0,
      closedAt: null,
    }));
    const trades = Array.from({ length: 120 }, (_, i) => ({
      id: i + 1,
      positionId: 1000 + i,
      symbol: `OLD&${i}`,
      strategy: "3wi",
      side: "long" as const,
      qty: 1,
      entryTime: t0,
      entryPrice: 10_000,
      exitTime: new Date(t0.getTime() + i * 1000),
      exitPrice: 10_100,
      gross: 100,
      charges: 10,
      net: 90,
      r: 0.09,
      exitReason: "target",
    }));
    const d = composeDigest({
      date: DAY,
      capital: CAPITAL,
      startEquity: CAPITAL,
      book: { capital: CAPITAL, realized: 10_800, openCost: 3_000_000, openCharges: 0, unrealized: 150_000, cash: 0, equity: CAPITAL + 160_800, reserved: 0 },
      positions,
      trades,
      breaker: "x".repeat(5000),
      calendar,
    });
    const text = digestText(d, "paper");
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
    expect(text).toMatch(/\n…and 1\d\d more\n/); // trades: 120 less what fits
    expect(text).toMatch(/\n…and 2\d\d more\n/); // positions: 300 less what fits
    expect(text).toContain("<b>SYM&amp;0</b> long × 1 · &lt;tricky&gt;");
    expect(text).not.toContain("<tricky>");
    expect(text.match(/<b>/g)!.length).toBe(text.match(/<\/b>/g)!.length);
    expect(text).toContain("Realized +₹108.00 after ₹12.00 charges · 120 trades closed, 120 won (100%)");
  });
});
