import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, migrateDatabase, openDatabase } from "../../../src/db/connection.js";
import { Repo } from "../../../src/db/repo.js";
import { Portfolio, type FillCharges } from "../../../src/engine/portfolio/portfolio.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import type { OrderView, PositionView, TradeView } from "../../../src/engine/views.js";

let database: Database;
let repo: Repo;

beforeAll(async () => {
  database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  repo = new Repo(database.db);
});

afterAll(async () => {
  await database?.close();
});

/** 0.13% of the fill value, rounded to the paisa: odd enough that allocation remainders show. */
const charges: FillCharges = ({ value }) => Math.round(value * 0.0013);
const portfolio = new Portfolio(charges);

let seq = 0;
function order(purpose: OrderView["purpose"], side: OrderView["side"], positionId: number | null, symbol = "M&M"): OrderView {
  seq++;
  return {
    id: seq,
    clientOrderId: `T${seq}`,
    brokerOrderId: null,
    signalId: null,
    positionId,
    symbol,
    side,
    qty: 0,
    orderType: "market",
    limitPrice: null,
    purpose,
    status: "submitted",
    filledQty: 0,
    avgFillPrice: null,
    reason: null,
    placedAt: new Date(0),
    updatedAt: new Date(0),
  };
}

const day = (d: string) => fromIst(d, "09:15");
const ctx = (stop: number | null, exitReason = "signal_exit") => ({ strategy: "sma-cross", stop, targets: [], exitReason });

/** Books a fill with charges priced by the portfolio, as the order manager does. */
async function fill(o: OrderView, qty: number, price: number, time: Date, stop: number | null = null, exitReason = "signal_exit") {
  const f = { qty, price, time };
  return portfolio.applyFill(repo, o, f, ctx(stop, exitReason), portfolio.chargesFor(o, f));
}

async function buy(qty: number, price: number, stop: number | null, on = "2025-01-02", into: PositionView | null = null, symbol = "M&M") {
  return fill(order("entry", "buy", into?.id ?? null, symbol), qty, price, day(on), stop);
}
async function sell(pos: PositionView, qty: number, price: number, on = "2025-01-03", purpose: OrderView["purpose"] = "exit") {
  return fill(order(purpose, "sell", pos.id), qty, price, day(on));
}

describe("chargesFor", () => {
  it("prices the fill value with the charges function", () => {
    const seen: Array<{ side: string; value: number; time: Date }> = [];
    const p = new Portfolio((f) => {
      seen.push(f);
      return 7;
    });
    const t = day("2025-01-02");
    expect(p.chargesFor({ side: "sell", symbol: "SBIN" }, { qty: 3, price: 10_005, time: t })).toBe(7);
    expect(seen).toEqual([{ side: "sell", value: 30_015, time: t, symbol: "SBIN" }]);
  });
});

