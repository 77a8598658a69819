/**
 * GTT rules in SmartAPI's words. Angel's GTT covers cash delivery and margin
 * products: CARRYFORWARD goes out as MARGIN and comes back as CARRYFORWARD;
 * INTRADAY is sent as is and Angel refuses it. A rule is NEW (active) until
 * it fires (SENTTOEXCHANGE) or is cancelled.
 */
import type { GttRequest, GttRule, Product } from "../broker.js";
import { toPaise } from "../../money.js";
import type { AngelInstrument, AngelInstruments } from "./instruments.js";
import { rupees } from "./order-params.js";
import type { GttRow } from "./schemas.js";

/** Days a new rule lives: Angel's maximum. */
export const GTT_TIME_PERIOD_DAYS = 365;

function gttProduct(p: Product): string {
  return p === "CARRYFORWARD" ? "MARGIN" : p;
}

function ourProduct(p: string): Product {
  if (p === "MARGIN" || p === "CARRYFORWARD") return "CARRYFORWARD";
  if (p === "INTRADAY") return "INTRADAY";
  return "DELIVERY";
}

export function gttCreateParams(rule: GttRequest, inst: AngelInstrument): Record<string, string> {
  return {
    tradingsymbol: inst.tradingsymbol,
    symboltoken: inst.token,
    exchange: inst.exchange,
    producttype: gttProduct(rule.product),
    transactiontype: rule.side === "buy" ? "BUY" : "SELL",
    price: rupees(rule.limit),
    qty: String(rule.qty),
    disclosedqty: "0",
    triggerprice: rupees(rule.trigger),
    timeperiod: String(GTT_TIME_PERIOD_DAYS),
  };
}

export function gttModifyParams(id: string, rule: GttRequest, inst: AngelInstrument): Record<string, string> {
  return {
    id,
    symboltoken: inst.token,
    exchange: inst.exchange,
    price: rupees(rule.limit),
    qty: String(rule.qty),
    triggerprice: rupees(rule.trigger),
    disclosedqty: "0",
    timeperiod: String(GTT_TIME_PERIOD_DAYS),
  };
}

export function gttStatus(status: string): GttRule["status"] {
  const s = status.toUpperCase();
  if (s === "CANCELLED" || s === "CANCELED" || s === "EXPIRED") return "cancelled";
  if (s === "SENTTOEXCHANGE" || s === "TRIGGERED" || s === "EXECUTED") return "triggered";
  return "active";
}

export function toGttRule(row: GttRow, instruments: AngelInstruments): GttRule {
  return {
    id: row.id,
    symbol: instruments.symbolOf(row.exchange, row.symboltoken, row.tradingsymbol),
    side: row.transactiontype.toUpperCase() === "SELL" ? "sell" : "buy",
    qty: row.qty,
    trigger: toPaise(row.triggerprice),
    limit: toPaise(row.price),
    product: ourProduct(row.producttype.toUpperCase()),
    status: gttStatus(row.status),
  };
}
