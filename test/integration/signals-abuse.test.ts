// The signals API attacked the way a misbehaving agent (or a careless admin) would: listing watches of channels
// that do not exist, hiding an agent's own watches behind other agents' ones, and watches whose channel was
// deleted, which must neither count against the limits nor stay out of reach.
import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json, seedAgent } from "../helpers/api";
import { freshStorageEachTest } from "../helpers/fresh";
import { seedChannel } from "../helpers/twilio";

freshStorageEachTest();

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const objects = async () => (await listDurableObjectIds(env.CHANNEL)).map(String).sort();

async function agentWithKey(handle: string) {
  const { agent } = await seedAgent(handle);
  const key = await json(api("POST", `/api/agents/${agent.id}/keys`, { name: "k" }));
  return { agent, key: key.key as string, keyId: key.id as string };
}

describe("listing watches by channel_id", () => {
  it.each([
    ["an id in the legacy format no channel has", "ch_abcdefghjkmnpqrstvwx"],
    ["an id whose MAC is wrong", `ch_${"a".repeat(32)}`],
    ["the signal hub's object name", "signals:any"],
  ])("404s %s for an agent key and the admin, without creating a Durable Object", async (_what, id) => {
    const x = await agentWithKey("x");
    await seedChannel({ dispatch_mode: "signal" });
    const before = await objects();
    for (const headers of [bearer(x.key), {}]) {
      const res = await api("GET", `/api/signals/watches?channel_id=${encodeURIComponent(id)}`, undefined, headers);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    }
    expect(await objects()).toEqual(before);
  });
});