describe("Portfolio.applyFill", () => {
  it("buy 3 at ₹100.05, exit 1 then 2: trades and what stays open add up to the paisa", async () => {
    // Entry: value 30,015; charges round(39.0195) = 39. Initial stop ₹97.05 → ₹3.00 risk per share.
    const opened = await buy(3, 10_005, 9_705);
    expect(opened.opened).toBe(true);
    expect(opened.trade).toBeUndefined();
    const pos = opened.position;
    expect(pos).toMatchObject({ symbol: "M&M", side: "long", status: "open", qty: 3, costBasis: 30_015, openCharges: 39, initialStop: 9_705, stop: 9_705, realized: 0, lastPrice: 10_005 });

    // Exit 1 at ₹101.11: cost 10,005; entry charges 13; exit charges round(13.1443) = 13.
    // gross 10,111 − 10,005 = 106; charges 26; net 80; R = 80 / (300 × 1) = 0.2667.
    const r1 = await sell(pos, 1, 10_111, "2025-01-03");
    expect(r1.trade).toMatchObject({ qty: 1, entryPrice: 10_005, exitPrice: 10_111, gross: 106, charges: 26, net: 80, r: 0.2667, exitReason: "signal_exit" });
    expect(r1.position).toMatchObject({ status: "open", qty: 2, costBasis: 20_010, openCharges: 26, realized: 80, lastPrice: 10_111, closedAt: null });

    // Exit 2 at ₹98.77: cost 20,010; entry charges 26; exit value 19,754, charges round(25.6802) = 26.
    // gross −256; charges 52; net −308; R = −308 / (300 × 2) = −0.5133.
    const r2 = await sell(r1.position, 2, 9_877, "2025-01-06");
    expect(r2.trade).toMatchObject({ qty: 2, entryPrice: 10_005, exitPrice: 9_877, gross: -256, charges: 52, net: -308, r: -0.5133 });
    expect(r2.position).toMatchObject({ status: "closed", qty: 0, costBasis: 0, openCharges: 0, realized: -228 });
    expect(r2.position.closedAt?.getTime()).toBe(day("2025-01-06").getTime());

    // Totals: Σ gross = exit values − entry value; Σ charges = entry charges + exit charges.
    const trades = [r1.trade!, r2.trade!];
    expect(trades.reduce((s, t) => s + t.gross, 0)).toBe(10_111 + 19_754 - 30_015);
    expect(trades.reduce((s, t) => s + t.charges, 0)).toBe(39 + 13 + 26);
    expect(trades.reduce((s, t) => s + t.net, 0)).toBe(r2.position.realized);
  });

  it("an uneven cost basis and odd entry charges: the last exit takes the remainder", async () => {
    // Entries: 1 @ ₹100.05 (charges 13) + 2 @ ₹101.93 (value 20,386, charges round(26.5018) = 27).
    const first = await buy(1, 10_005, 9_800, "2025-02-03");
    const added = await buy(2, 10_193, 9_800, "2025-02-04", first.position);
    expect(added.opened).toBe(false);
    expect(added.position.id).toBe(first.position.id);
    expect(added.position).toMatchObject({ qty: 3, costBasis: 30_391, openCharges: 40, initialStop: 9_800 });
    expect(added.position.openedAt.getTime()).toBe(day("2025-02-03").getTime());

    // Exit 1 @ ₹103.00: cost round(30,391 / 3) = 10,130; entry charges round(40 / 3) = 13;
    // exit charges round(13.39) = 13; gross 170; net 144; R = 144 / (10,130 − 9,800) = 0.4364.
    const r1 = await sell(added.position, 1, 10_300, "2025-02-05");
    expect(r1.trade).toMatchObject({ qty: 1, entryPrice: 10_130, gross: 170, charges: 26, net: 144, r: 0.4364 });
    expect(r1.position).toMatchObject({ qty: 2, costBasis: 20_261, openCharges: 27 });

    // Exit 2 @ ₹102.50: the rest, cost 20,261 and entry charges 27; exit charges round(26.65) = 27.
    // gross 20,500 − 20,261 = 239; charges 54; net 185.
    const r2 = await sell(r1.position, 2, 10_250, "2025-02-06");
    expect(r2.trade).toMatchObject({ qty: 2, gross: 239, charges: 54, net: 185 });
    expect(r2.position).toMatchObject({ status: "closed", qty: 0, costBasis: 0, openCharges: 0, realized: 329 });

    expect(r1.trade!.gross + r2.trade!.gross).toBe(10_300 + 20_500 - 30_391);
    expect(r1.trade!.charges + r2.trade!.charges).toBe(13 + 27 + 13 + 27);
  });

  it("conserves cost and charges to the paisa over many partial exits", async () => {
    let x = 12345;
    const rnd = (n: number) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    for (let round = 0; round < 6; round++) {
      const entries: Array<[number, number]> = [];
      let qtyTotal = 0;
      for (let k = 0; k < 1 + rnd(3); k++) {
        const q = 1 + rnd(9);
        entries.push([q, 9_000 + rnd(3_000)]);
        qtyTotal += q;
      }
      let pos: PositionView | null = null;
      let entryValue = 0;
      let entryCharges = 0;
      for (const [q, p] of entries) {
        pos = (await buy(q, p, 8_500, "2025-03-03", pos)).position;
        entryValue += q * p;
        entryCharges += Math.round(q * p * 0.0013);
      }
      expect(pos!.qty).toBe(qtyTotal);
      expect(pos!.costBasis).toBe(entryValue);
      expect(pos!.openCharges).toBe(entryCharges);

      const trades: TradeView[] = [];
      let exitValue = 0;
      let exitCharges = 0;
      while (pos!.qty > 0) {
        const q = Math.min(pos!.qty, 1 + rnd(4));
        const p = 9_000 + rnd(3_000);
        const r = await sell(pos!, q, p, "2025-03-04");
        trades.push(r.trade!);
        exitValue += q * p;
        exitCharges += Math.round(q * p * 0.0013);
        pos = r.position;
        // What is closed plus what is open is always the whole.
        const closedQty = trades.reduce((s, t) => s + t.qty, 0);
        expect(closedQty + pos.qty).toBe(qtyTotal);
      }
      expect(pos!.status).toBe("closed");
      expect(pos!.costBasis).toBe(0);
      expect(pos!.openCharges).toBe(0);
      expect(trades.reduce((s, t) => s + t.gross, 0)).toBe(exitValue - entryValue);
      expect(trades.reduce((s, t) => s + t.charges, 0)).toBe(entryCharges + exitCharges);
      expect(trades.reduce((s, t) => s + t.net, 0)).toBe(pos!.realized);
      for (const t of trades) expect(Number.isInteger(t.gross) && Number.isInteger(t.charges) && Number.isInteger(t.net)).toBe(true);
    }
  });

  it("R uses the initial stop even after the stop has moved", async () => {
    const { position } = await buy(10, 20_000, 19_000, "2025-04-01"); // ₹10 risk per share
    const moved = await repo.updatePosition(position.id, { stop: 19_900 });
    expect(moved.stop).toBe(19_900);
    expect(moved.initialStop).toBe(19_000);
    // value 200,000 → entry charges 260; exit 10 @ ₹220: value 220,000, charges 286.
    // gross 20,000; net 20,000 − 546 = 19,454; R = 19,454 / (1,000 × 10) = 1.9454.
    const r = await sell(moved, 10, 22_000, "2025-04-02", "stop");
    expect(r.trade).toMatchObject({ gross: 20_000, charges: 546, net: 19_454, r: 1.9454 });
    expect(r.position.status).toBe("closed");
  });

  it("R is null without a stop", async () => {
    const { position } = await buy(2, 10_000, null, "2025-04-03");
    const r = await sell(position, 2, 10_100, "2025-04-04");
    expect(r.trade!.r).toBeNull();
    expect(r.trade!.gross).toBe(200);
  });

  it("books a short position the other way round", async () => {
    const o = order("entry", "sell", null);
    const opened = await fill(o, 4, 10_000, day("2025-05-02"), 10_500);
    expect(opened.position).toMatchObject({ side: "short", qty: 4, costBasis: 40_000, openCharges: 52 });
    // Cover 4 @ ₹95: gross 40,000 − 38,000 = 2,000; exit charges round(49.4) = 49; net 2,000 − 101 = 1,899.
    // R = 1,899 / (500 × 4) = 0.9495.
    const r = await fill(order("exit", "buy", opened.position.id), 4, 9_500, day("2025-05-05"));
    expect(r.trade).toMatchObject({ side: "short", gross: 2_000, charges: 101, net: 1_899, r: 0.9495 });
    expect(r.position.status).toBe("closed");
  });

  it("refuses an exit for a closed or unknown position", async () => {
    const { position } = await buy(1, 10_000, 9_000, "2025-06-02");
    const done = await sell(position, 1, 10_100, "2025-06-03");
    expect(done.position.status).toBe("closed");
    await expect(sell(done.position, 1, 10_100, "2025-06-04")).rejects.toThrow(/not open/);
    await expect(fill(order("exit", "sell", null), 1, 10_000, day("2025-06-04"))).rejects.toThrow(/not open/);
    await expect(fill(order("stop", "sell", 987_654), 1, 10_000, day("2025-06-04"))).rejects.toThrow(/not open/);
  });

  it("an entry fill for a closed position opens a new one", async () => {
    const { position } = await buy(1, 10_000, 9_000, "2025-07-01");
    const closed = (await sell(position, 1, 10_000, "2025-07-02")).position;
    const again = await buy(2, 10_500, 9_500, "2025-07-03", closed);
    expect(again.opened).toBe(true);
    expect(again.position.id).not.toBe(closed.id);
    expect(again.position).toMatchObject({ qty: 2, costBasis: 21_000, status: "open" });
  });

  it("writes what it returns: the stored position and trade match", async () => {
    const { position } = await buy(5, 12_345, 12_000, "2025-08-01");
    const r = await sell(position, 2, 12_600, "2025-08-04");
    expect(await repo.position(position.id)).toEqual(r.position);
    const stored = (await repo.trades()).find((t) => t.id === r.trade!.id);
    expect(stored).toEqual(r.trade);
  });
});
