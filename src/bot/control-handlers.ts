/**
 * The desk's switches from the chat: /pause and /resume (entries), /halt and
 * /unhalt (admin: every new order), /flatten (admin, confirmed twice) and /exit
 * (confirmed once). Every action that moves money waits for a button press.
 */
import type { Bot } from "grammy";
import type { Desk } from "../engine/desk.js";
import type { DalalContext } from "./access.js";
import { usageOf } from "./commands.js";
import { reconcileText } from "./reconcile-format.js";
import { Confirmations, parseConfirm } from "./confirm.js";
import { esc, modeTag, rs } from "./format.js";

const HTML = { parse_mode: "HTML" as const };

export interface ControlDeps {
  desk: Desk;
  mode: "paper" | "live";
  confirmations: Confirmations;
}

function args(ctx: DalalContext): string[] {
  const m = typeof ctx.match === "string" ? ctx.match : "";
  return m.trim() === "" ? [] : m.trim().split(/\s+/);
}

async function adminOnly(ctx: DalalContext, command: string): Promise<boolean> {
  if (ctx.who.admin) return true;
  await ctx.reply(`Only the admin chat may use /${command}; nothing was done.`);
  return false;
}

async function noArgs(ctx: DalalContext, command: string): Promise<boolean> {
  if (args(ctx).length === 0) return true;
  await ctx.reply(`/${esc(command)} takes no argument.\nUsage: <code>${esc(usageOf(command))}</code>`, HTML);
  return false;
}

