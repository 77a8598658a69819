/**
 * The REST endpoints the stand-in answers, each turning a request body into
 * SmartAPI's answer. Refusals are thrown as StandInApiError; the server writes
 * them as the error envelope.
 */
import type { Paise } from "../../../src/engine/money.js";
import { CODES, StandInApiError } from "./api-error.js";
import { candleRows } from "./candles.js";
import type { StandInMarket } from "./market.js";
import type { Credentials, Sessions } from "./sessions.js";
import { fail, gttRow, holdingRow, int, type Json, ok, orderRow, paise, positionRow, quoteRow, rupees, rupeesStr, str, tradeRow } from "./wire.js";

export interface RouteContext {
  market: StandInMarket;
  sessions: Sessions;
  creds: Credentials;
}

export interface RouteRequest {
  body: Json;
  /** The path's tail for details/{uniqueorderid}. */
  param: string;
  /** The bearer token, for logout. */
  jwt: string;
}

export interface Route {
  /** The path's last segment: the key for rate limits, faults and hooks. */
  name: string;
  method: "GET" | "POST";
  path: string;
  /** Needs a live JWT. */
  secure: boolean;
  /** Matches the path plus "/{param}". */
  withParam?: boolean;
  handle(ctx: RouteContext, req: RouteRequest): Json;
}

const AUTH = "/rest/auth/angelbroking";
const SECURE = "/rest/secure/angelbroking";

/** The order book, trade book and positions answer `data: null` when empty, as SmartAPI does. */
const rowsOrNull = (rows: Json[]): Json[] | null => (rows.length > 0 ? rows : null);

function rms(p: Paise): string {
  return `${rupeesStr(p)}00`;
}

function placeInput(body: Json) {
  return {
    variety: str(body, "variety")!,
    tradingsymbol: str(body, "tradingsymbol", false),
    symboltoken: str(body, "symboltoken")!,
    exchange: str(body, "exchange")!,
    transactiontype: str(body, "transactiontype")!,
    ordertype: str(body, "ordertype")!,
    producttype: str(body, "producttype")!,
    duration: str(body, "duration", false),
    price: paise(body, "price", false),
    triggerprice: paise(body, "triggerprice", false),
    quantity: int(body, "quantity")!,
    ordertag: str(body, "ordertag", false),
  };
}

function gttFields(body: Json) {
  return {
    price: paise(body, "price", true, CODES.gttInvalidPrice)!,
    qty: int(body, "qty", true, CODES.gttInvalidQuantity)!,
    triggerprice: paise(body, "triggerprice", true, CODES.gttInvalidTrigger)!,
    disclosedqty: int(body, "disclosedqty", false, CODES.gttInvalidDisclosed),
    timeperiod: int(body, "timeperiod", false, CODES.gttInvalidTimePeriod),
  };
}

function gttId(body: Json): string {
  const id = str(body, "id", false);
  if (id === undefined) throw new StandInApiError(CODES.gttInvalidRuleId, "Invalid Rule ID");
  return id;
}

