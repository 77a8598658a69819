import { describe, expect, it } from "vitest";
import {
  ANGEL_ONE_PLAN,
  RATE_CARDS,
  SEGMENTS,
  brokerageEntryFor,
  computeCharges,
  parseBrokeragePlan,
  percentToRatio,
  rateCardFor,
  type BrokeragePlan,
  type ChargesInput,
} from "../../src/engine/costs/index.js";

/** ₹ → paise for readable test inputs (exact for the literals used here). */
const rs = (rupees: string) => {
  const [w, f = ""] = rupees.replaceAll(",", "").split(".");
  return Number(w) * 100 + Number(f.padEnd(2, "0"));
};

const charges = (input: Partial<ChargesInput> & Pick<ChargesInput, "segment" | "on">) =>
  computeCharges({ buyValue: 0, sellValue: 0, ...input });

describe("rate cards", () => {
  it("every card parses, is in date order and covers the same start date", () => {
    for (const seg of SEGMENTS) {
      const cards = RATE_CARDS[seg];
      expect(cards[0]!.effectiveFrom).toBe("2020-07-01");
      cards.forEach((c, i) => {
        expect(c.segment).toBe(seg);
        if (i > 0) expect(cards[i - 1]!.effectiveFrom < c.effectiveFrom).toBe(true);
        for (const p of [c.sttBuy, c.sttSell, c.exchange, c.sebi, c.ipft, c.stampBuy, c.gst]) {
          expect(() => percentToRatio(p)).not.toThrow();
        }
        expect(c.note.length).toBeGreaterThan(20);
      });
    }
  });

  it("percentages become exact fractions", () => {
    expect(percentToRatio("0.00297")).toEqual({ num: 297n, den: 10_000_000n });
    expect(percentToRatio("18")).toEqual({ num: 18n, den: 100n });
    expect(() => percentToRatio("0.1%")).toThrow(RangeError);
  });

  it("a change applies on and after its effective date, not the day before", () => {
    expect(rateCardFor("futures", "2024-09-30")).toMatchObject({ sttSell: "0.0125", exchange: "0.00188" });
    expect(rateCardFor("futures", "2024-10-01")).toMatchObject({ sttSell: "0.02", exchange: "0.00173" });
    expect(rateCardFor("options", "2024-09-30")).toMatchObject({ sttSell: "0.0625", exchange: "0.0495", ipft: "0.0005" });
    expect(rateCardFor("options", "2024-10-01")).toMatchObject({ sttSell: "0.1", exchange: "0.03503" });
    expect(rateCardFor("equity-delivery", "2024-09-30").exchange).toBe("0.00322");
    expect(rateCardFor("equity-intraday", "2024-10-01").exchange).toBe("0.00297");
    // Unchanged across 1 Oct 2024.
    expect(rateCardFor("equity-delivery", "2024-10-01")).toMatchObject({ sttBuy: "0.1", sttSell: "0.1" });
    expect(rateCardFor("equity-intraday", "2024-10-01")).toMatchObject({ sttBuy: "0", sttSell: "0.025" });
    // Older periods.
    expect(rateCardFor("equity-delivery", "2023-03-31")).toMatchObject({ exchange: "0.00345", ipft: "0" });
    expect(rateCardFor("options", "2023-03-31")).toMatchObject({ sttSell: "0.05", exchange: "0.053" });
    expect(rateCardFor("futures", "2021-03-31").sebi).toBe("0.00005");
    expect(rateCardFor("futures", "2021-04-01").sebi).toBe("0.0001");
    // Finance Act 2026.
    expect(rateCardFor("futures", "2026-03-31").sttSell).toBe("0.02");
    expect(rateCardFor("futures", "2026-04-01").sttSell).toBe("0.05");
    expect(rateCardFor("options", "2026-04-01").sttSell).toBe("0.15");
  });

  it("stamp duty is on buys only, at the uniform 2020 rates", () => {
    expect(SEGMENTS.map((s) => rateCardFor(s, "2025-01-15").stampBuy)).toEqual(["0.015", "0.003", "0.002", "0.003"]);
  });

  it("refuses dates with no card", () => {
    expect(() => rateCardFor("futures", "2020-06-30")).toThrow(/on: no futures rate card before 2020-07-01/);
  });
});

