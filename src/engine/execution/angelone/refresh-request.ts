/**
 * The generateTokens call, sent by us rather than by the library: its
 * generateToken() reads `response.data.jwtToken` in a `.then` nobody catches,
 * so an HTTP error answer (`{status: 500, message}`, no data) throws there,
 * unhandled, and Node exits. Same request, same headers; the answer is given
 * back in the library's shapes so one interpreter reads both.
 */
import { networkInterfaces } from "node:os";

export const GENERATE_TOKENS_PATH = "/rest/auth/angelbroking/jwt/v1/generateTokens";

/** The library's own fallbacks when it cannot read the machine's address. */
const FALLBACK_IP = "192.168.168.168";
const FALLBACK_MAC = "fe80::216e:6507:4b90:3719";

function localAddress(): { ip: string; mac: string } {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === "IPv4" && !a.internal) return { ip: a.address, mac: a.mac };
    }
  }
  return { ip: FALLBACK_IP, mac: FALLBACK_MAC };
}

export interface RefreshRequest {
  root: string;
  apiKey: string;
  jwt: string | null;
  refreshToken: string;
  timeoutMs: number;
}

/** Resolves to the parsed body, `{status, message}` for an HTTP error, or `{}` when nothing usable came back; never rejects. */
export async function postGenerateTokens(req: RefreshRequest): Promise<unknown> {
  const { ip, mac } = localAddress();
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/json",
    "X-UserType": "USER",
    "X-SourceID": "WEB",
    "X-PrivateKey": req.apiKey,
    "X-ClientLocalIP": ip,
    // The library's public-IP lookup never finishes before its headers are set: it sends "null" too.
    "X-ClientPublicIP": "null",
    "X-MACAddress": mac,
  };
  if (req.jwt) headers.Authorization = `Bearer ${req.jwt}`;
  try {
    const res = await fetch(req.root.replace(/\/+$/, "") + GENERATE_TOKENS_PATH, {
      method: "POST",
      headers,
      body: JSON.stringify({ refreshToken: req.refreshToken }),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return { status: res.status, message: res.statusText };
    }
    const body = (await res.json()) as unknown;
    return body ?? {};
  } catch {
    return {};
  }
}
