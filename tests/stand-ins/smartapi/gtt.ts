/**
 * GTT (good-till-triggered) rules as SmartAPI keeps them: a single trigger
 * that, when the LTP reaches it, sends a LIMIT order at the rule's price.
 *
 * Which way the LTP must move is fixed when the rule is made or modified: a
 * trigger below the LTP fires when the LTP falls to it, one above when it rises
 * to it. A trigger equal to the LTP is refused. With no LTP known, a SELL rule
 * waits for a fall and a BUY rule for a rise (stop-style).
 */
import type { Instrument } from "../../../src/engine/market/instruments.js";
import type { Paise } from "../../../src/engine/money.js";
import { CODES, StandInApiError } from "./api-error.js";
import type { Side } from "./portfolio.js";

export type GttStatus = "NEW" | "CANCELLED" | "SENTTOEXCHANGE";

export interface GttRuleState {
  id: string;
  status: GttStatus;
  instrument: Instrument;
  transactiontype: Side;
  producttype: string;
  price: Paise;
  qty: number;
  triggerprice: Paise;
  disclosedqty: number;
  /** Days the rule lives. */
  timeperiod: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  direction: "up" | "down";
  /** The order the rule sent when it fired. */
  orderid?: string;
}

export interface GttCreateInput {
  tradingsymbol?: string;
  symboltoken: string;
  exchange: string;
  transactiontype: string;
  producttype: string;
  price: Paise;
  qty: number;
  triggerprice: Paise;
  disclosedqty?: number;
  timeperiod?: number;
}

export interface GttModifyInput {
  id: string;
  symboltoken?: string;
  exchange?: string;
  price?: Paise;
  qty?: number;
  triggerprice?: Paise;
  disclosedqty?: number;
  timeperiod?: number;
}

export interface GttContext {
  instrument(token: string): Instrument | undefined;
  ltp(token: string): Paise | undefined;
  now(): Date;
}

const DAY_MS = 86_400_000;
/** SmartAPI's GTT covers cash-market delivery (and margin) orders only. */
const GTT_EXCHANGES = ["NSE", "BSE"];
const GTT_PRODUCTS = ["DELIVERY", "MARGIN"];

export class GttBook {
  private readonly rules = new Map<string, GttRuleState>();
  private nextId = 1;

  constructor(private readonly ctx: GttContext) {}

