/**
 * Notification levels: parsing /notify's arguments, the defaults, keeping them in
 * the real settings table (PGlite), and which kind each desk alert text is.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaultLevels,
  kindOfAlert,
  levelsFrom,
  NOTIFY_KINDS,
  NotifyLevels,
  parseNotifyArgs,
  settingKey,
} from "../../../src/bot/notify-levels.js";
import { levelsText } from "../../../src/bot/notify-handlers.js";
import { migrateDatabase, openDatabase, type Database } from "../../../src/db/connection.js";
import { Repo } from "../../../src/db/repo.js";
import { parseTelegramHtml } from "../../stand-ins/telegram/server.js";

describe("/notify's arguments", () => {
  it("nothing: show this chat's levels", () => {
    expect(parseNotifyArgs([])).toEqual({ show: true });
  });

  it("a kind and a level, in any case; or all", () => {
    expect(parseNotifyArgs(["fill", "silent"])).toEqual({ show: false, kind: "fill", level: "silent" });
    expect(parseNotifyArgs(["Closed", "OFF"])).toEqual({ show: false, kind: "closed", level: "off" });
    expect(parseNotifyArgs(["all", "on"])).toEqual({ show: false, kind: "all", level: "on" });
  });

  it("a bad kind names every valid kind", () => {
    const r = parseNotifyArgs(["nonsense", "on"]);
    expect(r).toEqual({
      error: 'Unknown kind "nonsense". Kinds: signal, order, fill, rejected, stop, partial, closed, breaker, alert, rollover, divergence, digest, error, or all.',
    });
  });

  it("a bad or missing level names the three levels; extra words are refused", () => {
    expect(parseNotifyArgs(["fill", "loud"])).toEqual({ error: 'Unknown level "loud". Levels: on, silent or off.' });
    expect(parseNotifyArgs(["fill"])).toEqual({ error: "Give a level for fill: on, silent or off." });
    expect(parseNotifyArgs(["fill", "on", "please"])).toEqual({ error: 'Only a kind and a level, please; "please" is extra.' });
  });
});

describe("defaults and stored values", () => {
  it("every one of the 13 kinds starts on", () => {
    expect(NOTIFY_KINDS).toHaveLength(13);
    expect(Object.values(defaultLevels())).toEqual(Array(13).fill("on"));
  });

  it("a stored value is read onto the defaults; unknown kinds and bad levels are ignored", () => {
    const l = levelsFrom({ fill: "silent", order: "off", bogus: "off", stop: "loud" });
    expect(l.fill).toBe("silent");
    expect(l.order).toBe("off");
    expect(l.stop).toBe("on");
    expect("bogus" in l).toBe(false);
    expect(levelsFrom(null)).toEqual(defaultLevels());
    expect(levelsFrom(["fill"])).toEqual(defaultLevels());
  });

  it("the /notify list shows each kind with its level, as valid HTML", () => {
    const l = { ...defaultLevels(), fill: "silent" as const, order: "off" as const };
    const text = levelsText(l);
    const visible = parseTelegramHtml(text, { strict: true });
    expect(visible.ok).toBe(true);
    const shown = (visible as { text: string }).text;
    expect(shown).toMatch(/^fill\s+silent · fills and partial fills$/m);
    expect(shown).toMatch(/^order\s+off · orders placed$/m);
    expect(shown).toMatch(/^closed\s+on · exits and closed positions with net P&L$/m);
    expect(shown.split("\n").filter((l) => /^\w+\s+(on|silent|off) · /.test(l))).toHaveLength(13);
  });
});

describe("levels kept in the settings table", () => {
  let database: Database;
  let repo: Repo;

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    repo = new Repo(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("a chat never set has every kind on", async () => {
    expect(await new NotifyLevels(repo).of(555)).toEqual(defaultLevels());
  });

  it("a level set for one chat is read back by another instance, and no other chat changes", async () => {
    const at = new Date("2025-03-03T04:00:00Z");
    await new NotifyLevels(repo, () => at).set(1001, "fill", "silent", "@trader");
    await new NotifyLevels(repo, () => at).set(1001, "order", "off", "@trader");
    const fresh = new NotifyLevels(repo);
    expect(await fresh.levelOf(1001, "fill")).toBe("silent");
    expect(await fresh.levelOf(1001, "order")).toBe("off");
    expect(await fresh.levelOf(1001, "closed")).toBe("on");
    expect(await fresh.levelOf(1002, "fill")).toBe("on");
    // Only what differs from the default is stored.
    expect(await repo.getSetting(settingKey(1001))).toEqual({ fill: "silent", order: "off" });
  });

  it("back to on removes the entry; all sets every kind", async () => {
    const l = new NotifyLevels(repo);
    await l.set(1001, "fill", "on");
    expect(await repo.getSetting(settingKey(1001))).toEqual({ order: "off" });
    await l.set(1003, "all", "silent");
    expect(Object.values(await l.of(1003))).toEqual(Array(13).fill("silent"));
    await l.set(1003, "all", "on");
    expect(await repo.getSetting(settingKey(1003))).toEqual({});
  });
});

describe("the kind of a desk alert", () => {
  it("maps the desk's own texts by their opening words", () => {
    expect(kindOfAlert("info", "Stop moved · INFY × 40: trail to ₹1,480.00")).toBe("stop");
    expect(kindOfAlert("info", "Partial exit · INFY: book half at 2R")).toBe("partial");
    expect(kindOfAlert("warn", "Exit · INFY × 40: close below the 20-day low")).toBe("closed");
    expect(kindOfAlert("warn", "⛔ Daily-loss circuit breaker TRIPPED: loss ₹31,000 is 3.1% of ₹10,00,000. No new entries")).toBe("breaker");
    expect(kindOfAlert("warn", "⛔ Circuit breaker tripped by hand by @boss: no new entries; exits go on.")).toBe("breaker");
    expect(kindOfAlert("warn", "Circuit breaker reset by @boss: entries are taken again.")).toBe("breaker");
    expect(kindOfAlert("warn", "Trading HALTED: no new orders; exits and stops go on. (@boss)")).toBe("breaker");
    expect(kindOfAlert("warn", "New entries paused; exits go on. (@boss)")).toBe("breaker");
    expect(kindOfAlert("info", "Rollover · NIFTY futures to the March expiry")).toBe("rollover");
    expect(kindOfAlert("info", "Divergence · broker holds 40 INFY, the desk 30")).toBe("divergence");
    expect(kindOfAlert("info", "Daily digest · 3 trades, net +₹1,200")).toBe("digest");
  });

  it("maps the synthetic desk's rollover and divergence alerts, with or without the emoji's variation selector", () => {
    const rolled = "🔄 Rolled BANKNIFTY unit 0 (225) from 2021-10-28 to 2021-11-25: cost ₹45,048.65 (spread ₹44,403.75, charges ₹644.90), kept apart from trading P&L.";
    expect(kindOfAlert("info", rolled)).toBe("rollover");
    expect(kindOfAlert("warn", "⚠️ Rollover of BANKNIFTY unit 1 is late")).toBe("rollover");
    expect(kindOfAlert("warn", "\u26A0 Rollover of BANKNIFTY unit 1 is late")).toBe("rollover");
    const divergence = "⚠️ Divergence: theoretical and actual BANKNIFTY tracks of banknifty-trend differ by 5.58% of capital (over 5%). /divergence shows both tracks.";
    expect(kindOfAlert("warn", divergence)).toBe("divergence");
    expect(kindOfAlert("warn", "\u26A0 Divergence: tracks differ")).toBe("divergence");
    // Near misses stay alerts: a warning about something else, or "rolled" without the rollover's mark.
    expect(kindOfAlert("warn", "⚠️ Caution · INFY down 3%")).toBe("alert");
    expect(kindOfAlert("info", "Rolled back the stop of INFY")).toBe("alert");
  });

  it("keeps a rollover that stopped half-way an error, for the admin chat", () => {
    const stopped =
      "⚠️ Rollover of BANKNIFTY unit 0 stopped: the sell of BANKNIFTY25NOV2139700PE was refused: margin. Held now: long 225 BANKNIFTY25NOV2139700CE. Nothing else is sent for this unit; check the broker and use /rollover again.";
    expect(kindOfAlert("error", stopped)).toBe("error");
  });

  it("level error is always the error kind; anything unrecognised is an alert", () => {
    expect(kindOfAlert("error", "Stop moved · this text does not matter")).toBe("error");
    expect(kindOfAlert("error", "Order x-1 (buy 10 INFY) was rejected: margin")).toBe("error");
    expect(kindOfAlert("info", "INFY (turtle): near its 55-day high")).toBe("alert");
    expect(kindOfAlert("info", "Exited nothing")).toBe("alert");
  });

  it("the prefixes mapped are still the ones the desk writes", () => {
    // When the desk rewords an alert, this fails before the chat's levels silently stop applying.
    // The desk and its position manager write the alert texts.
    const desk = ["desk.ts", "position-manager.ts"].map((f) => readFileSync(new URL(`../../../src/engine/${f}`, import.meta.url), "utf8")).join("\n");
    for (const prefix of ["`Stop moved ·", "`Partial exit ·", "`Exit ·", "`⛔ Daily-loss circuit breaker", "`⛔ Circuit breaker", "`Circuit breaker reset", '"Trading HALTED', '"New entries paused']) {
      expect(desk, prefix).toContain(prefix);
    }
    const fno = readFileSync(new URL("../../../src/engine/fno/rollover.ts", import.meta.url), "utf8");
    for (const prefix of ["`🔄 Rolled ", "`⚠️ Rollover of "]) expect(fno, prefix).toContain(prefix);
    expect(desk).toContain("`⚠️ Divergence: ");
  });
});
