// GET /api/media/:id: the admin (token or UI session) and agent keys of the item's channel's agent get the bytes;
// another agent's key gets the 404 a made-up id gets; no credentials get 401. What is served cannot run script.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createDb } from "../../src/db/client";
import { startSession } from "../../src/ui/session";
import { api, BASE, call, json } from "../helpers/api";
import { mms, pair, PNG_B64, seedChannel } from "../helpers/twilio";

const OWNER = "+15557770152";

const get = (path: string, headers: Record<string, string> = {}) => call(new Request(`${BASE}${path}`, { headers }));
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const keyFor = async (agentId: string) => (await json(api("POST", `/api/agents/${agentId}/keys`, {}))).key as string;

/** A channel whose owner texted a picture and a file of a refused type; waits until both are settled. */
async function withMedia() {
  const seeded = await seedChannel();
  await pair(seeded.channel, seeded.account.token, OWNER);
  await mms(seeded.channel, seeded.account.token, OWNER, "pic", [
    { content_type: "image/png", data_b64: PNG_B64 },
    { content_type: "application/x-msdownload", size: 10 },
  ]);
  const media = await vi.waitFor(
    async () => {
      const m = (await json<any[]>(api("GET", `/api/channels/${seeded.channel.id}/messages`))).find((x) => x.body === "pic");
      if (!m || m.media.some((x: any) => x.status === "pending")) throw new Error("not settled");
      return m.media as any[];
    },
    { timeout: 10_000, interval: 50 },
  );
  return { ...seeded, picture: media[0], refused: media[1] };
}

describe("GET /api/media/:id", () => {
  // One channel for every test here: they only read.
  let seeded: Awaited<ReturnType<typeof withMedia>>;
  beforeAll(async () => {
    seeded = await withMedia();
  }, 20_000);

  it("serves the bytes to the admin token, with headers that keep a browser from running them", async () => {
    const { picture } = seeded;
    const res = await get(picture.url, bearer(env.ADMIN_TOKEN));
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(Uint8Array.from(atob(PNG_B64), (c) => c.charCodeAt(0)));
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toMatch(/^sandbox;/);
    expect(res.headers.get("cache-control")).toMatch(/^private/);
  });

  it("serves an agent key of the channel's agent, and 404s another agent's key as it would a made-up id", async () => {
    const { picture, agent, space } = seeded;
    expect((await get(picture.url, bearer(await keyFor(agent.id)))).status).toBe(200);
    const other = await json(api("POST", "/api/agents", { name: "Other", space_id: space.id }));
    const res = await get(picture.url, bearer(await keyFor(other.id)));
    expect(res.status).toBe(404);
    const unknown = await get("/api/media/med_nothing", bearer(env.ADMIN_TOKEN));
    expect(unknown.status).toBe(404);
    expect(await res.json()).toEqual(await unknown.json());
  });

  it("refuses a request without credentials (401), or with a wrong key or a stale session", async () => {
    const { picture } = seeded;
    expect((await get(picture.url)).status).toBe(401);
    expect((await get(picture.url, bearer("tgk_" + "x".repeat(43)))).status).toBe(401);
    expect((await get(picture.url, { cookie: "textgate_session=1.abcdefghijklmnop.xyz" })).status).toBe(401);
  });

  it("serves the settings UI's session (the messages list shows thumbnails through it)", async () => {
    const { picture } = seeded;
    const session = await startSession(createDb(env.DB), env.ADMIN_TOKEN);
    const res = await get(picture.url, { cookie: `textgate_session=${session.value}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
  });

  it("says why an item has no bytes: 409 with its status and reason", async () => {
    const { refused } = seeded;
    const res = await get(refused.url, bearer(env.ADMIN_TOKEN));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "media_not_stored", details: { status: "refused_type", reason: expect.stringContaining("application/x-msdownload") } } });
  });
});
