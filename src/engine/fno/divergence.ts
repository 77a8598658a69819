/**
 * Theoretical versus actual (seed 002). The theoretical track holds what the
 * strategy signalled, at signal prices and the size it was given, whether or
 * not it was executed; the actual track is the option legs' fills. Signal
 * timing never depends on fills, so the two part only through execution:
 *
 *   actual = theoretical − slippage − charges − rollover spreads
 *            − what units never executed (refused, skipped on a gap) would have made
 *
 * where a fill's slippage is measured on the synthetic price (strike + call −
 * put) against the signal price, so it holds the futures basis too. For every
 * executed unit the identity holds to the paisa; the report shows each term.
 *
 * Divergence is |theoretical − actual| as % of the strategy's capital: a share
 * of P&L is meaningless near zero, capital is what the alert protects.
 */
import type { Paise } from "../money.js";
import type { OrderView, SignalView, TradeView, PositionView } from "../views.js";
import { unrealized } from "../views.js";
import { parseOptionSymbol } from "./option-contract.js";

export interface TheoreticalUnit {
  signalId: string;
  unit: number;
  side: "long" | "short";
  qty: number;
  entryAt: Date;
  entry: Paise;
  exitAt: Date | null;
  exit: Paise | null;
  /** Where the unit stands in the books: executed, or why not. */
  executed: boolean;
  status: string;
  /** Synthetic fill prices of its legs (entry and exit), when filled. */
  fillEntry: Paise | null;
  fillExit: Paise | null;
}

export interface SlippageRow {
  signalId: string;
  unit: number;
  kind: "entry" | "exit";
  at: Date;
  signal: Paise;
  fill: Paise;
  /** Against us, in index points × 100 (paise per unit), and in rupees for the size. */
  points: Paise;
  amount: Paise;
}

export interface DivergenceReport {
  strategy: string;
  underlying: string;
  capital: Paise;
  theoretical: Paise;
  /** The theoretical P&L of the units that were executed (the rest were refused or skipped). */
  executedTheoretical: Paise;
  actual: Paise;
  /** Actual's parts. */
  realized: Paise;
  unrealized: Paise;
  charges: Paise;
  slippage: Paise;
  rolloverCost: Paise;
  /** The rollovers' synthetic price differences alone (their charges are in charges). */
  rolloverSpread: Paise;
  divergencePct: number;
  units: TheoreticalUnit[];
  slippages: SlippageRow[];
  pyramids: { signalled: number; executed: number };
  bases: { signalled: number; executed: number };
}

export interface DivergenceInput {
  strategy: string;
  underlying: string;
  capital: Paise;
  signals: readonly SignalView[];
  /** Every order of the strategy's legs (any status). */
  orders: readonly OrderView[];
  trades: readonly TradeView[];
  open: readonly PositionView[];
  /** The index price now, for open theoretical units. */
  spot: Paise | undefined;
  rolloverCost: Paise;
  rolloverSpread: Paise;
  /** Unit of each position an exit order closed (trades carry none). */
  unitOfPosition: ReadonlyMap<number, number>;
}

const EXECUTED = new Set(["ordered", "filled"]);

