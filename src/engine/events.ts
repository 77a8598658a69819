import type { ReconcileReport } from "./execution/reconciler.js";
import type { OrderView, PositionView, SignalView, TradeView } from "./views.js";

/** Everything the engine tells its clients (bot, logs, metrics). */
export interface DeskEvents {
  "signal.proposed": { signal: SignalView };
  "signal.decided": { signal: SignalView };
  /** A strategy's alert (a near breakout, a breakdown nobody holds): informs, asks nothing. */
  "signal.alert": { signal: SignalView };
  "order.placed": { order: OrderView };
  "order.filled": { order: OrderView; qty: number; price: number };
  "order.rejected": { order: OrderView; reason: string };
  "position.opened": { position: PositionView };
  "position.closed": { trade: TradeView };
  "replay.day": { date: string; bars: number };
  "replay.finished": { date: string | null };
  alert: { level: "info" | "warn" | "error"; text: string };
  /** A reconciliation found differences with the broker (or could not read it). */
  reconciled: { report: ReconcileReport };
}

export type DeskEventName = keyof DeskEvents;
type Handler<K extends DeskEventName> = (payload: DeskEvents[K]) => void | Promise<void>;

/**
 * A typed in-process bus. A failing listener is reported, never allowed to
 * break the engine that emitted.
 */
export class EventBus {
  private readonly handlers = new Map<DeskEventName, Set<Handler<DeskEventName>>>();
  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends DeskEventName>(event: K, handler: Handler<K>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as Handler<DeskEventName>);
    return () => set!.delete(handler as Handler<DeskEventName>);
  }

  emit<K extends DeskEventName>(event: K, payload: DeskEvents[K]): void {
    for (const h of this.handlers.get(event) ?? []) {
      try {
        const r = h(payload);
        if (r && typeof (r as Promise<void>).catch === "function") (r as Promise<void>).catch((e) => this.onListenerError(event, e));
      } catch (e) {
        this.onListenerError(event, e);
      }
    }
  }
}
