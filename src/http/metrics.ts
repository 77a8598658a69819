/**
 * GET /metrics: the desk in the Prometheus text format, on its own prom-client
 * registry (never the global one, so two desks in one process, as in tests, do
 * not share counters).
 *
 * Counted from the engine's events as they happen:
 * - dalal_signals_total{strategy,status}: each status the bus tells a signal
 *   reached: proposed, alerted, then its decision (ordered, rejected, refused,
 *   expired, failed). A proposed signal later ordered counts once under each.
 *   Signals skipped (already holding) and exit signals are not on the bus.
 * - dalal_orders_total{purpose,status}: placed (order.placed: entries and exits;
 *   the protective stops the desk places itself are not announced), filled (the
 *   order's last fill), rejected.
 * - dalal_fills_total{side}: every fill, partial ones included.
 * - dalal_approval_to_order_seconds: from a signal's decision stamp (when the desk
 *   took up the approval) to its entry order placed: risk checks, the books, the
 *   broker. Needs the desk's wall clock as `now`.
 * - dalal_decision_seconds: from a signal's proposal to a person's decision
 *   (approve or reject; auto-accepted, expired and refused signals are not people).
 *
 * Read at scrape time (collect callbacks) from the desk: breaker, halt and pause
 * switches, open positions, open risk (entry to stop, as the risk limits count it),
 * equity and P&L in rupees. If the books cannot be read the scrape fails, rather
 * than showing stale or zero values.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Desk } from "../engine/desk.js";
import type { EventBus } from "../engine/events.js";
import type { Paise } from "../engine/money.js";
import type { LedgerSnapshot } from "../engine/portfolio/ledger.js";
import { positionExposure } from "../engine/risk/limits.js";
import type { PositionView } from "../engine/views.js";

/** What the metrics read from the desk at scrape time. */
export type MetricsDesk = Pick<Desk, "bus" | "ledger" | "controls"> & { repo: Pick<Desk["repo"], "openPositions"> };

export interface MetricsOptions {
  desk: MetricsDesk;
  /** The clock decision stamps are on (the desk's wall clock), in ms. */
  now?: () => number;
  /** Node process metrics (CPU, memory, event loop); default true. */
  processMetrics?: boolean;
}

/** Seconds from a decision to its order: the desk's own work, usually well under a second. */
const ORDER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds a person takes to answer a signal card: up to the 15-minute default TTL and beyond. */
const DECISION_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** Paise to rupees, for exposition only: the books stay in integer paise. */
const rupees = (p: Paise): number => p / 100;

export class DeskMetrics {
  readonly registry = new Registry();
  private readonly off: Array<() => void> = [];
  /** Decision stamps of signals ordered, waiting for their order.placed. */
  private readonly decidedAt = new Map<string, number>();
  /** One read of the books per scrape, shared by every gauge. */
  private reading: Promise<{ book: LedgerSnapshot; open: PositionView[] }> | null = null;