describe("worked examples (2025-01-15 unless noted)", () => {
  it("equity delivery: buy ₹1,00,000, sell ₹1,10,000", () => {
    // brokerage  min(₹20, 0.1% × 1,00,000 = ₹100) + min(₹20, ₹110)   = ₹40.00
    // STT        0.1% × (1,00,000 + 1,10,000) = ₹210                  = ₹210.00
    // exchange   0.00297% × 2,10,000 = ₹6.237                         = ₹6.24
    // SEBI       0.0001% × 2,10,000                                   = ₹0.21
    // IPFT       0.0001% × 2,10,000                                   = ₹0.21
    // stamp      0.015% × 1,00,000 (buy)                              = ₹15.00
    // DP         ₹20 × 1 scrip                                        = ₹20.00
    // GST        18% × (40 + 6.24 + 0.21 + 0.21 + 20 = 66.66) = 11.9988 = ₹12.00
    // total                                                           = ₹303.66
    expect(charges({ segment: "equity-delivery", buyValue: rs("100000"), sellValue: rs("110000"), on: "2025-01-15" })).toEqual({
      brokerage: 4000,
      stt: 21000,
      exchange: 624,
      sebi: 21,
      stamp: 1500,
      ipft: 21,
      gst: 1200,
      dp: 2000,
      total: 30366,
    });
  });

  it("equity intraday: ₹5,00,000 each side", () => {
    // brokerage  min(₹20, 0.03% × 5,00,000 = ₹150) × 2 orders         = ₹40.00
    // STT        0.025% × 5,00,000 (sell)                             = ₹125.00
    // exchange   0.00297% × 10,00,000                                 = ₹29.70
    // SEBI, IPFT 0.0001% × 10,00,000 each                             = ₹1.00, ₹1.00
    // stamp      0.003% × 5,00,000                                    = ₹15.00
    // GST        18% × (40 + 29.70 + 1 + 1 = 71.70) = 12.906          = ₹12.91
    // total                                                           = ₹224.61
    expect(charges({ segment: "equity-intraday", buyValue: rs("500000"), sellValue: rs("500000"), on: "2025-01-15" })).toEqual({
      brokerage: 4000,
      stt: 12500,
      exchange: 2970,
      sebi: 100,
      stamp: 1500,
      ipft: 100,
      gst: 1291,
      dp: 0,
      total: 22461,
    });
  });

  it("futures ₹10,00,000 each side, before 1 Oct 2024 (STT 0.0125%)", () => {
    // brokerage  ₹20 × 2                                              = ₹40.00
    // STT        0.0125% × 10,00,000                                  = ₹125.00
    // exchange   0.00188% × 20,00,000                                 = ₹37.60
    // SEBI, IPFT 0.0001% × 20,00,000 each                             = ₹2.00, ₹2.00
    // stamp      0.002% × 10,00,000                                   = ₹20.00
    // GST        18% × (40 + 37.60 + 2 + 2 = 81.60) = 14.688          = ₹14.69
    // total                                                           = ₹241.29
    expect(charges({ segment: "futures", buyValue: rs("1000000"), sellValue: rs("1000000"), on: "2024-09-30" })).toEqual({
      brokerage: 4000,
      stt: 12500,
      exchange: 3760,
      sebi: 200,
      stamp: 2000,
      ipft: 200,
      gst: 1469,
      dp: 0,
      total: 24129,
    });
  });

  it("futures ₹10,00,000 each side, from 1 Oct 2024 (STT 0.02%)", () => {
    // STT        0.02% × 10,00,000                                    = ₹200.00
    // exchange   0.00173% × 20,00,000                                 = ₹34.60
    // GST        18% × (40 + 34.60 + 2 + 2 = 78.60) = 14.148          = ₹14.15
    // total      40 + 200 + 34.60 + 2 + 20 + 2 + 14.15                = ₹312.75
    const after = { brokerage: 4000, stt: 20000, exchange: 3460, sebi: 200, stamp: 2000, ipft: 200, gst: 1415, dp: 0, total: 31275 };
    expect(charges({ segment: "futures", buyValue: rs("1000000"), sellValue: rs("1000000"), on: "2024-10-01" })).toEqual(after);
    expect(charges({ segment: "futures", buyValue: rs("1000000"), sellValue: rs("1000000"), on: "2025-01-15" })).toEqual(after);
  });

  it("futures ₹10,00,000 each side, from 1 Apr 2026 (STT 0.05%)", () => {
    // STT 0.05% × 10,00,000 = ₹500; the rest as from 1 Oct 2024: 312.75 - 200 + 500 = ₹612.75
    expect(charges({ segment: "futures", buyValue: rs("1000000"), sellValue: rs("1000000"), on: "2026-04-01" })).toMatchObject({
      stt: 50000,
      total: 61275,
    });
  });

  it("options premium buy ₹50,000, sell ₹60,000, before 1 Oct 2024", () => {
    // brokerage  ₹20 × 2                                              = ₹40.00
    // STT        0.0625% × 60,000 = ₹37.50 → nearest rupee, half up  = ₹38.00
    // exchange   0.0495% × 1,10,000                                   = ₹54.45
    // SEBI       0.0001% × 1,10,000                                   = ₹0.11
    // IPFT       0.0005% × 1,10,000                                   = ₹0.55
    // stamp      0.003% × 50,000                                      = ₹1.50
    // GST        18% × (40 + 54.45 + 0.11 + 0.55 = 95.11) = 17.1198   = ₹17.12
    // total                                                           = ₹151.73
    expect(charges({ segment: "options", buyValue: rs("50000"), sellValue: rs("60000"), on: "2024-09-30" })).toEqual({
      brokerage: 4000,
      stt: 3800,
      exchange: 5445,
      sebi: 11,
      stamp: 150,
      ipft: 55,
      gst: 1712,
      dp: 0,
      total: 15173,
    });
  });

  it("options premium buy ₹50,000, sell ₹60,000, from 1 Oct 2024", () => {
    // STT        0.1% × 60,000                                        = ₹60.00
    // exchange   0.03503% × 1,10,000 = ₹38.533                        = ₹38.53
    // GST        18% × (40 + 38.53 + 0.11 + 0.55 = 79.19) = 14.2542   = ₹14.25
    // total      40 + 60 + 38.53 + 0.11 + 1.50 + 0.55 + 14.25         = ₹154.94
    expect(charges({ segment: "options", buyValue: rs("50000"), sellValue: rs("60000"), on: "2025-01-15" })).toEqual({
      brokerage: 4000,
      stt: 6000,
      exchange: 3853,
      sebi: 11,
      stamp: 150,
      ipft: 55,
      gst: 1425,
      dp: 0,
      total: 15494,
    });
  });

  it("options from 1 Apr 2026: STT 0.15% × 60,000 = ₹90", () => {
    expect(charges({ segment: "options", buyValue: rs("50000"), sellValue: rs("60000"), on: "2026-04-01" })).toMatchObject({
      stt: 9000,
      total: 15494 - 6000 + 9000,
    });
  });

  it("total is the sum of the parts", () => {
    for (const seg of SEGMENTS) {
      const c = charges({ segment: seg, buyValue: rs("123456.78"), sellValue: rs("98765.43"), on: "2025-06-02" });
      const { total, ...parts } = c;
      expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBe(total);
    }
  });
});

