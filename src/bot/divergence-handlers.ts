/**
 * /divergence: each synthetic strategy's theoretical and actual tracks side by
 * side (divergence-format.ts), in pages like /trades.
 */
import type { Bot } from "grammy";
import type { Desk } from "../engine/desk.js";
import type { DalalContext } from "./access.js";
import { usageOf } from "./commands.js";
import { divergencePages } from "./divergence-format.js";
import { esc, modeTag } from "./format.js";
import { sendPaginated } from "./pagination.js";

const HTML = { parse_mode: "HTML" as const };

export interface DivergenceDeps {
  desk: Desk;
  mode: "paper" | "live";
}

export function registerDivergenceHandlers(bot: Bot<DalalContext>, deps: DivergenceDeps): void {
  const { desk, mode } = deps;

  bot.command("divergence", async (ctx) => {
    const text = typeof ctx.match === "string" ? ctx.match.trim() : "";
    if (text !== "") return void (await ctx.reply(`/divergence takes no argument.\nUsage: <code>${esc(usageOf("divergence"))}</code>`, HTML));
    const fno = desk.fno;
    const synthetic = desk.opts.synthetic;
    if (!fno || !synthetic) return void (await ctx.reply(`${modeTag(mode)} · No index is traded as synthetic futures on this desk, so there are no theoretical and actual tracks to compare.`, HTML));
    const reports = (await desk.divergence()).filter((r) => r.units.length > 0);
    if (reports.length === 0) {
      return void (await ctx.reply(`${modeTag(mode)} · Nothing traded as synthetic futures yet: no ${esc(fno.settings.underlyings.join(" or "))} entry has been signalled, so both tracks are empty.`, HTML));
    }
    const pages = divergencePages(reports, { mode, alertPct: synthetic.divergenceAlertPct, modelled: fno.settings.vix !== null, rollovers: await fno.rolls.records() });
    await sendPaginated(ctx, pages);
  });
}