  create(input: GttCreateInput): GttRuleState {
    if (!GTT_EXCHANGES.includes(input.exchange)) throw new StandInApiError(CODES.gttInvalidExchange, "Invalid Exchange Segment");
    const instrument = this.ctx.instrument(input.symboltoken);
    if (!instrument || instrument.exchange !== input.exchange) throw new StandInApiError(CODES.gttInvalidToken, "Invalid Symbol Token");
    if (input.tradingsymbol !== undefined && input.tradingsymbol !== instrument.symbol) {
      throw new StandInApiError(CODES.gttInvalidSymbol, "Invalid Trading Symbol");
    }
    if (input.transactiontype !== "BUY" && input.transactiontype !== "SELL") throw new StandInApiError(CODES.gttInvalidSide, "Invalid Order Side");
    if (!GTT_PRODUCTS.includes(input.producttype)) throw new StandInApiError(CODES.gttInvalidProduct, "Invalid Product Type");
    const timeperiod = input.timeperiod ?? 365;
    if (!Number.isInteger(timeperiod) || timeperiod < 1 || timeperiod > 365) throw new StandInApiError(CODES.gttInvalidTimePeriod, "Invalid Time Period");
    const now = this.ctx.now();
    const rule: GttRuleState = {
      id: String(this.nextId),
      status: "NEW",
      instrument,
      transactiontype: input.transactiontype,
      producttype: input.producttype,
      price: 0,
      qty: 0,
      triggerprice: 0,
      disclosedqty: 0,
      timeperiod,
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + timeperiod * DAY_MS),
      direction: "down",
    };
    this.apply(rule, input);
    this.nextId += 1;
    this.rules.set(rule.id, rule);
    return rule;
  }

  modify(input: GttModifyInput): GttRuleState {
    const rule = this.rules.get(input.id);
    if (!rule || rule.status !== "NEW") throw new StandInApiError(CODES.gttInvalidRuleId, "Invalid Rule ID");
    if (input.symboltoken !== undefined && input.symboltoken !== rule.instrument.token) throw new StandInApiError(CODES.gttInvalidToken, "Invalid Symbol Token");
    if (input.exchange !== undefined && input.exchange !== rule.instrument.exchange) throw new StandInApiError(CODES.gttInvalidExchange, "Invalid Exchange Segment");
    const next = { ...rule };
    this.apply(next, {
      price: input.price ?? rule.price,
      qty: input.qty ?? rule.qty,
      triggerprice: input.triggerprice ?? rule.triggerprice,
      disclosedqty: input.disclosedqty ?? rule.disclosedqty,
    });
    if (input.timeperiod !== undefined) {
      if (!Number.isInteger(input.timeperiod) || input.timeperiod < 1 || input.timeperiod > 365) throw new StandInApiError(CODES.gttInvalidTimePeriod, "Invalid Time Period");
      next.timeperiod = input.timeperiod;
    }
    next.updatedAt = this.ctx.now();
    next.expiresAt = new Date(next.updatedAt.getTime() + next.timeperiod * DAY_MS);
    Object.assign(rule, next);
    return rule;
  }

  cancel(id: string, symboltoken?: string): GttRuleState {
    const rule = this.rules.get(id);
    if (!rule || rule.status !== "NEW") throw new StandInApiError(CODES.gttInvalidRuleId, "Invalid Rule ID");
    if (symboltoken !== undefined && symboltoken !== rule.instrument.token) throw new StandInApiError(CODES.gttInvalidToken, "Invalid Symbol Token");
    rule.status = "CANCELLED";
    rule.updatedAt = this.ctx.now();
    return rule;
  }

  get(id: string): GttRuleState | undefined {
    return this.rules.get(id);
  }

  list(): GttRuleState[] {
    return [...this.rules.values()];
  }

  /** Rules on `token` that a price of `price` fires; they are marked sent before the caller places their orders. */
  fire(token: string, price: Paise, at: Date): GttRuleState[] {
    const fired: GttRuleState[] = [];
    for (const rule of this.rules.values()) {
      if (rule.status !== "NEW" || rule.instrument.token !== token || at > rule.expiresAt) continue;
      const reached = rule.direction === "down" ? price <= rule.triggerprice : price >= rule.triggerprice;
      if (!reached) continue;
      rule.status = "SENTTOEXCHANGE";
      rule.updatedAt = at;
      fired.push(rule);
    }
    return fired;
  }

  /** Validates and sets the order fields and the trigger's direction. */
  private apply(rule: GttRuleState, v: { price: Paise; qty: number; triggerprice: Paise; disclosedqty?: number }): void {
    const { instrument } = rule;
    if (!Number.isInteger(v.qty) || v.qty <= 0 || v.qty % instrument.lotSize !== 0) throw new StandInApiError(CODES.gttInvalidQuantity, "Invalid Order Quantity");
    if (!Number.isInteger(v.price) || v.price <= 0 || v.price % instrument.tick !== 0) throw new StandInApiError(CODES.gttInvalidPrice, "Invalid Price");
    if (!Number.isInteger(v.triggerprice) || v.triggerprice <= 0 || v.triggerprice % instrument.tick !== 0) {
      throw new StandInApiError(CODES.gttInvalidTrigger, "Invalid Trigger Price");
    }
    const disclosed = v.disclosedqty ?? 0;
    if (!Number.isInteger(disclosed) || disclosed < 0 || disclosed > v.qty) throw new StandInApiError(CODES.gttInvalidDisclosed, "Invalid Disclosed Quantity");
    const ltp = this.ctx.ltp(instrument.token);
    if (ltp === v.triggerprice) throw new StandInApiError(CODES.gttInvalidTrigger, "Invalid Trigger Price");
    rule.direction = ltp === undefined ? (rule.transactiontype === "SELL" ? "down" : "up") : v.triggerprice < ltp ? "down" : "up";
    rule.price = v.price;
    rule.qty = v.qty;
    rule.triggerprice = v.triggerprice;
    rule.disclosedqty = disclosed;
  }
}