describe("delivery brokerage (Angel One)", () => {
  const buy = (value: string, on: string) => charges({ segment: "equity-delivery", buyValue: rs(value), on }).brokerage;

  it("is ₹0 before 1 Nov 2024", () => {
    expect(buy("50000", "2024-10-31")).toBe(0);
  });

  it("from 1 Nov 2024: minimum ₹2, 0.1% in the middle, ₹20 cap", () => {
    expect(buy("1000", "2024-11-01")).toBe(200); // 0.1% = ₹1 → minimum ₹2
    expect(buy("15000", "2024-11-01")).toBe(1500); // 0.1% = ₹15
    expect(buy("50000", "2024-11-01")).toBe(2000); // 0.1% = ₹50 → cap ₹20
    expect(buy("12345.67", "2025-01-15")).toBe(1235); // 0.1% = ₹12.34567 → ₹12.35
  });

  it("is per executed order: explicit order values", () => {
    // ₹2 (min) + ₹15 + ₹20 (cap) = ₹37
    const c = charges({
      segment: "equity-delivery",
      buyValue: rs("66000"),
      buyOrderValues: [rs("1000"), rs("15000"), rs("50000")],
      on: "2025-01-15",
    });
    expect(c.brokerage).toBe(3700);
  });

  it("is per executed order: an even split when only the count is given", () => {
    // ₹30,000 in 3 orders of ₹10,000: 3 × ₹10 = ₹30 (one order would be capped at ₹20)
    expect(charges({ segment: "equity-delivery", buyValue: rs("30000"), buyOrders: 3, on: "2025-01-15" }).brokerage).toBe(3000);
    expect(charges({ segment: "equity-delivery", buyValue: rs("30000"), on: "2025-01-15" }).brokerage).toBe(2000);
    // ₹100 in 3 orders: each 0.1% of ₹33.33… is below ₹2 → 3 × ₹2
    expect(charges({ segment: "equity-delivery", buyValue: rs("100"), buyOrders: 3, on: "2025-01-15" }).brokerage).toBe(600);
  });

  it("intraday: 0.03% below the cap, ₹20 above it; F&O flat per order", () => {
    expect(charges({ segment: "equity-intraday", buyValue: rs("10000"), on: "2025-01-15" }).brokerage).toBe(300);
    expect(charges({ segment: "equity-intraday", sellValue: rs("100000"), on: "2025-01-15" }).brokerage).toBe(2000);
    expect(charges({ segment: "options", buyValue: rs("500"), buyOrders: 4, on: "2025-01-15" }).brokerage).toBe(8000);
    expect(brokerageEntryFor(ANGEL_ONE_PLAN, "futures", "2025-01-15").rule).toEqual({ kind: "flat", perOrder: 2000 });
  });

  it("a replacement plan from configuration is checked and used", () => {
    const zero: BrokeragePlan = parseBrokeragePlan(
      JSON.parse(
        JSON.stringify({
          ...ANGEL_ONE_PLAN,
          name: "Zero",
          dpPerScrip: 1350,
          segments: Object.fromEntries(
            SEGMENTS.map((s) => [s, [{ effectiveFrom: "2020-07-01", rule: { kind: "flat", perOrder: 0 }, note: "free" }]]),
          ),
        }),
      ),
    );
    const c = charges({ segment: "equity-delivery", sellValue: rs("100000"), on: "2025-01-15", brokerage: zero });
    expect(c.brokerage).toBe(0);
    expect(c.dp).toBe(1350);
    expect(parseBrokeragePlan(ANGEL_ONE_PLAN)).toEqual(ANGEL_ONE_PLAN);
    expect(() => parseBrokeragePlan({ ...ANGEL_ONE_PLAN, dpPerScrip: -1 })).toThrow(/dpPerScrip/);
    expect(() => parseBrokeragePlan({ ...ANGEL_ONE_PLAN, segments: { ...ANGEL_ONE_PLAN.segments, futures: [] } })).toThrow(
      /segments\.futures/,
    );
  });
});