  constructor(private readonly o: MetricsOptions) {
    const registers = [this.registry];
    const now = o.now ?? Date.now;
    const signals = new Counter({ name: "dalal_signals_total", help: "Signals by strategy and the status the engine announced.", labelNames: ["strategy", "status"], registers });
    const orders = new Counter({ name: "dalal_orders_total", help: "Orders by purpose (entry, exit, stop) and status (placed, filled, rejected).", labelNames: ["purpose", "status"], registers });
    const fills = new Counter({ name: "dalal_fills_total", help: "Fills (partial ones included) by side.", labelNames: ["side"], registers });
    const toOrder = new Histogram({
      name: "dalal_approval_to_order_seconds",
      help: "Seconds from a signal's approval being taken up to its entry order placed.",
      buckets: ORDER_BUCKETS,
      registers,
    });
    const decision = new Histogram({
      name: "dalal_decision_seconds",
      help: "Seconds from a signal's proposal to a person approving or rejecting it.",
      buckets: DECISION_BUCKETS,
      registers,
    });

    const bus: EventBus = o.desk.bus;
    this.off.push(
      bus.on("signal.proposed", ({ signal }) => void signals.inc({ strategy: signal.strategy, status: "proposed" })),
      bus.on("signal.alert", ({ signal }) => void signals.inc({ strategy: signal.strategy, status: "alerted" })),
      bus.on("signal.decided", ({ signal }) => {
        signals.inc({ strategy: signal.strategy, status: signal.status });
        const by = signal.decidedBy;
        if (signal.decidedAt && by !== null && by !== "auto" && by !== "timeout" && by !== "strategy") {
          decision.observe(Math.max(0, signal.decidedAt.getTime() - signal.createdAt.getTime()) / 1000);
        }
        if (signal.status === "ordered" && signal.decidedAt) this.decidedAt.set(signal.id, signal.decidedAt.getTime());
      }),
      bus.on("order.placed", ({ order }) => {
        orders.inc({ purpose: order.purpose, status: "placed" });
        const at = order.signalId !== null ? this.decidedAt.get(order.signalId) : undefined;
        if (at !== undefined && order.purpose === "entry") {
          this.decidedAt.delete(order.signalId!);
          toOrder.observe(Math.max(0, now() - at) / 1000);
        }
      }),
      bus.on("order.filled", ({ order }) => {
        fills.inc({ side: order.side });
        if (order.status === "filled") orders.inc({ purpose: order.purpose, status: "filled" });
      }),
      bus.on("order.rejected", ({ order }) => {
        orders.inc({ purpose: order.purpose, status: "rejected" });
        if (order.signalId !== null) this.decidedAt.delete(order.signalId);
      }),
    );

    const controls = () => o.desk.controls;
    const gauge = (name: string, help: string, read: (b: { book: LedgerSnapshot; open: PositionView[] }) => number) => {
      const g: Gauge = new Gauge({ name, help, registers, collect: async () => g.set(read(await this.books())) });
    };
    const flag = (name: string, help: string, read: () => boolean) => {
      const g: Gauge = new Gauge({ name, help, registers, collect: () => g.set(read() ? 1 : 0) });
    };
    flag("dalal_breaker_tripped", "1 while the daily-loss circuit breaker is tripped.", () => controls().breaker?.tripped === true);
    flag("dalal_halted", "1 while trading is halted by the admin.", () => controls().get("halted") !== null);
    flag("dalal_paused", "1 while new entries are paused.", () => controls().get("paused") !== null);
    gauge("dalal_open_positions", "Open positions.", ({ open }) => open.length);
    gauge("dalal_open_risk_rupees", "Rupees lost if every open position stopped out at its stop (a position without a stop counts its whole value).", ({ open }) => rupees(openRisk(open)));
    gauge("dalal_equity_rupees", "Equity: capital + realized - open entry charges + unrealized.", ({ book }) => rupees(book.equity));
    gauge("dalal_realized_pnl_rupees", "Net P&L of closed trades, after charges.", ({ book }) => rupees(book.realized));
    gauge("dalal_unrealized_pnl_rupees", "P&L of open positions at their last price, before exit charges.", ({ book }) => rupees(book.unrealized));

    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text; rejects when the books cannot be read. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops listening to the bus. */
  close(): void {
    for (const f of this.off.splice(0)) f();
  }

  private books(): Promise<{ book: LedgerSnapshot; open: PositionView[] }> {
    // The gauges of one scrape are collected together: they share one read.
    this.reading ??= (async () => {
      try {
        const [book, open] = await Promise.all([this.o.desk.ledger(), this.o.desk.repo.openPositions()]);
        return { book, open };
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }
}

/** Entry-to-stop risk of the open positions, in paise, as MAX_OPEN_RISK_PCT counts it. */
export function openRisk(open: readonly PositionView[]): Paise {
  let risk = 0;
  for (const p of open) risk += positionExposure({ symbol: p.symbol, side: p.side, qty: p.qty, entry: Math.round(p.costBasis / p.qty), mark: p.lastPrice ?? undefined, stop: p.stop }).risk;
  return risk;
}
