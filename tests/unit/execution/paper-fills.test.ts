import { describe, expect, it } from "vitest";
import type { BrokerFill, OrderRequest } from "../../../src/engine/execution/broker.js";
import { PaperBroker, type PaperBrokerOptions } from "../../../src/engine/execution/paper-broker.js";
import { SEED_SLIPPAGE_MODEL } from "../../../src/engine/execution/slippage.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { toPaise } from "../../../src/engine/money.js";
import { fromIst } from "../../../src/engine/time/ist.js";

/** A daily bar; prices in rupees for readability. */
function bar(date: string, o: number, h: number, l: number, c: number, volume = 1_000_000, symbol = "INFY"): Candle {
  return { symbol, timeframe: "1d", time: fromIst(date, "09:15"), open: toPaise(o), high: toPaise(h), low: toPaise(l), close: toPaise(c), volume };
}

const order = (o: Partial<OrderRequest> & Pick<OrderRequest, "clientOrderId">): OrderRequest => ({ symbol: "INFY", side: "buy", qty: 10, type: "market", ...o });

function setup(opts: PaperBrokerOptions = {}) {
  const broker = new PaperBroker(opts);
  const fills: BrokerFill[] = [];
  broker.onFill(async (f) => {
    fills.push(f);
  });
  return { broker, fills };
}

/** Mid cap at VIX 0 with a tiny order: exactly the seed's 10 bps. */
const TEN_BPS: PaperBrokerOptions = { slippage: SEED_SLIPPAGE_MODEL, category: () => "mid_cap", vix: () => 0, adv: () => 1_000_000 };
const rupees = (fs: BrokerFill[]) => fs.map((f) => f.price / 100);

describe("market orders with slippage", () => {
  it("a ₹1,000 open with 10 bps: a buy fills at ₹1,001.00, a sell at ₹999.00", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.placeOrder(order({ clientOrderId: "S", side: "sell" }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    expect(fills.map((f) => [f.clientOrderId, f.price])).toEqual([
      ["B", toPaise(1001)],
      ["S", toPaise(999)],
    ]);
  });

  it("VIX 30 on a large cap: 5 bps × 2.5 = 12.5 bps, a ₹1,000 buy fills at ₹1,001.25", async () => {
    const { broker, fills } = setup({ ...TEN_BPS, category: () => "large_cap", vix: () => 30 });
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    expect(rupees(fills)).toEqual([1001.25]);
  });

  it("5% of ADV pays ×1.5 where 0.1% pays ×1: ₹1,001.50 against ₹1,001.00", async () => {
    const big = setup({ ...TEN_BPS, adv: () => 20_000 });
    await big.broker.placeOrder(order({ clientOrderId: "BIG", qty: 1_000 })); // 5% of 20,000
    await big.broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    const small = setup({ ...TEN_BPS, adv: () => 1_000_000 });
    await small.broker.placeOrder(order({ clientOrderId: "SMALL", qty: 1_000 })); // 0.1% of 10 lakh
    await small.broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    expect(rupees(big.fills)).toEqual([1001.5]);
    expect(rupees(small.fills)).toEqual([1001]);
  });

  it("without a category table the ADV value traded decides: 10 lakh shares × ₹1,000 is large cap (5 bps at VIX 0)", async () => {
    const { broker, fills } = setup({ slippage: SEED_SLIPPAGE_MODEL, vix: () => 0, adv: () => 1_000_000 });
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    expect(rupees(fills)).toEqual([1000.5]);
  });

  it("asks for ADV and VIX at the bar's time, per symbol", async () => {
    const asked: string[] = [];
    const { broker } = setup({
      slippage: SEED_SLIPPAGE_MODEL,
      adv: (s, t) => (asked.push(`adv ${s} ${t.toISOString()}`), 1_000_000),
      vix: (t) => (asked.push(`vix ${t.toISOString()}`), 15),
    });
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    const t = fromIst("2025-01-02", "09:15").toISOString();
    expect(asked).toEqual([`adv INFY ${t}`, `vix ${t}`]);
  });
});

describe("ticks", () => {
  it("under ₹250 from 2024-06-10 the fill lands on 1 paisa: ₹201.05 + 10 bps = ₹201.251 → ₹201.26 (it was ₹201.30 on the 5-paise tick the day before)", async () => {
    const after = setup(TEN_BPS);
    await after.broker.placeOrder(order({ clientOrderId: "B" }));
    await after.broker.onBar(bar("2024-06-10", 201.05, 205, 200, 204));
    const before = setup(TEN_BPS);
    await before.broker.placeOrder(order({ clientOrderId: "B" }));
    await before.broker.onBar(bar("2024-06-07", 201.05, 205, 200, 204));
    expect(rupees(after.fills)).toEqual([201.26]);
    expect(rupees(before.fills)).toEqual([201.3]);
  });

  it("at ₹250 and above the tick stays 5 paise: ₹300.05 + 10 bps = ₹300.35005 → ₹300.40", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.onBar(bar("2024-06-10", 300.05, 305, 300, 304));
    expect(rupees(fills)).toEqual([300.4]);
  });

  it("slippage that carries a price across ₹250 takes the 5-paise tick there: ₹249.91 + 10 bps = ₹250.16 → ₹250.20", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.onBar(bar("2025-01-02", 249.91, 252, 249, 251));
    expect(rupees(fills)).toEqual([250.2]);
  });

  it("with no slippage an off-tick open is still put on the tick, against the trader", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.placeOrder(order({ clientOrderId: "S", side: "sell" }));
    await broker.onBar(bar("2024-01-02", 1000.03, 1010, 990, 1005));
    expect(rupees(fills)).toEqual([1000.05, 1000]);
  });

  it("a custom tick function is used", async () => {
    const { broker, fills } = setup({ ...TEN_BPS, tick: () => 100 });
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    expect(rupees(fills)).toEqual([1001]);
    await broker.placeOrder(order({ clientOrderId: "B2" }));
    await broker.onBar(bar("2025-01-03", 1000.5, 1010, 990, 1005));
    expect(rupees(fills)).toEqual([1001, 1002]); // ₹1,001.50 rounded up to a whole rupee
  });
});

