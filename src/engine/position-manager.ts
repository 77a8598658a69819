/**
 * Seed 001's position rules inside the desk: at a bar's close, for every open
 * position in its symbol whose strategy does not run its own exits, stop to
 * breakeven, partial bookings, trailing, caution and loss exit. Each rule fires
 * once per position, remembered in settings so a restart never books twice; the
 * broker-side stop follows every move and shrinks with the position.
 */
import type { Store } from "../db/store.js";
import type { Clock } from "./clock.js";
import type { EventBus } from "./events.js";
import type { OrderManager } from "./execution/order-manager.js";
import type { ProtectiveStops } from "./execution/protective-stop.js";
import { clientOrderId } from "./ids.js";
import { atr } from "./indicators/atr.js";
import type { Candle } from "./market/candle.js";
import type { CandleSeries } from "./market/candle-series.js";
import { tickFor } from "./market/tick.js";
import { roundToTick } from "./money.js";
import { managePosition } from "./risk/position-rules.js";
import { toOhlcv } from "./strategies/bars.js";
import type { PositionView } from "./views.js";

export interface PositionManagerDeps {
  repo: Store;
  orders: OrderManager;
  bus: EventBus;
  series: CandleSeries;
  marketClock: Clock;
  wallClock: Clock;
  /** Strategies with their own stops and exits: their positions are left alone. */
  ownExits: ReadonlySet<string>;
  /** The positions' stop orders at the broker. */
  stops: ProtectiveStops;
  /** Closes what is left of a position at market (order id from the position and `why`), its stop cancelled first. */
  exit(positionId: number, why: string): Promise<unknown>;
}

export class PositionManager {
  constructor(private readonly d: PositionManagerDeps) {}

  /** The rules for every open position in the symbols of `bars`. */
  async manage(bars: readonly Candle[], open: readonly PositionView[]): Promise<void> {
    for (const bar of bars) {
      for (const pos of open) {
        if (pos.symbol !== bar.symbol || this.d.ownExits.has(pos.strategy) || pos.status !== "open") continue;
        try {
          await this.manageOne(pos, bar);
        } catch (err) {
          // A rule that cannot be applied must not stop the day: say so and leave the position as it is.
          this.d.bus.emit("alert", { level: "error", text: `Position ${pos.id} (${pos.symbol}) was not managed: ${(err as Error).message}` });
        }
      }
    }
  }

  private async manageOne(pos: PositionView, bar: Candle): Promise<void> {
    const d = this.d;
    const key = `manage:${pos.id}`;
    const stored = (await d.repo.getSetting<{ fired: string[]; originalQty: number }>(key)) ?? { fired: [], originalQty: pos.qty };
    const series = d.series.bars(bar.symbol, bar.timeframe);
    const atrs = atr(toOhlcv(series), 14);
    const atrNow = atrs[atrs.length - 1];
    const tick = tickFor(bar.symbol, bar.close, bar.time);
    const avgEntry = Math.round(pos.costBasis / pos.qty);
    const result = managePosition(
      { side: pos.side, qty: pos.qty, originalQty: Math.max(stored.originalQty, pos.qty), avgEntry: roundToTick(avgEntry, tick, "nearest") || tick, stop: pos.stop, lotSize: 1, tick },
      { ltp: bar.close, atr: atrNow !== undefined && Number.isFinite(atrNow) ? atrNow : null, at: d.marketClock.now() },
      stored.fired,
    );
    if (result.actions.length === 0 && result.fired.length === 0) return;
    const now = d.wallClock.now();
    // The rules are written as fired only after their orders: a crash in between fires them again on the
    // restart, and their orders' ids (from position and rule) make the repeat a no-op rather than a loss.
    const fired = () => d.repo.setSetting(key, { fired: [...stored.fired, ...result.fired], originalQty: Math.max(stored.originalQty, pos.qty) }, now, "risk");
    let held = pos.qty;
    let stop = pos.stop;
    for (const a of result.actions) {
      await d.repo.event(`manage.${a.kind}`, `${pos.symbol} (${pos.strategy}): ${a.reason}`, now, "risk", { positionId: pos.id, rule: a.rule });
      if (a.kind === "alert") {
        d.bus.emit("alert", { level: "info", text: `${pos.symbol} (${pos.strategy}): ${a.reason}` });
      } else if (a.kind === "move_stop") {
        stop = a.to;
        d.bus.emit("alert", { level: "info", text: `Stop moved · ${pos.symbol} × ${held}: ${a.reason}` });
      } else if (a.kind === "partial_exit") {
        const qty = Math.min(a.qty, held);
        if (qty <= 0) continue;
        const id = clientOrderId(pos.id, "partial", a.rule);
        await d.repo.setSetting(`exitReason:${id}`, `book_${a.rule}`, now, "risk");
        const order = await d.orders.submit({ clientOrderId: id, symbol: pos.symbol, side: pos.side === "long" ? "sell" : "buy", qty, type: "market", purpose: "exit", signalId: null, positionId: pos.id });
        d.bus.emit("order.placed", { order });
        d.bus.emit("alert", { level: "info", text: `Partial exit · ${pos.symbol}: ${a.reason}` });
        held -= qty;
      } else {
        const id = clientOrderId(pos.id, "exit", a.rule);
        await d.repo.setSetting(`exitReason:${id}`, a.rule === "exit6" ? "loss_exit" : a.rule, now, "risk");
        // Through the desk's exit: what partial exits and a stop sent at market already close is not sold twice.
        await d.exit(pos.id, a.rule);
        d.bus.emit("alert", { level: "warn", text: `Exit · ${pos.symbol} × ${held}: ${a.reason}` });
        await fired();
        return;
      }
    }
    // The stop at the broker follows: the new price, for what will still be held (modified in place).
    if (stop !== pos.stop || held !== pos.qty) {
      if (stop !== pos.stop) await d.repo.updatePosition(pos.id, { stop });
      await d.stops.follow(pos, stop, held, stop !== pos.stop ? "stop moved" : "position reduced");
    }
    await fired();
  }
}
