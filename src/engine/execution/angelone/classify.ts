/**
 * Turns whatever a smartapi-javascript REST call resolved to into typed data
 * or a BrokerError of the right kind. The library never rejects:
 * - success: `{status: true, data}` (or `{success: true, data}`)
 * - refused by Angel: `{status: false, errorcode, message}`; session errors
 *   come as `{success: false, errorCode: "AG8001", message}`
 * - HTTP error: `{status: <http code>, message: <status text>}`
 * - no answer at all (refused connection, timeout, dropped): `{}` (or `[]`
 *   from its own catch block)
 */
import type { z } from "zod";
import { BrokerError } from "../broker.js";
import { describeAngelCode, SESSION_CODES, SessionExpiredError } from "./errors.js";

/** A write changes state at Angel (order, GTT): without an answer it may have happened. */
export type CallKind = "read" | "write";

export interface CallContext {
  /** For messages: "placeOrder", "orderBook", ... */
  what: string;
  kind: CallKind;
}

const RATE_LIMIT_TEXT = /exceeding access rate|too many requests|rate limit/i;

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function noAnswer(ctx: CallContext): BrokerError {
  return ctx.kind === "write"
    ? new BrokerError("ambiguous", `${ctx.what}: no answer from Angel One (timeout or dropped connection); it may have gone through: look it up by its tag`)
    : new BrokerError("unavailable", `${ctx.what}: no answer from Angel One (timeout or connection refused)`);
}

function httpError(status: number, statusText: string, ctx: CallContext): BrokerError {
  const http = `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
  if (status === 401) return new SessionExpiredError(`${ctx.what}: not authorised (${http})`);
  if (status === 403 || status === 429) return new BrokerError("unavailable", `${ctx.what}: Angel One's rate limit refused the call (${http}); nothing happened, retry later`);
  if (status >= 500) {
    return ctx.kind === "write"
      ? new BrokerError("ambiguous", `${ctx.what}: Angel One failed (${http}); it may have gone through: look it up by its tag`)
      : new BrokerError("unavailable", `${ctx.what}: Angel One failed (${http})`);
  }
  return new BrokerError("rejected", `${ctx.what}: refused (${http})`);
}

/** The data of a success answer, checked against `schema`; anything else throws a BrokerError. */
export function interpret<S extends z.ZodType>(raw: unknown, schema: S, ctx: CallContext): z.output<S> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw noAnswer(ctx);
  const o = raw as Record<string, unknown>;
  if (Object.keys(o).length === 0) throw noAnswer(ctx);
  if (typeof o.status === "number") throw httpError(o.status, str(o.message), ctx);

  const ok = o.status === true || o.success === true;
  const code = str(o.errorcode) || str(o.errorCode);
  const message = str(o.message);
  if (!ok) {
    if (SESSION_CODES.has(code)) throw new SessionExpiredError(`${ctx.what}: ${describeAngelCode(code, message)}`, code);
    if (RATE_LIMIT_TEXT.test(message)) {
      throw new BrokerError("unavailable", `${ctx.what}: Angel One's rate limit refused the call (${message}); nothing happened, retry later`, code || undefined);
    }
    const why = code ? describeAngelCode(code, message) : message || "no reason given";
    throw new BrokerError("rejected", `${ctx.what}: refused: ${why}`, code || undefined);
  }

  const parsed = schema.safeParse(o.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join(".") || "data"}: ${issue.message}` : "data";
    throw ctx.kind === "write"
      ? new BrokerError("ambiguous", `${ctx.what}: Angel One answered success in an unexpected shape (${where}); it may have gone through: look it up by its tag`)
      : new BrokerError("unavailable", `${ctx.what}: Angel One answered in an unexpected shape (${where})`);
  }
  return parsed.data;
}
