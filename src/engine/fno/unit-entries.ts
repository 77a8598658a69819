/**
 * When an approved synthetic unit goes in (seed 002's end-of-day rule): at once
 * in the session, or, decided after the close, at the next open, where a gap
 * beyond GAP_SKIP_PCT from the signal price skips it and one beyond
 * GAP_ADJUST_PCT has it checked again (the open must still be on the right side
 * of its stop) and entered at limit prices.
 */
import type { Candle } from "../market/candle.js";
import { formatRupees, type Paise } from "../money.js";
import { istDate } from "../time/ist.js";
import type { SignalView } from "../views.js";
import { classifyGap } from "./gap.js";
import type { SyntheticDeps, SyntheticDesk } from "./synthetic-desk.js";

/** The status note of a unit approved after the close, until the next open's gap check. */
export const WAITING_FOR_OPEN = "waiting for the next open: gap check";

export class UnitEntries {
  constructor(
    private readonly fno: SyntheticDesk,
    private readonly d: SyntheticDeps,
  ) {}

  /** The market time is past today's session (or there is none today): an order now would meet the next open. */
  afterSession(): boolean {
    const now = this.d.marketClock.now();
    const session = this.fno.settings.calendar.session(istDate(now));
    return !session || now.getTime() >= session.close.getTime();
  }

  /** An approved unit waits for the open: its signal says so until then. */
  async hold(s: SignalView): Promise<SignalView> {
    const waiting = (await this.d.repo.transitionSignal(s.id, ["approved"], "approved", { statusReason: WAITING_FOR_OPEN }))!;
    this.d.bus.emit("signal.decided", { signal: waiting });
    return waiting;
  }

  /** The unit's legs go out; its signal is ordered, or failed when no leg was taken. */
  async enter(s: SignalView, opts: { spot?: Paise; limitPct?: number } = {}): Promise<SignalView> {
    const orders = await this.fno.enter(s, opts);
    const sent = orders.some((o) => o.status !== "rejected");
    const final = sent
      ? ((await this.d.repo.transitionSignal(s.id, ["approved"], "ordered", { statusReason: opts.limitPct !== undefined ? s.statusReason : null })) ?? (await this.d.repo.signal(s.id))!)
      : ((await this.d.repo.transitionSignal(s.id, ["approved"], "failed", { statusReason: orders[0]?.reason ?? "no leg was accepted" })) ?? (await this.d.repo.signal(s.id))!);
    this.d.bus.emit("signal.decided", { signal: final });
    return final;
  }

  /** The first bar of an index's day: the units held for it meet its open. */
  async meetOpen(bar: Candle): Promise<void> {
    const { gapAdjustPct, gapSkipPct } = this.fno.settings;
    for (const s of await this.d.repo.signalsByStatus(["approved"], 1000)) {
      if (s.symbol !== bar.symbol || s.kind !== "entry" || s.statusReason !== WAITING_FOR_OPEN) continue;
      const gap = classifyGap(s.entry, bar.open, gapAdjustPct, gapSkipPct);
      const through = s.stop !== null && (s.side === "long" ? bar.open <= s.stop : bar.open >= s.stop);
      const sizing = { ...s.sizing, gap: { ...gap, open: bar.open } };
      const now = this.d.wallClock.now();
      if (gap.kind === "skip" || (gap.kind === "adjust" && through)) {
        const why = gap.kind === "skip" ? `gap ${gap.gapPct}% from the signal price is over ${gapSkipPct}%: skipped` : `opened at ${formatRupees(bar.open)}, through the stop ${formatRupees(s.stop!)}: skipped`;
        const skipped = (await this.d.repo.transitionSignal(s.id, ["approved"], "skipped", { statusReason: why, sizing }))!;
        await this.d.repo.event("gap", `${s.id}: ${why}`, now, "desk", { signalId: s.id, ...gap });
        this.d.bus.emit("signal.decided", { signal: skipped });
        continue;
      }
      const note = gap.kind === "adjust" ? `gap ${gap.gapPct}% over ${gapAdjustPct}%: entered at limit prices` : null;
      const moved = (await this.d.repo.transitionSignal(s.id, ["approved"], "approved", { statusReason: note, sizing }))!;
      if (gap.kind === "adjust") await this.d.repo.event("gap", `${s.id}: ${note}`, now, "desk", { signalId: s.id, ...gap });
      await this.enter(moved, { spot: bar.open, ...(gap.kind === "adjust" ? { limitPct: gapAdjustPct } : {}) });
    }
  }
}
