import type { SignalView } from "./views.js";
import { formatIst } from "./time/ist.js";

/** Why a signal cannot be decided again: who decided it, when, and what came of it. */
export function alreadyDecided(s: SignalView): string {
  const when = s.decidedAt ? ` at ${formatIst(s.decidedAt)}` : "";
  switch (s.status) {
    case "approved":
    case "ordered":
    case "filled":
      return `Signal ${s.id} was already approved by ${s.decidedBy ?? "someone"}${when}; no second order.`;
    case "rejected":
      return `Signal ${s.id} was already rejected by ${s.decidedBy ?? "someone"}${when}.`;
    case "expired":
      return `Signal ${s.id} expired${when}; nothing was ordered.`;
    case "refused":
      return `Signal ${s.id} was refused by risk: ${s.statusReason ?? "no reason recorded"}.`;
    case "alerted":
      return `${s.id} is an alert, not a trade signal; there is nothing to approve.`;
    case "skipped":
      return `Signal ${s.id} was skipped: ${s.statusReason ?? "no reason recorded"}.`;
    default:
      return `Signal ${s.id} is ${s.status}; it cannot be decided now.`;
  }
}
