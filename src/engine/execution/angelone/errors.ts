/**
 * Angel One's error codes in plain words. The code list is SmartAPI's
 * published exceptions table (the same one the official SDKs carry); the
 * server's own message is kept after ours because Angel reuses a code for
 * several causes (AB1007 is "AMX Error" in the table, but the server says
 * "USER IS BLOCKED FOR TRADING" or "INVALID PARAMETERS" under it).
 */
import { BrokerError } from "../broker.js";

const ANGEL_CODES: Record<string, string> = {
  AG7002: "this IP address is not registered for the API key",
  AG8001: "the session token is not valid",
  AG8002: "the session token has expired",
  AG8003: "the session token is missing",
  AG8004: "the API key is not valid",
  AB8050: "the refresh token is not valid",
  AB8051: "the refresh token has expired",
  AB1000: "wrong client code or PIN",
  AB1001: "the client id is not valid",
  AB1002: "the PIN has the wrong length",
  AB1003: "the client already exists",
  AB1004: "Angel One had an internal problem; try again shortly",
  AB1005: "the user type must be USER",
  AB1006: "the account is blocked for trading",
  AB1007: "Angel One's order system refused the request",
  AB1008: "the order variety is not valid",
  AB1009: "the symbol was not found",
  AB1010: "the order system's session has expired",
  AB1011: "the client is not logged in",
  AB1012: "the product type is not valid",
  AB1013: "the order was not found",
  AB1014: "the trade was not found",
  AB1015: "the holding was not found",
  AB1016: "the position was not found",
  AB1017: "the position could not be converted",
  AB1018: "the symbol's details could not be read",
  AB1031: "the old PIN does not match",
  AB1032: "the user was not found",
  AB1050: "the TOTP code was wrong",
  AB2000: "an unspecified error",
  AB2001: "Angel One had an internal error; try again shortly",
  AB2002: "bracket (ROBO) orders are blocked",
  AB4008: "the order tag is longer than 20 characters",
};

/** Codes that mean the session is gone: renew it and try once more. */
export const SESSION_CODES: ReadonlySet<string> = new Set(["AG8001", "AG8002", "AG8003"]);

/** "the TOTP code was wrong (AB1050: Invalid totp)"; an unknown code passes through with the server's words. */
export function describeAngelCode(code: string, serverMessage?: string): string {
  const words = ANGEL_CODES[code];
  const server = serverMessage?.trim();
  if (!words) return server ? `Angel One error ${code}: ${server}` : `Angel One error ${code}`;
  return server && server.toLowerCase() !== words.toLowerCase() ? `${words} (${code}: ${server})` : `${words} (${code})`;
}

/** The session is gone (AG8001 and kin). Caught by the session, which renews it and retries once; otherwise nothing happened. */
export class SessionExpiredError extends BrokerError {
  constructor(message: string, code?: string) {
    super("unavailable", message, code);
    this.name = "SessionExpiredError";
  }
}