describe("STT rounding", () => {
  it("rounds to the nearest rupee: 0.025% × ₹12,345.67 = ₹3.086… → ₹3", () => {
    expect(charges({ segment: "equity-intraday", sellValue: rs("12345.67"), on: "2025-01-15" }).stt).toBe(300);
  });

  it("rounds the trade's total STT once, not each side", () => {
    // 0.1% × ₹1,500 = ₹1.50 per side; per side that would be ₹2 + ₹2, but the total ₹3.00 is ₹3.
    expect(charges({ segment: "equity-delivery", buyValue: rs("1500"), sellValue: rs("1500"), on: "2025-01-15" }).stt).toBe(300);
  });

  it("rounds half a rupee up and anything less down", () => {
    // 0.025% × ₹2,000 = ₹0.50 → ₹1; 0.025% × ₹1,999.96 = ₹0.49999 → ₹0
    expect(charges({ segment: "equity-intraday", sellValue: rs("2000"), on: "2025-01-15" }).stt).toBe(100);
    expect(charges({ segment: "equity-intraday", sellValue: rs("1999.96"), on: "2025-01-15" }).stt).toBe(0);
  });
});

describe("paisa exactness", () => {
  it("0.00297% of ₹1,00,000 is exactly 297 paise", () => {
    expect(charges({ segment: "equity-intraday", buyValue: rs("100000"), on: "2025-01-15" }).exchange).toBe(297);
  });

  it("half a paisa rounds up", () => {
    // 0.00297% × ₹50,000 = 148.5 paise → 149; × ₹49,999.99 = 148.49997 paise → 148
    // SEBI 0.0001% × ₹5,000 = 0.5 paise → 1; × ₹4,999.99 = 0.499999 paise → 0
    expect(charges({ segment: "equity-intraday", buyValue: rs("50000"), on: "2025-01-15" }).exchange).toBe(149);
    expect(charges({ segment: "equity-intraday", buyValue: rs("49999.99"), on: "2025-01-15" }).exchange).toBe(148);
    expect(charges({ segment: "equity-intraday", buyValue: rs("5000"), on: "2025-01-15" }).sebi).toBe(1);
    expect(charges({ segment: "equity-intraday", buyValue: rs("4999.99"), on: "2025-01-15" }).sebi).toBe(0);
  });

  it("stays exact on large values", () => {
    // ₹500 crore delivery buy: stamp 0.015% = ₹7,50,000 exactly
    expect(charges({ segment: "equity-delivery", buyValue: rs("5000000000"), on: "2025-01-15" }).stamp).toBe(75_000_000);
  });
});