describe("limit orders", () => {
  it("a buy limit at ₹990 does not fill while the low stays at ₹990.05, and keeps working", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "BL", type: "limit", price: toPaise(990) }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990.05, 1005));
    expect(fills).toEqual([]);
    expect(broker.workingOrders().map((o) => [o.clientOrderId, o.qty])).toEqual([["BL", 10]]);
  });

  it("fills at the limit when the low touches it; slippage never makes it worse than the limit", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "BL", type: "limit", price: toPaise(990) }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    expect(rupees(fills)).toEqual([990]);
    expect(broker.workingOrders()).toEqual([]);
  });

  it("a bar that opens through a buy limit fills at the open plus slippage: open ₹985 → ₹985.985 → ₹986.00", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "BL", type: "limit", price: toPaise(990) }));
    await broker.onBar(bar("2025-01-02", 985, 995, 980, 992));
    expect(rupees(fills)).toEqual([986]);
  });

  it("...but capped at the limit: open ₹989.50 + 10 bps would be ₹990.50, it fills at ₹990.00", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "BL", type: "limit", price: toPaise(990) }));
    await broker.onBar(bar("2025-01-02", 989.5, 995, 980, 992));
    expect(rupees(fills)).toEqual([990]);
  });

  it("a sell limit mirrors it: no fill below, the limit on a touch, the open less slippage on a gap up", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "SL1", side: "sell", type: "limit", price: toPaise(1010) }));
    await broker.onBar(bar("2025-01-02", 1000, 1009.95, 995, 1005));
    expect(fills).toEqual([]);
    await broker.onBar(bar("2025-01-03", 1000, 1010, 995, 1005));
    await broker.placeOrder(order({ clientOrderId: "SL2", side: "sell", type: "limit", price: toPaise(1010) }));
    // ₹1,015 × 0.999 = ₹1,013.985 → down to ₹1,013.95
    await broker.onBar(bar("2025-01-06", 1015, 1020, 1012, 1018));
    expect(fills.map((f) => [f.clientOrderId, f.price / 100])).toEqual([
      ["SL1", 1010],
      ["SL2", 1013.95],
    ]);
  });

  it("an off-tick limit is never filled past it: a buy limit at ₹990.03 fills at most at ₹990.00", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "BL", type: "limit", price: 99_003 }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005));
    expect(rupees(fills)).toEqual([990]);
  });
});

