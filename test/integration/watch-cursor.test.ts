// A continuous watch's cursor (?after=SEQ on the read, the long-poll and the WebSocket) is a plain decimal count:
// anything else is refused before the watch is read, rather than quietly read as some other number ("" as 0,
// "0x10" as 16, "1e1" as 10) and handing the client matches it did not ask for.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, api, call, json, refused } from "../helpers/api";
import { seedChannel, sms } from "../helpers/twilio";
import { watchSocket } from "../helpers/watch-socket";

const SHOP = "+15550001234";
const BAD = ["", "0x10", "1e1", " 2", "2 ", "+2", "-1", "1.5", "0b1", "Infinity", "1234567890123456"];

async function threeMatches() {
  const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
  const w = await json(api("POST", "/api/signals/watches", { agent_id: agent.id, channel_id: channel.id, mode: "continuous", contains: "parcel", timeout_s: 3600, lookback_s: 0 }));
  for (const n of [1, 2, 3]) await sms(channel, account.token, SHOP, `Parcel update ${n}`);
  return w.id as string;
}

const socketAt = (id: string, after: string) =>
  call(new Request(`${BASE}/api/signals/watches/${id}/ws?after=${encodeURIComponent(after)}`, { headers: { upgrade: "websocket", authorization: `Bearer ${env.ADMIN_TOKEN}` } }));

describe("a continuous watch's after= cursor", () => {
  it("is refused unless it is plain decimal digits, on the read and on the WebSocket", async () => {
    const id = await threeMatches();
    for (const after of BAD) {
      const error = await refused(api("GET", `/api/signals/watches/${id}?after=${encodeURIComponent(after)}`), 400, "validation_error", ["after"]);
      expect(error.message, after).toMatch(/after/);
      await refused(socketAt(id, after), 400, "validation_error", ["after"]);
    }
    await refused(api("GET", `/api/signals/watches/${id}?wait=1&after=0x10`), 400, "validation_error", ["after"]);
  });

  it("reads the matches after it when it is", async () => {
    const id = await threeMatches();
    const read = await json(api("GET", `/api/signals/watches/${id}?after=2`));
    expect(read.matches.map((m: any) => [m.seq, m.signal.body])).toEqual([[3, "Parcel update 3"]]);
    expect((await json(api("GET", `/api/signals/watches/${id}?after=002`))).matches.map((m: any) => m.seq)).toEqual([3]);
    const s = await watchSocket(id, "?after=2");
    expect((await s.until(1))[0]).toMatchObject({ id, status: "matched", seq: 3 });
    s.ws.close();
  });
});
