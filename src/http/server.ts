import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HealthChecks, type HealthReport } from "./health.js";
import { WEBHOOK_PATH, type WebhookHandler } from "./webhook.js";

export interface HttpDeps {
  ready(): boolean;
  /** The checks behind /health; without them a ready desk answers a bare {"status":"ok"}. */
  health?: { run(): Promise<HealthReport> };
  /** /metrics; without it the route is 404. */
  metrics?: { metrics(): Promise<string>; readonly contentType: string };
  /** POST /webhook/tradingview (webhook.ts); without it the route is 404. */
  webhook?: WebhookHandler;
}

const ROUTES = ["/health", "/metrics"] as const;

/** /health, /metrics and the TradingView webhook. Binds to HTTP_HOST (127.0.0.1 by default). */
export async function startHttpServer(host: string, port: number, deps: HttpDeps): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? "/").split("?")[0];
    // The webhook answers every method itself (405 and the audit log included).
    if (path === WEBHOOK_PATH && deps.webhook) return deps.webhook(req, res);
    const route = ROUTES.find((r) => r === path && (r !== "/metrics" || deps.metrics));
    if (!route) return send(404, { error: `no route ${req.method} ${path}` });
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, { error: `use GET ${route}` }, { allow: "GET, HEAD" });

    if (route === "/health") {
      if (!deps.ready()) return send(503, { status: "starting" });
      if (!deps.health) return send(200, { status: "ok" });
      deps.health.run().then(
        (report) => send(HealthChecks.httpStatus(report), report),
        // The checks catch their own failures; this is a bug of ours, so no detail leaves.
        () => send(500, { status: "error", error: "the health checks failed to run" }),
      );
      return;
    }
    const metrics = deps.metrics!;
    metrics.metrics().then(
      (text) => {
        if (res.headersSent) return;
        res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" });
        res.end(text);
      },
      // Most likely the database: the scrape fails (the target shows down) rather than serve stale books.
      // No detail here (a driver's message may name hosts); /health has the masked reason.
      () => send(503, { error: "metrics unavailable: the books could not be read; see /health" }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A burst of webhooks through a proxy opens many connections at once: a deeper accept queue than Node's 511
    // keeps them from being dropped while the desk works (the kernel caps it at net.core.somaxconn).
    server.listen({ port, host, backlog: 4096 }, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

