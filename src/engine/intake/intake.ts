/**
 * The TradingView intake: validated webhook signals enter the desk's pipeline
 * (risk, approval or auto-accept, orders) through Desk.submitDraft, one at a
 * time in the order they arrived. Its own serial queue keeps that order across
 * the duplicate check and the pyramid numbering, which read the books before
 * the desk's queue is reached; each caller is answered once its draft is stored.
 *
 * A signal is recorded (webhook_signals) before the desk sees it; the unique
 * (symbol, signal type, time) index makes a re-sent alert a duplicate. The desk
 * stores a signal for every draft it is given (an exit with nothing to close
 * becomes an alert), so a record whose signal is missing was cut short by a
 * crash: the alert sent again is taken then, once.
 */
import type { Store } from "../../db/store.js";
import type { Clock } from "../clock.js";
import { underlyingOf } from "../fno/option-contract.js";
import { Serial } from "../serial.js";
import type { SignalDraft } from "../strategies/signal.js";
import type { Strategy } from "../strategies/strategy.js";
import { TRADINGVIEW } from "../strategies/tradingview.js";
import { toIsoIst } from "../time/ist.js";
import type { SignalView } from "../views.js";
import { dedupKey, tradingViewSignalId } from "./identity.js";
import { toDraft } from "./tradingview-draft.js";
import type { TradingViewSignal } from "./tradingview-schema.js";

/** What the intake needs of the desk. */
export interface IntakeDesk {
  readonly repo: Store;
  submitDraft(d: SignalDraft): Promise<SignalView | undefined>;
  strategies(): ReadonlyArray<Strategy<unknown>>;
  lastPrice(symbol: string): number | undefined;
}

/** Where a request came from, for the audit log (behind a proxy the address is the proxy's). */
export interface RequestOrigin {
  address: string | null;
  forwardedFor: string | null;
}

export type IntakeAnswer =
  | { kind: "accepted"; signalId: string; outcome: string }
  | { kind: "duplicate"; signalId: string }
  | { kind: "invalid"; field: string; message: string }
  | { kind: "off"; message: string };

export interface IntakeLog {
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
}

export interface IntakeOptions {
  desk: IntakeDesk;
  /** Wall clock: arrival times, the audit log, how far ahead a signal may be. */
  clock: Clock;
  /** A signal's time may be at most this far ahead of the clock (default a day): further is a misconfigured alert. */
  maxAheadMs?: number;
  /** Whether the desk can trade a symbol (default: it holds a last price for it). */
  knows?: (symbol: string) => boolean;
  log?: IntakeLog;
}

export const AUDIT_ACTOR = "tradingview";

export class TradingViewIntake {
  private readonly serial = new Serial();
  private readonly maxAheadMs: number;
  private readonly knows: (symbol: string) => boolean;

  constructor(private readonly opts: IntakeOptions) {
    this.maxAheadMs = opts.maxAheadMs ?? 24 * 3_600_000;
    this.knows = opts.knows ?? ((symbol) => opts.desk.lastPrice(symbol) !== undefined);
  }

  /** Why the intake takes nothing now, or null. */
  offReason(): string | null {
    if (this.opts.desk.strategies().some((s) => s.name === TRADINGVIEW)) return null;
    return `the TradingView intake is off: the ${TRADINGVIEW} strategy is not enabled (add it to ENABLED_STRATEGIES, or set that to all)`;
  }

  /**
   * Takes one signal. `payload` is the body as sent, without its secret, kept
   * with the record. Its place in the queue is taken now, synchronously: the
   * order of calls is the order the desk sees.
   */
  receive(s: TradingViewSignal, payload: Record<string, unknown>, from: RequestOrigin): Promise<IntakeAnswer> {
    const off = this.offReason();
    const problem = off ? null : this.problem(s);
    if (off || problem) {
      const answer: IntakeAnswer = off ? { kind: "off", message: off } : { kind: "invalid", ...problem! };
      const status = off ? 503 : 400;
      return this.recordRefusal(status, off ?? problem!.message, from, describe(s)).then(() => answer);
    }
    return this.serial.run(() => this.take(s, payload, from));
  }

