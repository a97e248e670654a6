// The settings UI pings its channel-events socket every 25 s. The runtime answers those pings itself, so a
// hibernated channel object is not woken up for them.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, call } from "../helpers/api";
import { seedChannel } from "../helpers/twilio";

describe("WebSocket keep-alive", () => {
  it("answers ping with pong through the runtime's auto-response, not the object's handler", async () => {
    const { channel } = await seedChannel();
    const object = env.CHANNEL.get(env.CHANNEL.idFromName(channel.id));
    const auto = await runInDurableObject(object, (_o, state) => {
      const pair = state.getWebSocketAutoResponse();
      return pair ? { request: pair.request, response: pair.response } : null;
    });
    expect(auto).toEqual({ request: "ping", response: "pong" });

    const res = await call(new Request(`${BASE}/api/channels/${channel.id}/events`, { headers: { upgrade: "websocket", authorization: "Bearer test-admin-token" } }));
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const reply = new Promise<string>((resolve) => ws.addEventListener("message", (e) => resolve(String(e.data)), { once: true }));
    ws.send("ping");
    expect(await reply).toBe("pong");
    ws.close();
  });
});
