/**
 * /rollover [BANKNIFTY]: rolls every held synthetic unit into the next monthly
 * now, after a preview and a confirm button (the scheduled roll does the same
 * on the rollover day at 15:00 by itself).
 */
import type { Bot } from "grammy";
import type { Desk } from "../engine/desk.js";
import { clientOrderId } from "../engine/ids.js";
import { optionSymbol } from "../engine/fno/option-contract.js";
import type { RolloverRecord } from "../engine/fno/synthetic-desk.js";
import type { DalalContext } from "./access.js";
import { usageOf } from "./commands.js";
import type { Confirmations } from "./confirm.js";
import { esc, modeTag } from "./format.js";
import { rolloverPreviewText, rolloverSentText, type SentRoll } from "./rollover-format.js";

const HTML = { parse_mode: "HTML" as const };

export interface RolloverDeps {
  desk: Desk;
  mode: "paper" | "live";
  /** The same store the confirm buttons' handler reads (control-handlers.ts). */
  confirmations: Confirmations;
}

export function registerRolloverCommand(bot: Bot<DalalContext>, deps: RolloverDeps): void {
  const { desk, mode, confirmations } = deps;

  bot.command("rollover", async (ctx) => {
    const text = typeof ctx.match === "string" ? ctx.match.trim() : "";
    const [symbol, ...extra] = text === "" ? [] : text.split(/\s+/);
    const fno = desk.fno;
    const accepted: readonly string[] = fno?.settings.underlyings ?? ["BANKNIFTY"];
    const usage = `\nUsage: <code>${esc(usageOf("rollover"))}</code>`;
    if (extra.length) return void (await ctx.reply(`Give at most one index; "${esc(extra.join(" "))}" is extra. Accepted: ${esc(accepted.join(", "))}, or nothing.${usage}`, HTML));
    if (symbol !== undefined && !accepted.includes(symbol.toUpperCase())) {
      return void (await ctx.reply(`Unknown index "${esc(symbol)}": /rollover takes ${esc(accepted.join(", "))}, or nothing.${usage}`, HTML));
    }
    if (!fno) return void (await ctx.reply(`${modeTag(mode)} · No index is traded as synthetic futures on this desk, so there is nothing to roll over.`, HTML));
    const held = fno.units(await desk.repo.openPositions()).filter((u) => symbol === undefined || u.underlying === symbol.toUpperCase());
    const which = symbol === undefined ? accepted.join(" or ") : symbol.toUpperCase();
    if (held.length === 0) return void (await ctx.reply(`${modeTag(mode)} · No ${esc(which)} synthetic unit is held, so there is nothing to roll over.`, HTML));
    const plans = await desk.rolloverPreview();
    if (plans.length === 0) {
      return void (await ctx.reply(
        `${modeTag(mode)} · ${held.length} unit${held.length === 1 ? " is" : "s are"} held but none can roll now: closing orders are already working on ${held.length === 1 ? "its" : "their"} legs (mid-roll or mid-exit), or no index price is known yet. Nothing was done.`,
        HTML,
      ));
    }
    const modelled = fno.settings.vix !== null;
    const now = desk.opts.marketClock.now();
    const keyboard = confirmations.ask(
      {
        chatId: ctx.who.chatId,
        adminOnly: false,
        stepsLeft: 1,
        run: async (actor) => {
          const before = new Set((await fno.rolls.records()).map((r) => r.id));
          await desk.rollover(true, actor);
          const made = (await fno.rolls.records()).filter((r) => !before.has(r.id));
          return rolloverSentText(await sentRolls(desk, made), actor, { mode, modelled });
        },
      },
      `Roll ${plans.length} unit${plans.length === 1 ? "" : "s"} now`,
    );
    await ctx.reply(rolloverPreviewText(plans, { mode, modelled, marketOpen: fno.settings.calendar.isMarketOpen(now) }), { ...HTML, reply_markup: keyboard });
  });
}

/** How a roll sends its legs (synthetic-desk.ts): next month's buy, this month's sold leg bought back, next month's sell, this month's bought leg sold. */
const SEND_RANK: Readonly<Record<string, number>> = { "open buy": 0, "close buy": 1, "open sell": 2, "close sell": 3 };

/** Each new rollover's orders as they stand (a refused order's retry, when there was one, in its place). */
async function sentRolls(desk: Desk, records: readonly RolloverRecord[]): Promise<SentRoll[]> {
  const out: SentRoll[] = [];
  for (const r of records) {
    const legs: SentRoll["legs"] = [];
    for (const [cid, leg] of Object.entries(r.orders)) {
      let order = await desk.repo.orderByClientId(cid);
      if (order?.status === "rejected" && leg.role === "open") order = (await desk.repo.orderByClientId(clientOrderId(r.id, `entry:${leg.type}:retry`))) ?? order;
      const symbol = order?.symbol ?? optionSymbol(r.underlying, leg.role === "open" ? r.toExpiry : r.fromExpiry, leg.strike, leg.type);
      legs.push({ role: leg.role, symbol, side: leg.side, qty: r.qty, order });
    }
    // The record's keys are order ids, not the sending order: put the legs back in it.
    legs.sort((a, b) => SEND_RANK[`${a.role} ${a.side}`]! - SEND_RANK[`${b.role} ${b.side}`]!);
    out.push({ strategy: r.strategy, unit: r.unit, qty: r.qty, fromExpiry: r.fromExpiry, toExpiry: r.toExpiry, legs });
  }
  return out;
}