  /** Writes a refused request to the audit log (never its body: it may hold the secret). Never throws. */
  async recordRefusal(status: number, reason: string, from: RequestOrigin, detail: Record<string, unknown> = {}): Promise<void> {
    try {
      await this.opts.desk.repo.event("webhook.rejected", `TradingView webhook refused (${status}): ${reason}`, this.opts.clock.now(), AUDIT_ACTOR, {
        status,
        reason,
        ...detail,
        from: from.address,
        forwardedFor: from.forwardedFor,
      });
    } catch (err) {
      this.opts.log?.warn("webhook refusal not written to the audit log", { status, reason, error: (err as Error).message });
    }
  }

  /** Resolves once every signal taken so far has been handed to the desk. */
  idle(): Promise<void> {
    return this.serial.idle();
  }

  /** What is wrong with a well-formed signal given the desk's state, or null. */
  private problem(s: TradingViewSignal): { field: string; message: string } | null {
    const ahead = s.timestamp.getTime() - this.opts.clock.now().getTime();
    if (ahead > this.maxAheadMs) return { field: "timestamp", message: `timestamp: ${s.timestamp.toISOString()} is ${Math.round(ahead / 3_600_000)} hours ahead of Dalal's clock; check the alert's time` };
    if (!this.knows(s.symbol)) return { field: "symbol", message: `symbol: the desk has no prices for "${s.symbol}" (it trades the NIFTY 50 stocks and BANKNIFTY)` };
    const d = toDraft(s, 1);
    return d.ok ? null : { field: d.field, message: d.message };
  }

  /**
   * One past the highest unit of the strategy in the symbol: held (an index unit
   * is held as option legs, named by their underlying) or still on its way.
   */
  private async nextUnit(symbol: string): Promise<number> {
    const { repo } = this.opts.desk;
    const held = (await repo.openPositions()).filter((p) => p.strategy === TRADINGVIEW && underlyingOf(p.symbol) === symbol).map((p) => p.unit ?? 0);
    const pending = await repo.highestPendingUnit(TRADINGVIEW, symbol);
    return Math.max(0, ...held, pending ?? 0) + 1;
  }

  private async take(s: TradingViewSignal, payload: Record<string, unknown>, from: RequestOrigin): Promise<IntakeAnswer> {
    // The embedded database answers without ever returning to the event loop: a backlog drained back to back
    // would stop the HTTP server from accepting and reading (connections reset) until it is gone. One turn each.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { repo } = this.opts.desk;
    const key = dedupKey(s);
    const signalId = tradingViewSignalId(key);
    const recorded = await repo.insertWebhookSignal({ ...key, signalId, payload, receivedAt: this.opts.clock.now() });
    // Recorded before: a duplicate once the desk has its signal; without one the first copy was cut short (a crash), so this one is taken.
    if (!recorded && (await repo.signal(signalId))) {
      const prior = await repo.webhookSignal(key.symbol, key.signalType, key.signalTime);
      await repo.event("webhook.duplicate", `TradingView ${s.signalType} ${s.symbol} of ${toIsoIst(s.timestamp)} received again: not acted on twice`, this.opts.clock.now(), AUDIT_ACTOR, {
        signalId,
        ...describe(s),
        firstReceivedAt: prior?.receivedAt.toISOString() ?? null,
        from: from.address,
        forwardedFor: from.forwardedFor,
      });
      this.opts.log?.info("webhook duplicate", { signalId, symbol: s.symbol, signalType: s.signalType });
      return { kind: "duplicate", signalId };
    }
    // A pyramid adds the unit after the highest one held or still on its way (read here, in arrival order).
    const unit = s.signalType === "PYRAMID" ? await this.nextUnit(s.symbol) : undefined;
    const d = toDraft(s, unit);
    if (!d.ok) throw new Error(`signal ${signalId} passed its checks but could not be drafted: ${d.message}`);
    const stored = await this.opts.desk.submitDraft(d.draft);
    const outcome = stored ? `${stored.status}${stored.statusReason ? `: ${stored.statusReason}` : ""}` : "nothing stored";
    this.opts.log?.info("webhook signal", { signalId, symbol: s.symbol, signalType: s.signalType, ...(unit !== undefined ? { unit } : {}), outcome });
    return { kind: "accepted", signalId, outcome };
  }
}

/** The signal's identity for the audit log. */
function describe(s: TradingViewSignal): Record<string, unknown> {
  return { symbol: s.symbol, signalType: s.signalType, timestamp: s.timestamp.toISOString() };
}
