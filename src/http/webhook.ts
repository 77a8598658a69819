/**
 * POST /webhook/tradingview: TradingView alerts in seed 002's JSON, the shared
 * secret carried in the body as "secret" (TradingView cannot set headers).
 *
 * Checks run in this order, each refusal answered as JSON {accepted: false,
 * error}, written to the audit log (never the body: it may hold the secret)
 * and logged: POST only (405); Dalal up (503); WEBHOOK_SECRET set (503);
 * at most 64 KiB (413); a JSON object (400); the secret (401); every field
 * (400, naming it). Fields are checked only for callers holding the secret.
 * A good signal is answered 200 {accepted: true, signalId} once it is recorded
 * (the desk takes it just after, in arrival order); one seen before, 200
 * {accepted: false, duplicate: true}.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestOrigin, TradingViewIntake } from "../engine/intake/intake.js";
import { parseTradingViewSignal } from "../engine/intake/tradingview-schema.js";
import { readBody } from "./request-body.js";
import { SharedSecret } from "./webhook-secret.js";

export const WEBHOOK_PATH = "/webhook/tradingview";
export const WEBHOOK_MAX_BYTES = 64 * 1024;

export interface WebhookLog {
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
  error(msg: string, detail?: Record<string, unknown>): void;
}

export interface WebhookOptions {
  intake: TradingViewIntake;
  /** WEBHOOK_SECRET; undefined turns the intake off (503). */
  secret: string | undefined;
  /** False while Dalal starts or stops: signals are refused (503) rather than lost. */
  ready: () => boolean;
  maxBytes?: number;
  log?: WebhookLog;
}

export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

const OFF = "the TradingView intake is off: set WEBHOOK_SECRET (16 characters or more) to turn it on";
const STOPPING = "Dalal is starting or stopping; the signal was not taken, send it again shortly";

export function tradingViewWebhook(opts: WebhookOptions): WebhookHandler {
  const secret = opts.secret === undefined ? null : new SharedSecret(opts.secret);
  const maxBytes = opts.maxBytes ?? WEBHOOK_MAX_BYTES;
  // A reason never carries the secret, even one a sender put in the wrong field.
  const mask = (s: string) => (opts.secret === undefined ? s : s.split(opts.secret).join("***"));

  return (req, res) => {
    const from: RequestOrigin = {
      address: req.socket.remoteAddress ?? null,
      // Masked before it is cut: a cut could keep part of the secret.
      forwardedFor: typeof req.headers["x-forwarded-for"] === "string" ? mask(req.headers["x-forwarded-for"]).slice(0, 200) : null,
    };
    const send = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
      res.end(JSON.stringify(body));
    };
    const refuse = async (status: number, reason: string, headers: Record<string, string> = {}, detail: Record<string, unknown> = {}) => {
      const safe = mask(reason);
      opts.log?.warn("webhook refused", { status, reason: safe, from: from.address, forwardedFor: from.forwardedFor });
      await opts.intake.recordRefusal(status, safe, from, detail);
      send(status, { accepted: false, error: safe, ...(detail.field ? { field: detail.field } : {}) }, headers);
    };

    const handle = async () => {
      if (req.method !== "POST") {
        req.on("error", () => {}).resume();
        return refuse(405, `use POST ${WEBHOOK_PATH}, not ${String(req.method).slice(0, 10)}`, { allow: "POST" });
      }
      if (!opts.ready()) {
        req.on("error", () => {}).resume();
        return refuse(503, STOPPING, { "retry-after": "5" });
      }
      if (!secret) {
        req.on("error", () => {}).resume();
        return refuse(503, OFF);
      }
      const read = await readBody(req, maxBytes);
      if (read.kind === "aborted") {
        opts.log?.info("webhook request abandoned", { reason: read.reason, from: from.address });
        return;
      }
      if (read.kind === "too-large") return refuse(413, `body: larger than ${maxBytes} bytes`, { connection: "close" }, { field: "body" });
      const parsed = parseBody(read.bytes);
      if (!parsed.ok) return refuse(400, parsed.message, {}, { field: "body" });
      const { secret: given, ...sent } = parsed.body;
      if (given === undefined) return refuse(401, "secret: missing; put WEBHOOK_SECRET in the alert's JSON as \"secret\"", {}, { field: "secret" });
      if (typeof given !== "string" || !secret.matches(given)) return refuse(401, "secret: does not match WEBHOOK_SECRET", {}, { field: "secret" });
      // The secret put in another field as well (a name or a text) is masked before anything quotes or stores it.
      const payload = maskEverywhere(sent, mask);
      const checked = parseTradingViewSignal(payload);
      if (!checked.ok) return refuse(400, checked.message, {}, { field: checked.field });
      // Dalal may have begun to stop while the body came in: refused, not half-taken.
      if (!opts.ready()) return refuse(503, STOPPING, { "retry-after": "5" });
      const answer = await opts.intake.receive(checked.signal, payload, from);
      switch (answer.kind) {
        case "accepted":
          return send(200, { accepted: true, signalId: answer.signalId });
        case "duplicate":
          return send(200, { accepted: false, duplicate: true });
        case "invalid":
          opts.log?.warn("webhook refused", { status: 400, reason: mask(answer.message), from: from.address });
          return send(400, { accepted: false, error: mask(answer.message), field: answer.field });
        case "off":
          opts.log?.warn("webhook refused", { status: 503, reason: answer.message, from: from.address });
          return send(503, { accepted: false, error: answer.message });
      }
    };

    handle().catch((err: unknown) => {
      // A failure of ours (most likely the database): no detail leaves, the log has it.
      opts.log?.error("webhook failed", { error: mask((err as Error)?.message ?? String(err)) });
      send(500, { accepted: false, error: "the signal could not be taken: Dalal failed to store it (see its log); send it again" });
    });
  };
}

/**
 * Every name and text of a parsed body passed through `mask`, in place. A stack,
 * not recursion: a body may nest tens of thousands of levels deep. Names are
 * written with defineProperty, so "__proto__" stays a name.
 */
function maskEverywhere(body: Record<string, unknown>, mask: (s: string) => string): Record<string, unknown> {
  const stack: object[] = [body];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      const masked = typeof value === "string" ? mask(value) : value;
      if (masked !== null && typeof masked === "object") stack.push(masked);
      const name = Array.isArray(node) ? key : mask(key);
      if (name !== key) delete record[key];
      if (name !== key || masked !== value) Object.defineProperty(record, name, { value: masked, enumerable: true, writable: true, configurable: true });
    }
  }
  return body;
}

type Parsed = { ok: true; body: Record<string, unknown> } | { ok: false; message: string };

function parseBody(bytes: Buffer): Parsed {
  // TradingView sends UTF-8; a byte-order mark is tolerated.
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") return { ok: false, message: "body: empty; expected seed 002's JSON object" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // Only the position: the parser's own message quotes the text, which may hold the secret.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    return { ok: false, message: `body: not valid JSON${at ? ` (at character ${at})` : ""}; expected seed 002's JSON object` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const what = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return { ok: false, message: `body: expected a JSON object, got ${what}` };
  }
  return { ok: true, body: value as Record<string, unknown> };
}
