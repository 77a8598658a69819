import { randomBytes } from "node:crypto";
import { InlineKeyboard } from "grammy";

/**
 * Actions that need a button press to happen (/flatten, /exit, /reset_breaker).
 * Each pending action has a random nonce in its button, belongs to one chat, and
 * lapses after a while, so an old or forwarded button does nothing.
 */
export interface PendingAction {
  chatId: number;
  adminOnly: boolean;
  /** Steps still to confirm before `run`: /flatten asks twice. */
  stepsLeft: number;
  /** Text shown for the next confirmation step. */
  again?: string;
  run(actor: string): Promise<string>;
  expiresAt: number;
}

const TTL_MS = 120_000;

export class Confirmations {
  private readonly pending = new Map<string, PendingAction>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Registers an action; returns the keyboard to confirm or cancel it. */
  ask(action: Omit<PendingAction, "expiresAt">, label: string): InlineKeyboard {
    this.sweep();
    const nonce = randomBytes(6).toString("hex");
    this.pending.set(nonce, { ...action, expiresAt: this.now() + TTL_MS });
    return confirmKeyboard(nonce, label);
  }

  /** Looks at a pending action without taking it (a refused press must not use up the owner's). */
  peek(nonce: string): PendingAction | null {
    this.sweep();
    return this.pending.get(nonce) ?? null;
  }

  /** Takes a pending action for a press; null when unknown or lapsed. */
  take(nonce: string): PendingAction | null {
    this.sweep();
    const a = this.pending.get(nonce);
    if (!a) return null;
    this.pending.delete(nonce);
    return a;
  }

  /** Puts a multi-step action back for its next step, under a fresh nonce. */
  next(action: PendingAction, label: string): InlineKeyboard {
    return this.ask({ ...action, stepsLeft: action.stepsLeft - 1 }, label);
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, a] of this.pending) if (a.expiresAt <= t) this.pending.delete(k);
  }
}

export function confirmKeyboard(nonce: string, label: string): InlineKeyboard {
  return new InlineKeyboard().text(label, `c:${nonce}`).text("Cancel", `n:${nonce}`);
}

/** "c:NONCE" confirm, "n:NONCE" cancel; anything else null. */
export function parseConfirm(data: string | undefined): { confirm: boolean; nonce: string } | null {
  const m = /^([cn]):([0-9a-f]{12})$/.exec(data ?? "");
  return m ? { confirm: m[1] === "c", nonce: m[2]! } : null;
}
