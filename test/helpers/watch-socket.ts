// A signal watch's WebSocket as a client opens it: every frame it got (each checked against the documented
// WatchPush), and ways to wait for the next ones.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { BASE, call } from "./api";
import { documentedFrame } from "./contract";

export async function watchSocket(id: string, query = "") {
  const url = `${BASE}/api/signals/watches/${id}/ws${query}`;
  const res = await call(new Request(url, { headers: { upgrade: "websocket", authorization: `Bearer ${env.ADMIN_TOKEN}` } }));
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const got: any[] = [];
  const wake: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    got.push(documentedFrame("GET", url, e.data));
    wake.splice(0).forEach((f) => f());
  });
  ws.accept();
  /** The first frame (so far or to come) that fits. */
  const next = async (pred: (m: any) => boolean) => {
    for (;;) {
      const m = got.find(pred);
      if (m) return m;
      await new Promise<void>((r) => wake.push(r));
    }
  };
  /** The first `n` frames, once there are that many. */
  const until = async (n: number) => {
    while (got.length < n) await new Promise<void>((r) => wake.push(r));
    return got.slice(0, n);
  };
  return { ws, got, next, until };
}
