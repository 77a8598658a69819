/**
 * Reads a request body up to a cap. Past the cap nothing more is kept (the
 * rest is read and dropped so the answer can still be sent); a client that
 * goes away mid-body is reported, never thrown.
 */
import type { IncomingMessage } from "node:http";

export type BodyResult = { kind: "body"; bytes: Buffer } | { kind: "too-large"; declared: boolean } | { kind: "aborted"; reason: string };

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    // An 'error' without a listener would throw out of the server: there is always one.
    req.on("error", (err) => settle({ kind: "aborted", reason: err.message }));
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      return settle({ kind: "too-large", declared: true });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        settle({ kind: "too-large", declared: false });
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => settle({ kind: "body", bytes: Buffer.concat(chunks, size) }));
    req.on("close", () => settle({ kind: "aborted", reason: "the client closed the connection before its body arrived" }));
  });
}