describe("sell stops with slippage", () => {
  it("a touched ₹950 stop fills at ₹950 less 10 bps = ₹949.05", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "ST", side: "sell", type: "stop", price: toPaise(950) }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 960, 1005));
    expect(fills).toEqual([]);
    await broker.onBar(bar("2025-01-03", 1000, 1010, 940, 945));
    expect(rupees(fills)).toEqual([949.05]);
  });

  it("a gap below the stop fills at the open less slippage: ₹930 → ₹929.07 → ₹929.05", async () => {
    const { broker, fills } = setup(TEN_BPS);
    await broker.placeOrder(order({ clientOrderId: "ST", side: "sell", type: "stop", price: toPaise(950) }));
    await broker.onBar(bar("2025-01-02", 930, 935, 920, 925));
    expect(rupees(fills)).toEqual([929.05]);
  });
});

describe("partial fills", () => {
  const PARTIAL: PaperBrokerOptions = { partialFillMaxPctOfBarVolume: 10 };

  it("250 shares at 10% of 1,000-share bars fill 100 + 100 + 50 over three bars, each piece named by its bar", async () => {
    const { broker, fills } = setup(PARTIAL);
    await broker.placeOrder(order({ clientOrderId: "B", qty: 250 }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005, 1_000));
    expect(broker.workingOrders().map((o) => [o.qty, o.filledQty])).toEqual([[150, 100]]);
    await broker.onBar(bar("2025-01-03", 1002, 1010, 990, 1005, 1_005)); // 100.5 → 100
    await broker.onBar(bar("2025-01-06", 1004, 1010, 990, 1005, 1_000));
    await broker.onBar(bar("2025-01-07", 1006, 1010, 990, 1005, 1_000));
    expect(fills.map((f) => [f.fillId, f.qty, f.price / 100])).toEqual([
      ["P-B-1d-2025-01-02T03:45:00.000Z", 100, 1000],
      ["P-B-1d-2025-01-03T03:45:00.000Z", 100, 1002],
      ["P-B-1d-2025-01-06T03:45:00.000Z", 50, 1004],
    ]);
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(250);
    expect(new Set(fills.map((f) => f.fillId)).size).toBe(3);
    expect(broker.workingOrders()).toEqual([]);
  });

  it("an order within the cap fills whole, with the plain id", async () => {
    const { broker, fills } = setup(PARTIAL);
    await broker.placeOrder(order({ clientOrderId: "B", qty: 100 }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005, 1_000));
    expect(fills.map((f) => [f.fillId, f.qty])).toEqual([["P-B-1", 100]]);
  });

  it("our orders share the cap: 80 + 80 against a 100-share allowance fill 80 then 20", async () => {
    const { broker, fills } = setup(PARTIAL);
    await broker.placeOrder(order({ clientOrderId: "A", qty: 80 }));
    await broker.placeOrder(order({ clientOrderId: "B", qty: 80 }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005, 1_000));
    expect(fills.map((f) => [f.clientOrderId, f.qty])).toEqual([
      ["A", 80],
      ["B", 20],
    ]);
  });

  it("a bar with no volume fills nothing; the order waits", async () => {
    const { broker, fills } = setup(PARTIAL);
    await broker.placeOrder(order({ clientOrderId: "B", qty: 5 }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005, 0));
    expect(fills).toEqual([]);
    expect(broker.workingOrders()).toHaveLength(1);
  });

  it("pieces round down to whole lots when the lot is known: 90 shares allowed, lot 25 → 75", async () => {
    const { broker, fills } = setup({ ...PARTIAL, lotSize: () => 25 });
    await broker.placeOrder(order({ clientOrderId: "B", qty: 200 }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005, 900));
    expect(fills.map((f) => f.qty)).toEqual([75]);
  });

  it("a partly filled buy limit keeps its limit on later bars", async () => {
    const { broker, fills } = setup(PARTIAL);
    await broker.placeOrder(order({ clientOrderId: "BL", qty: 150, type: "limit", price: toPaise(990) }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 985, 1005, 1_000));
    await broker.onBar(bar("2025-01-03", 1000, 1010, 995, 1005, 1_000)); // low above the limit: no fill
    await broker.onBar(bar("2025-01-06", 980, 1010, 975, 1005, 1_000));
    expect(fills.map((f) => [f.qty, f.price / 100])).toEqual([
      [100, 990],
      [50, 980],
    ]);
  });

  it("a triggered stop that could not fill whole sells the rest at the next open, even back above the trigger", async () => {
    const { broker, fills } = setup(PARTIAL);
    await broker.placeOrder(order({ clientOrderId: "ST", side: "sell", qty: 150, type: "stop", price: toPaise(950) }));
    await broker.onBar(bar("2025-01-02", 1000, 1010, 940, 945, 1_000));
    await broker.onBar(bar("2025-01-03", 960, 970, 955, 965, 1_000));
    expect(fills.map((f) => [f.qty, f.price / 100])).toEqual([
      [100, 950],
      [50, 960],
    ]);
  });

  it("after a restart the adopted remainder's pieces never reuse a booked fill id", async () => {
    const first = setup(PARTIAL);
    await first.broker.placeOrder(order({ clientOrderId: "B", qty: 250 }));
    await first.broker.onBar(bar("2025-01-02", 1000, 1010, 990, 1005, 1_000));
    const second = setup(PARTIAL);
    second.broker.adopt({ ...order({ clientOrderId: "B" }), brokerOrderId: "P-B", qty: 150 });
    await second.broker.onBar(bar("2025-01-03", 1000, 1010, 990, 1005, 1_000));
    await second.broker.onBar(bar("2025-01-06", 1000, 1010, 990, 1005, 1_000));
    const ids = [...first.fills, ...second.fills].map((f) => f.fillId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect([...first.fills, ...second.fills].reduce((s, f) => s + f.qty, 0)).toBe(250);
  });

  it("is deterministic: the same bars and orders give the same fills", async () => {
    async function run() {
      const { broker, fills } = setup({ ...TEN_BPS, ...PARTIAL, vix: (t) => (t.getUTCDate() % 2 ? 14 : 22) });
      await broker.placeOrder(order({ clientOrderId: "B", qty: 230 }));
      await broker.placeOrder(order({ clientOrderId: "S", side: "sell", qty: 120, type: "limit", price: toPaise(1003) }));
      for (const [d, o] of [
        ["2025-01-02", 1000],
        ["2025-01-03", 1004],
        ["2025-01-06", 999],
      ] as const) {
        await broker.onBar(bar(d, o, o + 5, o - 5, o, 1_000));
      }
      return fills;
    }
    const a = await run();
    expect(a.length).toBeGreaterThan(2);
    expect(await run()).toEqual(a);
  });
});

describe("options", () => {
  it.each([0, -5, 101, Number.NaN])("refuses a participation cap of %s%%", (pct) => {
    expect(() => new PaperBroker({ partialFillMaxPctOfBarVolume: pct })).toThrow(/share of a bar's volume/);
  });

  it("refuses a broken slippage model", () => {
    expect(() => new PaperBroker({ slippage: { ...SEED_SLIPPAGE_MODEL, vixDivisor: -1 } })).toThrow(/VIX divisor/);
  });
});
