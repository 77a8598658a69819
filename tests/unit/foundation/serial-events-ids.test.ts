import { describe, expect, it, vi } from "vitest";
import { EventBus } from "../../../src/engine/events.js";
import { clientOrderId } from "../../../src/engine/ids.js";
import { Serial } from "../../../src/engine/serial.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Serial", () => {
  it("runs jobs one at a time in arrival order, even when earlier ones are slower", async () => {
    const s = new Serial();
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string, ms: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([s.run(job("a", 20)), s.run(job("b", 1)), s.run(job("c", 5))]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(maxRunning).toBe(1);
  });

  it("a failing job rejects to its caller and does not block the next", async () => {
    const s = new Serial();
    const log: string[] = [];
    const bad = s.run(async () => {
      log.push("bad");
      throw new Error("boom");
    });
    const good = s.run(async () => {
      log.push("good");
      return 42;
    });
    await expect(bad).rejects.toThrow("boom");
    await expect(good).resolves.toBe(42);
    expect(log).toEqual(["bad", "good"]);
  });

  it("a job that throws synchronously is handled the same way", async () => {
    const s = new Serial();
    const bad = s.run((() => {
      throw new Error("sync boom");
    }) as () => Promise<void>);
    const good = s.run(async () => "ok");
    await expect(bad).rejects.toThrow("sync boom");
    await expect(good).resolves.toBe("ok");
  });

  it("the next job does not start before the previous one has finished", async () => {
    const s = new Serial();
    let firstDone = false;
    void s.run(async () => {
      await sleep(10);
      firstDone = true;
    });
    const seen = await s.run(async () => firstDone);
    expect(seen).toBe(true);
  });

  it("idle resolves after everything queued so far, including failures", async () => {
    const s = new Serial();
    const log: string[] = [];
    void s.run(async () => {
      await sleep(10);
      log.push("1");
    });
    s.run(async () => {
      log.push("2");
      throw new Error("x");
    }).catch(() => undefined);
    void s.run(async () => {
      await sleep(5);
      log.push("3");
    });
    await s.idle();
    expect(log).toEqual(["1", "2", "3"]);
  });
});

describe("EventBus", () => {
  it("delivers payloads to every listener of the event only", () => {
    const bus = new EventBus();
    const a = vi.fn();
    const b = vi.fn();
    const other = vi.fn();
    bus.on("alert", a);
    bus.on("alert", b);
    bus.on("replay.day", other);
    bus.emit("alert", { level: "info", text: "hi" });
    expect(a).toHaveBeenCalledWith({ level: "info", text: "hi" });
    expect(b).toHaveBeenCalledTimes(1);
    expect(other).not.toHaveBeenCalled();
  });

  it("reports a throwing listener through the error callback; the others still run", () => {
    const errors: Array<[string, unknown]> = [];
    const bus = new EventBus((event, err) => errors.push([event, err]));
    const before = vi.fn();
    const after = vi.fn();
    const boom = new Error("listener broke");
    bus.on("alert", before);
    bus.on("alert", () => {
      throw boom;
    });
    bus.on("alert", after);
    expect(() => bus.emit("alert", { level: "warn", text: "x" })).not.toThrow();
    expect(before).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenCalledTimes(1);
    expect(errors).toEqual([["alert", boom]]);
  });

  it("reports a rejecting async listener too", async () => {
    const errors: Array<[string, unknown]> = [];
    const bus = new EventBus((event, err) => errors.push([event, err]));
    const after = vi.fn();
    bus.on("replay.finished", async () => {
      await sleep(1);
      throw new Error("async broke");
    });
    bus.on("replay.finished", after);
    bus.emit("replay.finished", { date: null });
    expect(after).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]![0]).toBe("replay.finished");
    expect((errors[0]![1] as Error).message).toBe("async broke");
  });

  it("the returned function unsubscribes", () => {
    const bus = new EventBus();
    const h = vi.fn();
    const off = bus.on("alert", h);
    bus.emit("alert", { level: "info", text: "1" });
    off();
    bus.emit("alert", { level: "info", text: "2" });
    expect(h).toHaveBeenCalledTimes(1);
  });

  it("emitting with no listeners is harmless, and a bus without an error callback swallows errors", () => {
    const bus = new EventBus();
    expect(() => bus.emit("alert", { level: "info", text: "nobody" })).not.toThrow();
    bus.on("alert", () => {
      throw new Error("x");
    });
    expect(() => bus.emit("alert", { level: "info", text: "x" })).not.toThrow();
  });
});

describe("clientOrderId", () => {
  it("is deterministic", () => {
    expect(clientOrderId(12, "exit", "sma-cross-abcdefgh")).toBe(clientOrderId(12, "exit", "sma-cross-abcdefgh"));
  });

  it("is 16 characters from an unambiguous alphabet, starting with D (fits a 20-character tag)", () => {
    for (let i = 0; i < 200; i++) {
      const id = clientOrderId("entry", `sig-${i}`);
      expect(id).toHaveLength(16);
      expect(id.length).toBeLessThanOrEqual(20);
      expect(id).toMatch(/^D[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{15}$/);
    }
  });

  it("differs when any part differs, and part boundaries matter", () => {
    const ids = new Set([
      clientOrderId(12, "exit", "s1"),
      clientOrderId(13, "exit", "s1"),
      clientOrderId(12, "stop", "s1"),
      clientOrderId(12, "exit", "s2"),
      clientOrderId("ab", "c"),
      clientOrderId("a", "bc"),
      clientOrderId("abc"),
    ]);
    expect(ids.size).toBe(7);
  });

  it("gives no collisions over many different inputs", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(clientOrderId(i, "entry"));
    expect(ids.size).toBe(5000);
  });
});
