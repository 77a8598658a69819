/**
 * Loads the real smartapi-javascript client for tests with its two traps
 * contained (see outside-services.md):
 * - its constructor starts a public-IP lookup that, with no internet, rejects
 *   unhandled about 6 s later and kills the process: `public-ip` is replaced in
 *   the require cache by a stub that answers 127.0.0.1;
 * - its logger writes ./error.log (request headers with the bearer token, and a
 *   failed login's body) in the working directory, opening the file when the
 *   library loads: the library loads with a throwaway directory as the working
 *   directory, the logger is silenced, and `restore()` goes back and deletes it.
 *   Keep the throwaway directory current until `restore()`: the file opens
 *   asynchronously.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Answer = { status?: unknown; success?: unknown; message?: string; errorcode?: string; errorCode?: string; data?: unknown };
type Call = (params?: unknown) => Promise<Answer>;

/** The parts of the client the tests use (it has no types of its own). */
export interface SmartApiClient {
  generateSession(clientcode: string, password: string, totp: string): Promise<Answer>;
  generateToken(refreshToken: string): Promise<Answer>;
  setSessionExpiryHook(fn: () => void): void;
  logout(clientcode: string): Promise<Answer>;
  getProfile: Call;
  getRMS: Call;
  getCandleData: Call;
  marketData: Call;
  placeOrder: Call;
  modifyOrder: Call;
  cancelOrder: Call;
  getOrderBook: Call;
  getTradeBook: Call;
  getPosition: Call;
  getHolding: Call;
  getAllHolding: Call;
  indOrderDetails(uniqueorderid: string): Promise<Answer>;
  createRule: Call;
  modifyRule: Call;
  cancelRule: Call;
  ruleDetails: Call;
  ruleList: Call;
  /** Resolves to the bare array of matches (and prints them). */
  searchScrip(params: unknown): Promise<unknown>;
  access_token: string | null;
  refresh_token: string | null;
}

export type SmartApiConstructor = new (params: { api_key: string; root?: string; timeout?: number; access_token?: string }) => SmartApiClient;

export function loadSmartApi(): { SmartAPI: SmartApiConstructor; restore(): void } {
  const require = createRequire(import.meta.url);
  const publicIpPath = require.resolve("public-ip");
  const stub = new Module(publicIpPath);
  stub.filename = publicIpPath;
  stub.loaded = true;
  stub.exports = { v4: async () => "127.0.0.1", v6: async () => "::1" };
  require.cache[publicIpPath] = stub;

  const home = process.cwd();
  const scratch = mkdtempSync(join(tmpdir(), "smartapi-client-"));
  process.chdir(scratch);
  const lib = require("smartapi-javascript") as { SmartAPI: SmartApiConstructor };
  const log = require("smartapi-javascript/lib/winston_log.js") as { errorLogger: { silent: boolean } };
  log.errorLogger.silent = true;
  return {
    SmartAPI: lib.SmartAPI,
    restore() {
      process.chdir(home);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
