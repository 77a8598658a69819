/**
 * The smartapi-javascript traps, each shown live in a child process (so the
 * process-level effects are real) and shown contained by the adapter:
 * - the constructor's public-IP lookup, which offline rejects unhandled and
 *   kills Node with exit code 1;
 * - ./error.log, where the library writes the Bearer token of every failed call;
 * - a broker that closes leaves nothing running: the process exits by itself.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromIst } from "../../../src/engine/time/ist.js";
import { STANDIN_CREDENTIALS, startSmartApiStandIn, type SmartApiStandIn } from "../../stand-ins/smartapi/server.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const TSX = import.meta.resolve("tsx");
const module = (rel: string): string => new URL(`../../../src/engine/execution/angelone/${rel}`, import.meta.url).href;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module snippet (TypeScript imports allowed) in a fresh Node with `cwd`; gives up after `limitMs`. */
function runChild(code: string, cwd: string, limitMs = 30_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", TSX, "--input-type=module", "-e", code], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const guard = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("exit", (c) => {
      clearTimeout(guard);
      resolve({ code: c, stdout, stderr });
    });
  });
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) hits.push(...filesContaining(p, needle));
    else if (readFileSync(p).includes(needle)) hits.push(p);
  }
  return hits;
}

/**
 * Replaces public-ip's lookup before anything constructs a client: "offline"
 * rejects with public-ip's own error after 100 ms (instead of about 6 s), as a
 * lookup does with no internet; "online" answers an address.
 */
const lookup = (mode: "offline" | "online"): string => `
const { createRequire } = await import("node:module");
const requireRoot = createRequire(${JSON.stringify(join(ROOT, "package.json"))});
const publicIp = requireRoot("public-ip");
publicIp.v4 = () => new Promise((resolve, reject) => setTimeout(() => ${mode === "offline" ? `reject(new Error("Couldn't find your IP"))` : `resolve("127.0.0.1")`}, 100));
`;

let scratch: string;
let standIn: SmartApiStandIn;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "angelone-containment-"));
  standIn = await startSmartApiStandIn();
  standIn.market.now = fromIst("2025-11-21", "10:00");
});

afterAll(async () => {
  await standIn.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the public-IP lookup", () => {
  it("kills a process that constructs the library's client offline (the trap, shown)", async () => {
    const out = await runChild(
      `${lookup("offline")}
const { SmartAPI } = requireRoot("smartapi-javascript");
new SmartAPI({ api_key: "k", root: "http://127.0.0.1:9" });
setTimeout(() => console.log("alive"), 8500);`,
      mkdtempSync(join(scratch, "raw-")),
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("Couldn't find your IP");
    expect(out.stdout).not.toContain("alive");
  });

  it("does not touch a process that constructs the facade offline: alive past 8 s, exits 0 on its own", async () => {
    const out = await runChild(
      `${lookup("offline")}
const { SmartApiFacade } = await import(${JSON.stringify(module("smartapi-facade.ts"))});
new SmartApiFacade({ apiKey: "k", apiRoot: "http://127.0.0.1:9" });
setTimeout(() => console.log("alive after 8.5 s"), 8500);`,
      mkdtempSync(join(scratch, "facade-")),
    );
    expect(out.stderr).toBe("");
    expect(out.stdout).toContain("alive after 8.5 s");
    expect(out.code).toBe(0);
  });
});

describe("./error.log", () => {
  it("the library writes the session token there on a failed call (the trap, shown)", async () => {
    const cwd = mkdtempSync(join(scratch, "raw-log-"));
    const out = await runChild(
      `${lookup("online")}
const { SmartAPI } = requireRoot("smartapi-javascript");
const api = new SmartAPI({ api_key: "k", root: "http://127.0.0.1:9", timeout: 1000 });
api.setAccessToken("raw-token-0123456789");
await api.getProfile();
await new Promise((r) => setTimeout(r, 300));`,
      cwd,
    );
    expect(out.code).toBe(0);
    expect(readdirSync(cwd)).toContain("error.log");
    expect(filesContaining(cwd, "Bearer raw-token-0123456789")).toEqual([join(cwd, "error.log")]);
  });

  it("after failed calls through the broker, nothing is written to the working directory", async () => {
    const cwd = mkdtempSync(join(scratch, "broker-log-"));
    standIn.faults.next("getRMS", "5xx");
    standIn.faults.next("getOrderBook", "expiredToken");
    standIn.faults.next("getTradeBook", "drop");
    const c = STANDIN_CREDENTIALS;
    const out = await runChild(
      `const { AngelOneBroker } = await import(${JSON.stringify(module("angel-broker.ts"))});
const b = new AngelOneBroker({ apiKey: ${JSON.stringify(c.apiKey)}, clientCode: ${JSON.stringify(c.clientCode)}, pin: ${JSON.stringify(c.pin)},
  totpSecret: ${JSON.stringify(c.totpSecret)}, apiRoot: ${JSON.stringify(standIn.url)}, scripMasterUrl: ${JSON.stringify(standIn.scripMasterUrl)},
  timeoutMs: 1000, live: true, now: () => new Date(${standIn.market.now.getTime()}) });
await b.connect();
const failures = [];
for (const call of [() => b.funds(), () => b.orderBook(), () => b.tradeBook(), () => b.placeOrder({ clientOrderId: "X", symbol: "RELIANCE", side: "buy", qty: 1, type: "limit", price: 139000 })]) {
  await call().then(() => failures.push("ok"), (e) => failures.push(e.kind));
}
await new Promise((r) => setTimeout(r, 300));
console.log(JSON.stringify({ failures, jwt: b.session.jwt, feed: b.session.feedToken }));
await b.close();`,
      cwd,
    );
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const { failures, jwt, feed } = JSON.parse(out.stdout.trim().split("\n").at(-1)!) as { failures: string[]; jwt: string; feed: string };
    // A 5xx on a read; an expired token, renewed; a dropped read; an order.
    expect(failures).toEqual(["unavailable", "ok", "unavailable", "ok"]);
    expect(readdirSync(cwd)).toEqual([]);
    for (const secret of [jwt, feed, c.apiKey, c.totpSecret]) expect(filesContaining(cwd, secret)).toEqual([]);
  });
});

describe("closing", () => {
  it("a broker that connected, traded and closed leaves nothing running: the process exits by itself", async () => {
    const c = STANDIN_CREDENTIALS;
    standIn.market.tick("RELIANCE", 140_000);
    const out = await runChild(
      `const { AngelOneBroker } = await import(${JSON.stringify(module("angel-broker.ts"))});
const b = new AngelOneBroker({ apiKey: ${JSON.stringify(c.apiKey)}, clientCode: ${JSON.stringify(c.clientCode)}, pin: ${JSON.stringify(c.pin)},
  totpSecret: ${JSON.stringify(c.totpSecret)}, apiRoot: ${JSON.stringify(standIn.url)}, scripMasterUrl: ${JSON.stringify(standIn.scripMasterUrl)},
  timeoutMs: 1000, live: true, now: () => new Date(${standIn.market.now.getTime()}) });
await b.connect();
await b.quotes(["RELIANCE", "SBIN"]);
await b.placeOrder({ clientOrderId: "EXIT0001", symbol: "RELIANCE", side: "buy", qty: 1, type: "market" });
await b.pollFills();
await b.close();
console.log("closed");`,
      mkdtempSync(join(scratch, "exit-")),
      20_000,
    );
    expect(out.stderr).toBe("");
    expect(out.stdout.trim()).toBe("closed");
    expect(out.code).toBe(0);
  });
});