export function divergence(i: DivergenceInput): DivergenceReport {
  const isLeg = (symbol: string) => parseOptionSymbol(symbol)?.underlying === i.underlying;
  const legOrders = i.orders.filter((o) => isLeg(o.symbol) && o.filledQty > 0 && o.avgFillPrice !== null);
  const bySignal = new Map<string, OrderView[]>();
  for (const o of legOrders) if (o.signalId) bySignal.set(o.signalId, [...(bySignal.get(o.signalId) ?? []), o]);

  const units: TheoreticalUnit[] = [];
  const open = new Map<number, TheoreticalUnit>();
  const slippages: SlippageRow[] = [];
  for (const s of i.signals) {
    if (s.decidedBy === "rollover" || s.kind === "alert") continue;
    if (s.kind === "entry") {
      // A base or pyramid the strategy signalled twice (a restart replaying a bar) is stored once; an entry on an open unit number is not the strategy's.
      const unit = s.unit ?? 0;
      if (open.has(unit)) continue;
      const fills = bySignal.get(s.id)?.filter((o) => o.purpose === "entry") ?? [];
      const u: TheoreticalUnit = {
        signalId: s.id,
        unit,
        side: s.side,
        qty: s.qty,
        entryAt: s.barTime,
        entry: s.entry,
        exitAt: null,
        exit: null,
        executed: EXECUTED.has(s.status),
        status: s.statusReason ? `${s.status}: ${s.statusReason}` : s.status,
        fillEntry: synthetic(fills),
        fillExit: null,
      };
      units.push(u);
      open.set(unit, u);
      if (u.fillEntry !== null && u.qty > 0) slippages.push(slip(u, "entry", s.barTime, s.entry, u.fillEntry));
      continue;
    }
    // An exit closes its unit (or every unit) in theory, at its signal price, held or not.
    const closing = s.unit === null ? [...open.values()] : open.has(s.unit) ? [open.get(s.unit)!] : [];
    const fills = bySignal.get(s.id) ?? [];
    for (const u of closing) {
      u.exitAt = s.barTime;
      u.exit = s.entry;
      open.delete(u.unit);
      const legs = fills.filter((o) => o.positionId !== null && i.unitOfPosition.get(o.positionId) === u.unit);
      u.fillExit = synthetic(legs);
      if (u.fillExit !== null && u.qty > 0) slippages.push(slip(u, "exit", s.barTime, s.entry, u.fillExit));
    }
  }

  let theoretical = 0;
  let executedTheoretical = 0;
  for (const u of units) {
    const dir = u.side === "long" ? 1 : -1;
    const last = u.exit ?? i.spot ?? u.entry;
    theoretical += dir * (last - u.entry) * u.qty;
    if (u.executed) executedTheoretical += dir * (last - u.entry) * u.qty;
  }
  const trades = i.trades.filter((t) => t.strategy === i.strategy && isLeg(t.symbol));
  const legs = i.open.filter((p) => p.strategy === i.strategy && isLeg(p.symbol));
  const realized = trades.reduce((s, t) => s + t.net, 0);
  const unreal = legs.reduce((s, p) => s + unrealized(p) - p.openCharges, 0);
  const charges = trades.reduce((s, t) => s + t.charges, 0) + legs.reduce((s, p) => s + p.openCharges, 0);
  const actual = realized + unreal;
  const slippage = slippages.reduce((s, r) => s + r.amount, 0);
  const count = (pred: (u: TheoreticalUnit) => boolean) => ({ signalled: units.filter(pred).length, executed: units.filter((u) => pred(u) && u.executed).length });
  return {
    strategy: i.strategy,
    underlying: i.underlying,
    capital: i.capital,
    theoretical,
    executedTheoretical,
    actual,
    realized,
    unrealized: unreal,
    charges,
    slippage,
    rolloverCost: i.rolloverCost,
    rolloverSpread: i.rolloverSpread,
    divergencePct: i.capital > 0 ? Math.round((Math.abs(theoretical - actual) / i.capital) * 10_000) / 100 : 0,
    units,
    slippages,
    pyramids: count((u) => u.unit > 0),
    bases: count((u) => u.unit === 0),
  };
}

/**
 * The synthetic price of a unit's filled legs: strike + call − put, each leg at
 * its average fill; null unless both legs filled.
 */
function synthetic(orders: readonly OrderView[]): Paise | null {
  const ce = orders.find((o) => parseOptionSymbol(o.symbol)?.type === "CE");
  const pe = orders.find((o) => parseOptionSymbol(o.symbol)?.type === "PE");
  if (!ce || !pe || ce.avgFillPrice === null || pe.avgFillPrice === null) return null;
  const strike = parseOptionSymbol(ce.symbol)!.strike;
  return strike + ce.avgFillPrice - pe.avgFillPrice;
}

function slip(u: TheoreticalUnit, kind: "entry" | "exit", at: Date, signal: Paise, fill: Paise): SlippageRow {
  const dir = u.side === "long" ? 1 : -1;
  // Paying more to enter a long, or getting less to leave it, is against us.
  const points = kind === "entry" ? dir * (fill - signal) : dir * (signal - fill);
  return { signalId: u.signalId, unit: u.unit, kind, at, signal, fill, points, amount: points * u.qty };
}

