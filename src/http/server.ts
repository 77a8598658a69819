import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpDeps {
  ready(): boolean;
}

/** /health now; the webhook intake and /metrics join later. Binds to HTTP_HOST (127.0.0.1 by default). */
export async function startHttpServer(host: string, port: number, deps: HttpDeps): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/health") {
      if (req.method !== "GET" && req.method !== "HEAD") return send(405, { error: "use GET /health" });
      return deps.ready() ? send(200, { status: "ok" }) : send(503, { status: "starting" });
    }
    send(404, { error: `no route ${req.method} ${path}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
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