export function registerControlHandlers(bot: Bot<DalalContext>, deps: ControlDeps): void {
  const { desk, mode, confirmations } = deps;

  const switches = [
    { command: "pause", name: "paused", on: true, admin: false, done: "New entries are paused; exits and stops go on. /resume to take entries again.", already: "Entries are already paused." },
    { command: "resume", name: "paused", on: false, admin: false, done: "New entries are taken again.", already: "Entries were not paused." },
    { command: "halt", name: "halted", on: true, admin: true, done: "Trading is HALTED: no new orders. Stops, /exit and /flatten still work. /unhalt to lift it.", already: "Trading is already halted." },
    { command: "unhalt", name: "halted", on: false, admin: true, done: "The halt is lifted; orders go through again.", already: "Trading was not halted." },
  ] as const;
  for (const s of switches) {
    bot.command(s.command, async (ctx) => {
      if (s.admin && !(await adminOnly(ctx, s.command))) return;
      if (!(await noArgs(ctx, s.command))) return;
      const changed = await desk.setSwitch(s.name, s.on, ctx.who.actor);
      await ctx.reply(`${modeTag(mode)} · ${esc(changed ? s.done : s.already)}`, HTML);
    });
  }

  bot.command("reload", async (ctx) => {
    if (!(await adminOnly(ctx, "reload"))) return;
    if (!(await noArgs(ctx, "reload"))) return;
    const report = await desk.reconcile(`/reload by ${ctx.who.actor}`);
    if (!report) {
      await ctx.reply(`${modeTag(mode)} · The paper broker runs inside Dalal: its books are ours, there is nothing to reconcile.`, HTML);
      return;
    }
    await ctx.reply(reconcileText(report), HTML);
  });

  bot.command("flatten", async (ctx) => {
    if (!(await adminOnly(ctx, "flatten"))) return;
    if (!(await noArgs(ctx, "flatten"))) return;
    const open = await desk.repo.openPositions();
    const working = await desk.repo.ordersByStatus(["submitted", "partially_filled"]);
    if (open.length === 0 && working.length === 0) return void (await ctx.reply("Nothing to flatten: no open positions and no working orders."));
    const list = open.map((p) => `${esc(p.symbol)} ${p.side} × ${p.qty}`).join(", ");
    const keyboard = confirmations.ask(
      {
        chatId: ctx.who.chatId,
        adminOnly: true,
        stepsLeft: 2,
        again: `Really flatten? ${open.length} position${open.length === 1 ? "" : "s"} will be sold or bought back at market now.`,
        run: async (actor) => {
          const r = await desk.flatten(actor);
          const lines = r.exits.map((e) => `${esc(e.symbol)} × ${e.qty}: exit order ${esc(e.clientOrderId)} ${esc(e.status)}`);
          return `${modeTag(mode)} · <b>Flattened</b> by ${esc(actor)}: ${r.cancelled} working order${r.cancelled === 1 ? "" : "s"} cancelled, ${r.exits.length} position${r.exits.length === 1 ? "" : "s"} exited at market.${lines.length ? "\n" + lines.join("\n") : ""}`;
        },
      },
      "Flatten everything",
    );
    await ctx.reply(
      `${modeTag(mode)} · ⚠️ <b>Flatten</b>: cancel ${working.length} working order${working.length === 1 ? "" : "s"} (stops included) and exit ${open.length} position${open.length === 1 ? "" : "s"} at market${list ? `: ${list}` : ""}.\nStep 1 of 2.`,
      { ...HTML, reply_markup: keyboard },
    );
  });

  bot.command("exit", async (ctx) => {
    const [what, extra] = args(ctx);
    if (!what || extra) return void (await ctx.reply(`Which position? Give a symbol or a position id (see /positions).\nUsage: <code>${esc(usageOf("exit"))}</code>`, HTML));
    const open = await desk.repo.openPositions();
    const matches = /^\d+$/.test(what) ? open.filter((p) => p.id === Number(what)) : open.filter((p) => p.symbol === what.toUpperCase());
    if (matches.length === 0) {
      const held = [...new Set(open.map((p) => p.symbol))];
      return void (await ctx.reply(`No open position in ${esc(what)}.${held.length ? ` Open: ${esc(held.join(", "))}.` : " Nothing is open."}`, HTML));
    }
    if (matches.length > 1) {
      const ids = matches.map((p) => `${p.id} (${esc(p.strategy)}${p.unit !== null ? ` unit ${p.unit}` : ""}, × ${p.qty})`).join(", ");
      return void (await ctx.reply(`${esc(what)} has ${matches.length} open positions: ${ids}. Say which: /exit ID.`, HTML));
    }
    const p = matches[0]!;
    const ltp = desk.lastPrice(p.symbol);
    const keyboard = confirmations.ask(
      {
        chatId: ctx.who.chatId,
        adminOnly: false,
        stepsLeft: 1,
        run: async (actor) => {
          const r = await desk.exitNow(p.id, actor);
          return r.ok ? `${modeTag(mode)} · exit order for <b>${esc(p.symbol)}</b> × ${p.qty} placed by ${esc(actor)} (${esc(r.order.status)}).` : esc(r.message);
        },
      },
      `Exit ${p.symbol} now`,
    );
    await ctx.reply(
      `${modeTag(mode)} · Exit <b>${esc(p.symbol)}</b> ${p.side} × ${p.qty} (${esc(p.strategy)}) at market${ltp !== undefined ? `, last ${rs(ltp)}` : ""}?`,
      { ...HTML, reply_markup: keyboard },
    );
  });

  bot.command("breaker", async (ctx) => {
    const [what, extra] = args(ctx);
    if (what === undefined) return void (await ctx.reply(`${modeTag(mode)} · ${esc(desk.controls.describeBreaker())}`, HTML));
    if (what !== "trip" || extra) return void (await ctx.reply(`Unknown argument "${esc([what, extra].filter(Boolean).join(" "))}".\nUsage: <code>${esc(usageOf("breaker"))}</code>`, HTML));
    if (!(await adminOnly(ctx, "breaker trip"))) return;
    const changed = await desk.setBreaker(true, ctx.who.actor);
    await ctx.reply(changed ? `${modeTag(mode)} · Circuit breaker tripped: no new entries until /reset_breaker.` : "The circuit breaker is already tripped.", HTML);
  });

  bot.command("reset_breaker", async (ctx) => {
    if (!(await adminOnly(ctx, "reset_breaker"))) return;
    if (!(await noArgs(ctx, "reset_breaker"))) return;
    if (!desk.controls.breaker?.tripped) return void (await ctx.reply(`${modeTag(mode)} · The circuit breaker is not tripped; nothing to reset.\n${esc(desk.controls.describeBreaker())}`, HTML));
    const keyboard = confirmations.ask(
      {
        chatId: ctx.who.chatId,
        adminOnly: true,
        stepsLeft: 1,
        run: async (actor) =>
          (await desk.setBreaker(false, actor))
            ? `${modeTag(mode)} · Circuit breaker reset by ${esc(actor)}; entries are taken again.\n${esc(desk.controls.describeBreaker())}`
            : "The circuit breaker was no longer tripped; nothing to reset.",
      },
      "Reset the breaker",
    );
    await ctx.reply(`${modeTag(mode)} · ${esc(desk.controls.describeBreaker())}\nReset it and take new entries again?`, { ...HTML, reply_markup: keyboard });
  });

  bot.callbackQuery(/^[cn]:/, async (ctx) => {
    const parsed = parseConfirm(ctx.callbackQuery.data);
    const pending = parsed ? confirmations.peek(parsed.nonce) : null;
    if (!parsed || !pending) {
      await ctx.answerCallbackQuery({ text: "This confirmation has lapsed; nothing was done. Ask again.", show_alert: true });
      return;
    }
    if (pending.chatId !== ctx.who.chatId || (pending.adminOnly && !ctx.who.admin)) {
      await ctx.answerCallbackQuery({ text: "Not yours to confirm; nothing was done.", show_alert: true });
      return;
    }
    const action = confirmations.take(parsed.nonce);
    if (!action) {
      await ctx.answerCallbackQuery({ text: "This confirmation has lapsed; nothing was done. Ask again.", show_alert: true });
      return;
    }
    if (!parsed.confirm) {
      await ctx.answerCallbackQuery({ text: "Cancelled." });
      await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => {});
      await ctx.reply(`Cancelled by ${esc(ctx.who.actor)}; nothing was done.`, HTML);
      return;
    }
    if (action.stepsLeft > 1) {
      const keyboard = confirmations.next(action, "Yes, flatten now");
      await ctx.answerCallbackQuery({ text: "One more confirmation." });
      await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => {});
      await ctx.reply(`${esc(action.again ?? "Confirm again.")}\nStep 2 of 2.`, { ...HTML, reply_markup: keyboard });
      return;
    }
    await ctx.answerCallbackQuery({ text: "Done." });
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => {});
    await ctx.reply(await action.run(ctx.who.actor), HTML);
  });
}
