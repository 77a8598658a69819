/**
 * Loads smartapi-javascript (CommonJS, untyped) with its two process-level
 * traps contained, and declares the small part of it we call.
 *
 * - lib/winston_log.js creates ./error.log in the working directory the moment
 *   it is required, and every failed response is written there with the
 *   `Authorization: Bearer <jwt>` header. A silent stand-in for that module is
 *   put in the require cache before the library loads, so nothing is written.
 *   If something in the process already loaded the real one, its logger is
 *   switched off instead (the empty file then already exists, but stays empty).
 * - The constructor starts a public-IP lookup (package public-ip) whose
 *   rejection nobody handles: offline it rejects about 6 s later and Node
 *   exits with code 1. Its result is never used (the headers are fixed before
 *   it resolves), so the lookup is swapped for a resolved null during
 *   construction only and restored right after.
 */
import { createRequire, Module } from "node:module";

const requireHere = createRequire(import.meta.url);

/** What the library's REST methods resolve to: never a rejection, anything from a success envelope to `{}`. */
export type RawAnswer = Promise<unknown>;

export interface RawSmartApi {
  generateSession(clientCode: string, password: string, totp: string): RawAnswer;
  setAccessToken(token: string | null): void;
  setPublicToken(token: string | null): void;
  setClientCode(clientCode: string): void;
  logout(clientCode: string): RawAnswer;
  getProfile(): RawAnswer;
  getRMS(): RawAnswer;
  placeOrder(params: Record<string, string>): RawAnswer;
  modifyOrder(params: Record<string, string>): RawAnswer;
  cancelOrder(params: Record<string, string>): RawAnswer;
  getOrderBook(): RawAnswer;
  getTradeBook(): RawAnswer;
  getPosition(): RawAnswer;
  getHolding(): RawAnswer;
  marketData(params: { mode: string; exchangeTokens: Record<string, string[]> }): RawAnswer;
  getCandleData(params: Record<string, string>): RawAnswer;
  createRule(params: Record<string, string>): RawAnswer;
  modifyRule(params: Record<string, string>): RawAnswer;
  cancelRule(params: Record<string, string>): RawAnswer;
  ruleDetails(params: { id: string }): RawAnswer;
  ruleList(params: { status: string[]; page: number; count: number }): RawAnswer;
  /** Takes the `uniqueorderid`, not the order id. */
  indOrderDetails(uniqueOrderId: string): RawAnswer;
  /** Set by generateSession; sent as the Bearer token. */
  access_token: string | null;
}

export interface RawSmartApiParams {
  api_key: string;
  root?: string;
  timeout?: number;
}

type RawSmartApiCtor = new (params: RawSmartApiParams) => RawSmartApi;

interface SilentLogger {
  error(...args: unknown[]): void;
  silent?: boolean;
  clear?: () => void;
}

let ctor: RawSmartApiCtor | null = null;
let libRequire: NodeJS.Require | null = null;

/** Puts a logger that writes nothing where the library will look for its winston logger. */
function silenceErrorLog(req: NodeJS.Require): void {
  const path = req.resolve("./winston_log.js");
  const loaded = req.cache[path];
  if (loaded) {
    const logger = (loaded.exports as { errorLogger?: SilentLogger }).errorLogger;
    if (logger) {
      logger.clear?.();
      logger.silent = true;
    }
    return;
  }
  const stub = new Module(path);
  stub.filename = path;
  stub.loaded = true;
  const errorLogger: SilentLogger = { error() {} };
  stub.exports = { errorLogger };
  req.cache[path] = stub;
}

function load(): { Ctor: RawSmartApiCtor; req: NodeJS.Require } {
  if (!ctor || !libRequire) {
    const connectPath = requireHere.resolve("smartapi-javascript/lib/smartapi-connect.js");
    libRequire = createRequire(connectPath);
    silenceErrorLog(libRequire);
    ctor = libRequire(connectPath) as RawSmartApiCtor;
  }
  return { Ctor: ctor, req: libRequire };
}

/**
 * Call before anything else in the process requires smartapi-javascript (the
 * WebSocket client does): afterwards the library can never write ./error.log.
 */
export function containSmartApiLibrary(): void {
  load();
}

/** A SmartAPI client whose construction cannot crash the process. */
export function createRawSmartApi(params: RawSmartApiParams): RawSmartApi {
  const { Ctor, req } = load();
  const publicIp = req("public-ip") as { v4: (...args: unknown[]) => Promise<string | null> };
  const lookup = publicIp.v4;
  publicIp.v4 = () => Promise.resolve(null);
  try {
    return new Ctor(params);
  } finally {
    publicIp.v4 = lookup;
  }
}