describe("DP charge and its GST", () => {
  it("is ₹20 per scrip on a delivery sell, with 18% GST inside gst", () => {
    // sell-only ₹1,00,000: brokerage ₹20, exchange ₹2.97, SEBI ₹0.10, IPFT ₹0.10, DP ₹20
    // GST 18% × 43.17 = 7.7706 → ₹7.77; total 20 + 100 + 2.97 + 0.10 + 0.10 + 7.77 + 20 = ₹150.94
    const one = charges({ segment: "equity-delivery", sellValue: rs("100000"), on: "2025-01-15" });
    expect(one).toEqual({ brokerage: 2000, stt: 10000, exchange: 297, sebi: 10, stamp: 0, ipft: 10, gst: 777, dp: 2000, total: 15094 });
    // A second scrip adds ₹20 DP and ₹3.60 GST.
    const two = charges({ segment: "equity-delivery", sellValue: rs("100000"), scripsSoldFromDelivery: 2, on: "2025-01-15" });
    expect(two.dp).toBe(4000);
    expect(two.gst - one.gst).toBe(360);
  });

  it("is not charged on buys or outside delivery", () => {
    expect(charges({ segment: "equity-delivery", buyValue: rs("100000"), on: "2025-01-15" }).dp).toBe(0);
    expect(charges({ segment: "equity-intraday", buyValue: rs("1000"), sellValue: rs("1000"), on: "2025-01-15" }).dp).toBe(0);
  });
});

describe("zero-value sides", () => {
  it("an empty trade costs nothing", () => {
    for (const seg of SEGMENTS) {
      expect(charges({ segment: seg, on: "2025-01-15" })).toEqual({
        brokerage: 0, stt: 0, exchange: 0, sebi: 0, stamp: 0, ipft: 0, gst: 0, dp: 0, total: 0,
      });
    }
  });

  it("a buy-only futures trade pays no STT and one brokerage", () => {
    // brokerage ₹20, exchange 0.00173% × 10,00,000 = ₹17.30, SEBI ₹1, IPFT ₹1, stamp ₹20
    // GST 18% × 39.30 = 7.074 → ₹7.07; total ₹66.37
    expect(charges({ segment: "futures", buyValue: rs("1000000"), on: "2025-01-15" })).toEqual({
      brokerage: 2000, stt: 0, exchange: 1730, sebi: 100, stamp: 2000, ipft: 100, gst: 707, dp: 0, total: 6637,
    });
  });
});

describe("bad input throws a RangeError naming the field", () => {
  const ok: ChargesInput = { segment: "futures", buyValue: 100, sellValue: 100, on: "2025-01-15" };
  const bad = (patch: Record<string, unknown>) => () => computeCharges({ ...ok, ...patch } as ChargesInput);

  it.each([
    [{ buyValue: -1 }, /buyValue/],
    [{ sellValue: -100 }, /sellValue/],
    [{ buyValue: 10.5 }, /buyValue/],
    [{ sellValue: Number.NaN }, /sellValue/],
    [{ segment: "commodity" }, /segment must be one of equity-delivery, equity-intraday, futures, options/],
    [{ on: "2025-02-30" }, /^on must be a date/],
    [{ on: "15-01-2025" }, /^on must be a date/],
    [{ on: "2019-12-31" }, /^on: no futures rate card/],
    [{ buyOrders: -1 }, /buyOrders/],
    [{ sellOrders: 1.5 }, /sellOrders/],
    [{ buyOrders: 0 }, /buyOrders is 0 but buyValue/],
    [{ buyValue: 0, buyOrders: 2 }, /buyOrders is 2 but buyValue is zero/],
    [{ buyOrderValues: [50, 40] }, /buyOrderValues add up to 90/],
    [{ buyOrderValues: [100, 0] }, /buyOrderValues/],
    [{ buyOrderValues: [60, 40], buyOrders: 3 }, /buyOrders \(3\) disagrees/],
    [{ scripsSoldFromDelivery: 1 }, /scripsSoldFromDelivery/],
    [{ segment: "equity-delivery", scripsSoldFromDelivery: 0 }, /scripsSoldFromDelivery/],
  ])("%o", (patch, message) => {
    expect(bad(patch)).toThrow(RangeError);
    expect(bad(patch)).toThrow(message);
  });
});
