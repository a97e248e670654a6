// One WebSocket waiter on a signal watch: connected once the object says "waiting", then keeps every "matched"
// push it gets (exactly one is right) and when the first arrived.
import type { SignalView } from "../../src/signals/types.ts";

export interface Waiter {
  ws: WebSocket;
  /** performance.now() when the first match arrived. */
  matched: Promise<number>;
  signals: SignalView[];
}

export function connectWaiter(url: string, token: string): Promise<Waiter> {
  // Node's WebSocket (undici) takes request headers in its second argument; the DOM typings don't know that.
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } } as unknown as string[]);
  const signals: SignalView[] = [];
  let onMatch!: (at: number) => void;
  const matched = new Promise<number>((r) => (onMatch = r));
  return new Promise((resolve, reject) => {
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as { status: string; signal?: SignalView };
      if (m.status === "waiting") resolve({ ws, matched, signals });
      else if (m.status === "matched" && m.signal) {
        if (!signals.length) onMatch(performance.now());
        signals.push(m.signal);
      }
    };
    ws.onerror = (e) => reject(new Error(`${url}: ${(e as ErrorEvent).message ?? "socket error"}`));
    ws.onclose = (e) => reject(new Error(`${url}: closed ${e.code} ${e.reason}`));
  });
}
