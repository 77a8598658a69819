/**
 * The load of the webhook burst benchmark, in its own thread so that sending
 * does not compete with the server's event loop: posts each body at its
 * planned moment (the offered rate), over keep-alive connections, and reports
 * every answer's status, body and time.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";

export interface ClientJob {
  url: string;
  bodies: string[];
  perSecond: number;
}

export interface ClientReport {
  /** Per body, in send order. */
  status: number[];
  answers: string[];
  answerMs: number[];
  /** From the first send to the last send, and to the last answer. */
  sendingMs: number;
  totalMs: number;
}

const { url, bodies, perSecond } = workerData as ClientJob;
const agent = new Agent({ keepAlive: true, maxSockets: 2_000 });
const target = new URL(url);
const report: ClientReport = { status: [], answers: [], answerMs: [], sendingMs: 0, totalMs: 0 };

function post(i: number): Promise<void> {
  const body = bodies[i]!;
  const sent = performance.now();
  return new Promise((resolve) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          report.status[i] = res.statusCode ?? 0;
          report.answers[i] = text;
          report.answerMs[i] = performance.now() - sent;
          resolve();
        });
      },
    );
    req.on("error", (err) => {
      report.status[i] = 0;
      report.answers[i] = err.message;
      report.answerMs[i] = performance.now() - sent;
      resolve();
    });
    req.end(body);
  });
}

const start = performance.now();
const pending: Array<Promise<void>> = [];
let next = 0;
// Each body goes at start + i / rate; a late timer sends what is due at once, so the offered rate holds on average.
await new Promise<void>((resolve) => {
  const tick = () => {
    const due = Math.min(bodies.length, Math.floor(((performance.now() - start) / 1000) * perSecond) + 1);
    while (next < due) pending.push(post(next++));
    if (next < bodies.length) setTimeout(tick, 1);
    else resolve();
  };
  tick();
});
report.sendingMs = performance.now() - start;
await Promise.all(pending);
report.totalMs = performance.now() - start;
agent.destroy();
parentPort!.postMessage(report);
