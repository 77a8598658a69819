import type { ReconcileReport } from "../engine/execution/reconciler.js";
import { formatIst } from "../engine/time/ist.js";
import { esc } from "./format.js";

const SHOWN = 15;

/** A reconciliation for the admin chat: what was found and what was done about it. */
export function reconcileText(r: ReconcileReport): string {
  const when = `${esc(r.reason)} check at ${formatIst(r.at)}`;
  if (!r.ok) return `⚠️ <b>Broker check failed</b> (${when}): ${esc(r.error ?? "no answer")}. Nothing was changed; it runs again shortly.`;
  const head = `Checked ${r.checked.orders} broker orders, ${r.checked.trades} trades and ${r.checked.symbols} positions`;
  if (!r.differences.length) return `✅ <b>Books match the broker</b> (${when}). ${head}.`;
  const lines = r.differences.slice(0, SHOWN).map((d) => `• ${esc(d.text)}`);
  const more = r.differences.length > SHOWN ? [`… and ${r.differences.length - SHOWN} more (see the event log)`] : [];
  return [`🔁 <b>${r.differences.length} difference${r.differences.length === 1 ? "" : "s"} with the broker</b> (${when}), fixed in our books where it was safe:`, ...lines, ...more, head + "."].join("\n");
}