export const ROUTES: readonly Route[] = [
  {
    name: "loginByPassword",
    method: "POST",
    path: `${AUTH}/user/v1/loginByPassword`,
    secure: false,
    handle({ sessions }, { body }) {
      const r = sessions.login(body.clientcode, body.password, body.totp);
      if (r.ok) return ok({ jwtToken: r.jwtToken, refreshToken: r.refreshToken, feedToken: r.feedToken });
      return r.reason === "totp" ? fail(CODES.invalidTotp, "Invalid totp") : fail(CODES.invalidLogin, "Invalid clientcode or password");
    },
  },
  {
    name: "generateTokens",
    method: "POST",
    path: `${AUTH}/jwt/v1/generateTokens`,
    secure: false,
    handle({ sessions }, { body }) {
      const r = sessions.refresh(body.refreshToken);
      if (r.ok) return ok({ jwtToken: r.jwtToken, refreshToken: r.refreshToken, feedToken: r.feedToken });
      return r.reason === "expired" ? fail(CODES.refreshTokenExpired, "Refresh Token Expired") : fail(CODES.invalidRefreshToken, "Invalid Refresh Token");
    },
  },
  {
    name: "getProfile",
    method: "GET",
    path: `${SECURE}/user/v1/getProfile`,
    secure: true,
    handle({ creds }) {
      return ok({
        clientcode: creds.clientCode,
        name: "STAND-IN TRADER",
        email: "",
        mobileno: "",
        exchanges: ["nse_fo", "nse_cm", "bse_cm"],
        products: ["MARGIN", "MIS", "NRML", "CNC", "CO", "BO"],
        lastlogintime: "",
        brokerid: "B2C",
      });
    },
  },
  {
    name: "getRMS",
    method: "GET",
    path: `${SECURE}/user/v1/getRMS`,
    secure: true,
    handle({ market }) {
      const blocked = market.blockedCash();
      return ok({
        net: rms(market.cash - blocked),
        availablecash: rms(market.cash),
        availableintradaypayin: rms(0),
        availablelimitmargin: rms(0),
        collateral: rms(0),
        m2munrealized: rms(0),
        m2mrealized: rms(0),
        utiliseddebits: rms(blocked),
        utilisedspan: rms(0),
        utilisedoptionpremium: rms(0),
        utilisedholdingsales: rms(0),
        utilisedexposure: rms(0),
        utilisedturnover: rms(0),
        utilisedpayout: rms(0),
      });
    },
  },
  {
    name: "logout",
    method: "POST",
    path: `${SECURE}/user/v1/logout`,
    secure: true,
    handle({ sessions }, { jwt }) {
      sessions.logout(jwt);
      return ok("");
    },
  },
  {
    name: "getCandleData",
    method: "POST",
    path: `${SECURE}/historical/v1/getCandleData`,
    secure: true,
    handle({ market }, { body }) {
      const inst = market.master.byToken(str(body, "symboltoken")!);
      if (!inst) throw new StandInApiError(CODES.symbolNotFound, "Symbol Not Found");
      return ok(candleRows(inst, str(body, "exchange")!, str(body, "interval")!, str(body, "fromdate")!, str(body, "todate")!));
    },
  },
  {
    name: "quote",
    method: "POST",
    path: `${SECURE}/market/v1/quote`,
    secure: true,
    handle({ market }, { body }) {
      const mode = str(body, "mode")!;
      if (mode !== "LTP" && mode !== "OHLC" && mode !== "FULL") throw new StandInApiError(CODES.invalidField, "Invalid mode");
      const wanted = body.exchangeTokens;
      if (typeof wanted !== "object" || wanted === null || Array.isArray(wanted)) throw new StandInApiError(CODES.invalidField, "Invalid exchangeTokens");
      const pairs = Object.entries(wanted as Record<string, unknown>).flatMap(([exchange, tokens]) =>
        Array.isArray(tokens) ? tokens.map((t) => [exchange, String(t)] as const) : [],
      );
      if (pairs.length === 0 || pairs.length > 50) throw new StandInApiError(CODES.invalidField, "exchangeTokens must hold 1 to 50 tokens");
      const fetched: Json[] = [];
      const unfetched: Json[] = [];
      for (const [exchange, token] of pairs) {
        const inst = market.master.byToken(token);
        const q = inst && inst.exchange === exchange ? market.quote(token) : undefined;
        if (q) fetched.push(quoteRow(mode, q));
        else unfetched.push({ exchange, symbolToken: token, message: inst ? "No data available" : "Symbol Not Found", errorCode: inst ? CODES.invalidField : CODES.symbolNotFound });
      }
      return ok({ fetched, unfetched });
    },
  },
  {
    name: "placeOrder",
    method: "POST",
    path: `${SECURE}/order/v1/placeOrder`,
    secure: true,
    handle({ market }, { body }) {
      const o = market.placeOrder(placeInput(body));
      return ok({ script: o.instrument.symbol, orderid: o.orderid, uniqueorderid: o.uniqueorderid });
    },
  },
  {
    name: "modifyOrder",
    method: "POST",
    path: `${SECURE}/order/v1/modifyOrder`,
    secure: true,
    handle({ market }, { body }) {
      const o = market.modifyOrder({
        orderid: str(body, "orderid")!,
        variety: str(body, "variety")!,
        ordertype: str(body, "ordertype", false),
        price: paise(body, "price", false),
        triggerprice: paise(body, "triggerprice", false),
        quantity: int(body, "quantity", false),
      });
      return ok({ orderid: o.orderid, uniqueorderid: o.uniqueorderid });
    },
  },
  {
    name: "cancelOrder",
    method: "POST",
    path: `${SECURE}/order/v1/cancelOrder`,
    secure: true,
    handle({ market }, { body }) {
      const o = market.cancelOrder(str(body, "orderid")!, str(body, "variety")!);
      return ok({ orderid: o.orderid, uniqueorderid: o.uniqueorderid });
    },
  },
  {
    name: "getOrderBook",
    method: "GET",
    path: `${SECURE}/order/v1/getOrderBook`,
    secure: true,
    handle: ({ market }) => ok(rowsOrNull(market.orderBook().map(orderRow))),
  },
  {
    name: "getTradeBook",
    method: "GET",
    path: `${SECURE}/order/v1/getTradeBook`,
    secure: true,
    handle: ({ market }) => ok(rowsOrNull(market.tradeBook().map(tradeRow))),
  },
  {
    name: "details",
    method: "GET",
    path: `${SECURE}/order/v1/details`,
    secure: true,
    withParam: true,
    handle({ market }, { param }) {
      // Only the uniqueorderid finds an order here; a plain order id does not.
      const o = market.orderBook().find((x) => x.uniqueorderid === param);
      if (!o) throw new StandInApiError(CODES.orderDetailsNotFound, "Order not found");
      return ok(orderRow(o));
    },
  },
  {
    name: "getPosition",
    method: "GET",
    path: `${SECURE}/order/v1/getPosition`,
    secure: true,
    handle: ({ market }) => ok(rowsOrNull(market.positions().map((p) => positionRow(p, market.quote(p.instrument.token))))),
  },
  {
    name: "getHolding",
    method: "GET",
    path: `${SECURE}/portfolio/v1/getHolding`,
    secure: true,
    handle: ({ market }) => ok(market.holdings().map((h) => holdingRow(h, market.quote(h.instrument.token)))),
  },
  {
    name: "getAllHolding",
    method: "GET",
    path: `${SECURE}/portfolio/v1/getAllHolding`,
    secure: true,
    handle({ market }) {
      const rows = market.holdings().map((h) => holdingRow(h, market.quote(h.instrument.token)));
      const value = rows.reduce((s, r) => s + Math.round((r.ltp as number) * 100) * (r.quantity as number), 0);
      const invested = market.holdings().reduce((s, h) => s + h.averageprice * h.quantity, 0);
      return ok({
        holdings: rows,
        totalholding: {
          totalholdingvalue: rupees(value),
          totalinvvalue: rupees(invested),
          totalprofitandloss: rupees(value - invested),
          totalpnlpercentage: invested ? Math.round(((value - invested) / invested) * 10_000) / 100 : 0,
        },
      });
    },
  },
  {
    name: "createRule",
    method: "POST",
    path: `${SECURE}/gtt/v1/createRule`,
    secure: true,
    handle({ market }, { body }) {
      const side = str(body, "transactiontype", false) ?? str(body, "side", false) ?? "";
      const r = market.createGtt({
        tradingsymbol: str(body, "tradingsymbol", false),
        symboltoken: str(body, "symboltoken", false) ?? "",
        exchange: str(body, "exchange", false) ?? "",
        transactiontype: side,
        producttype: str(body, "producttype", false) ?? "",
        ...gttFields(body),
      });
      return ok({ id: r.id });
    },
  },
  {
    name: "modifyRule",
    method: "POST",
    path: `${SECURE}/gtt/v1/modifyRule`,
    secure: true,
    handle({ market }, { body }) {
      const r = market.modifyGtt({ id: gttId(body), symboltoken: str(body, "symboltoken", false), exchange: str(body, "exchange", false), ...gttFields(body) });
      return ok({ id: r.id });
    },
  },
  {
    name: "cancelRule",
    method: "POST",
    path: `${SECURE}/gtt/v1/cancelRule`,
    secure: true,
    handle({ market }, { body }) {
      const r = market.cancelGtt(gttId(body), str(body, "symboltoken", false));
      return ok({ id: r.id });
    },
  },
  {
    name: "ruleDetails",
    method: "POST",
    path: `${SECURE}/gtt/v1/ruleDetails`,
    secure: true,
    handle({ market, creds }, { body }) {
      const r = market.gttRule(gttId(body));
      if (!r) throw new StandInApiError(CODES.gttInvalidRuleId, "Invalid Rule ID");
      return ok(gttRow(r, creds.clientCode));
    },
  },
  {
    name: "ruleList",
    method: "POST",
    path: `${SECURE}/gtt/v1/ruleList`,
    secure: true,
    handle({ market, creds }, { body }) {
      const status = body.status;
      if (!Array.isArray(status) || status.length === 0) throw new StandInApiError(CODES.gttInvalidStatusArray, "Invalid Status Array Size");
      const page = int(body, "page", false, CODES.gttInvalidPage) ?? 1;
      const count = int(body, "count", false, CODES.gttInvalidCount) ?? 10;
      if (page < 1) throw new StandInApiError(CODES.gttInvalidPage, "Invalid Page Value");
      if (count < 1) throw new StandInApiError(CODES.gttInvalidCount, "Invalid Count Value");
      const all = status.includes("FORALL");
      const rows = market
        .gttRules()
        .filter((r) => all || status.includes(r.status) || (r.status === "NEW" && status.includes("ACTIVE")))
        .slice((page - 1) * count, page * count);
      return ok(rows.map((r) => gttRow(r, creds.clientCode)));
    },
  },
  {
    name: "searchScrip",
    method: "POST",
    path: `${SECURE}/order/v1/searchScrip`,
    secure: true,
    handle({ market }, { body }) {
      const hits = market.searchScrip(str(body, "exchange")!, str(body, "searchscrip")!);
      return ok(hits.map((i) => ({ exchange: i.exchange, tradingsymbol: i.symbol, symboltoken: i.token })));
    },
  },
];

export function findRoute(path: string): { route: Route; param: string } | null {
  for (const route of ROUTES) {
    if (path === route.path && !route.withParam) return { route, param: "" };
    if (route.withParam && path.startsWith(`${route.path}/`)) return { route, param: decodeURIComponent(path.slice(route.path.length + 1)) };
  }
  return null;
}
