/**
 * The TradingView intake: validated webhook signals enter the desk's pipeline
 * (risk, approval or auto-accept, orders) through Desk.submitDraft, one at a
 * time in the order they arrived.
 *
 * Two queues, both in arrival order. The first records each signal
 * (webhook_signals) and answers its caller: TradingView gives up after 3
 * seconds, and a burst must not wait for the desk. The second hands the
 * recorded signals to the desk, numbering pyramids as it goes.
 *
 * The unique (symbol, signal type, time) index makes a re-sent alert a
 * duplicate. The desk stores a signal for every draft it is given (an exit with
 * nothing to close becomes an alert), so a record with no signal and not in
 * the second queue was cut short by a stop or a crash: resume() hands it to
 * the desk at the next start (or reports it, when it has grown too old), and
 * the alert sent again meanwhile is taken then, once.
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
import { parseTradingViewSignal, type TradingViewSignal } from "./tradingview-schema.js";

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
  | { kind: "accepted"; signalId: string }
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
  /** At a start, a recorded signal the desk never got is taken if it arrived at most this long ago (default 15 minutes); older ones are reported. */
  resumeWithinMs?: number;
}

const EXPIRED_THROUGH = "webhook.expiredThrough";

export const AUDIT_ACTOR = "tradingview";

/** A signal taken by receive(), waiting to be recorded. */
interface Arrival {
  s: TradingViewSignal;
  payload: Record<string, unknown>;
  from: RequestOrigin;
  resolve: (a: IntakeAnswer) => void;
  reject: (err: unknown) => void;
}

export class TradingViewIntake {
  /** Taken, not yet recorded: recorded together, in arrival order, by one statement. */
  private arrived: Arrival[] = [];
  private recording: Promise<void> | null = null;
  /** Hands the recorded signals to the desk, in the same order. */
  private readonly handing = new Serial();
  /** Recorded and not yet given to the desk: a copy arriving meanwhile is a duplicate. */
  private readonly waiting = new Set<string>();
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
    return new Promise<IntakeAnswer>((resolve, reject) => {
      this.arrived.push({ s, payload, from, resolve, reject });
      this.startRecording();
    });
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
  async idle(): Promise<void> {
    while (this.recording) await this.recording;
    await this.handing.idle();
  }

  /**
   * At a start: signals recorded (and answered) whose desk signal was never
   * stored go to the desk now, in arrival order; those older than
   * `resumeWithinMs` are written to the audit log and not acted on, since their
   * prices have moved on. Returns what it did.
   */
  async resume(): Promise<{ taken: number; expired: number }> {
    const { repo } = this.opts.desk;
    const now = this.opts.clock.now().getTime();
    const within = this.opts.resumeWithinMs ?? 15 * 60_000;
    let after = (await repo.getSetting<number>(EXPIRED_THROUGH)) ?? 0;
    let taken = 0;
    let expired = 0;
    for (const w of await repo.webhookSignalsNotTaken(after)) {
      if (this.waiting.has(w.signalId)) continue;
      const checked = parseTradingViewSignal(w.payload);
      const age = now - w.receivedAt.getTime();
      if (!checked.ok || age > within) {
        const why = checked.ok ? `received ${Math.round(age / 60_000)} minutes ago, before Dalal stopped, and never acted on; too old to act on now` : `its stored body no longer passes the checks (${checked.message})`;
        await repo.event("webhook.expired", `TradingView ${w.signalType} ${w.symbol} of ${toIsoIst(w.signalTime)}: ${why}`, this.opts.clock.now(), AUDIT_ACTOR, { signalId: w.signalId, receivedAt: w.receivedAt.toISOString() });
        this.opts.log?.warn("webhook signal not acted on", { signalId: w.signalId, symbol: w.symbol, signalType: w.signalType, reason: why });
        after = w.id;
        await repo.setSetting(EXPIRED_THROUGH, after, this.opts.clock.now());
        expired++;
        continue;
      }
      this.hand(w.signalId, checked.signal);
      taken++;
    }
    await this.handing.idle();
    return { taken, expired };
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

  private startRecording(): void {
    this.recording ??= this.recordArrivals().finally(() => {
      this.recording = null;
      // One may have arrived after the loop's last look and before this: it is not left waiting.
      if (this.arrived.length > 0) this.startRecording();
    });
  }

  /**
   * Records what has arrived, batch by batch, and answers each caller. A burst
   * is one statement per batch rather than one per signal.
   */
  private async recordArrivals(): Promise<void> {
    while (this.arrived.length > 0) {
      // The embedded database answers without returning to the event loop: a turn first, so the HTTP server
      // reads what is waiting (and the batch grows) instead of resetting connections behind a backlog.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = this.arrived.splice(0);
      try {
        const now = this.opts.clock.now();
        const rows = batch.map(({ s, payload }) => {
          const key = dedupKey(s);
          return { ...key, signalId: tradingViewSignalId(key), payload, receivedAt: now };
        });
        const recorded = await this.opts.desk.repo.insertWebhookSignals(rows);
        for (const [i, a] of batch.entries()) a.resolve(await this.answer(a, rows[i]!.signalId, recorded[i] !== null));
      } catch (err) {
        for (const a of batch) a.reject(err);
      }
    }
  }

  private async answer({ s, from }: Arrival, signalId: string, recorded: boolean): Promise<IntakeAnswer> {
    const { repo } = this.opts.desk;
    // Recorded before: a duplicate once the desk has its signal or has it coming; otherwise the first copy was cut short (a crash), so this one is taken.
    if (!recorded && (this.waiting.has(signalId) || (await repo.signal(signalId)))) {
      const prior = await repo.webhookSignal(s.symbol, s.signalType, s.timestamp);
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
    this.hand(signalId, s);
    return { kind: "accepted", signalId };
  }


  /** Queues a recorded signal for the desk. A failure is logged; the record stays for resume() at the next start. */
  private hand(signalId: string, s: TradingViewSignal): void {
    this.waiting.add(signalId);
    void this.handing
      .run(() => this.give(signalId, s))
      .catch((err: unknown) => this.opts.log?.warn("webhook signal not handed to the desk", { signalId, symbol: s.symbol, signalType: s.signalType, error: (err as Error)?.message ?? String(err) }))
      .finally(() => this.waiting.delete(signalId));
  }

  private async give(signalId: string, s: TradingViewSignal): Promise<void> {
    // Recording goes first: a burst is answered at the rate the database records, and the desk catches up after.
    // Each signal waits a turn of the event loop, so requests still being read get recorded before it.
    do await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.recording);
    // A pyramid adds the unit after the highest one held or still on its way (read here, in arrival order).
    const unit = s.signalType === "PYRAMID" ? await this.nextUnit(s.symbol) : undefined;
    const d = toDraft(s, unit);
    if (!d.ok) throw new Error(`signal ${signalId} passed its checks but could not be drafted: ${d.message}`);
    const stored = await this.opts.desk.submitDraft(d.draft);
    const outcome = stored ? `${stored.status}${stored.statusReason ? `: ${stored.statusReason}` : ""}` : "nothing stored";
    this.opts.log?.info("webhook signal", { signalId, symbol: s.symbol, signalType: s.signalType, ...(unit !== undefined ? { unit } : {}), outcome });
  }
}

/** The signal's identity for the audit log. */
function describe(s: TradingViewSignal): Record<string, unknown> {
  return { symbol: s.symbol, signalType: s.signalType, timestamp: s.timestamp.toISOString() };
}
