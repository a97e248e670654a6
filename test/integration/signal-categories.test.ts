// Signal categories on the real stack: the annotation stored with the message, the signal a watch gets (from its
// channel and through the hub), the channel page, and signals stored before categories existed.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { SESSION_COOKIE, startSession } from "../../src/ui/session";
import { BASE, api, json } from "../helpers/api";
import { seedChannel, sms } from "../helpers/twilio";
import { freshStorageEachTest } from "../helpers/fresh";

freshStorageEachTest();

const UPS = "UPS";
const DELIVERY = "UPS: Your package is out for delivery today. Total due: $12.00";

describe("signal categories", () => {
  it("are stored with the message, given with the watch's signal and shown on the channel page", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    await sms(channel, account.token, UPS, DELIVERY);
    const [m] = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    expect(m.meta.annotation.categories).toEqual(["delivery", "payment"]);

    const w = await json(api("POST", "/api/signals/watches", { agent_id: agent.id, channel_id: channel.id, contains: "package", timeout_s: 60 }));
    expect(w).toMatchObject({ status: "matched", signal: { categories: ["delivery", "payment"], message_id: m.id } });

    const session = await startSession(createDb(env.DB), env.ADMIN_TOKEN);
    const page = await exports.default.fetch(new Request(`${BASE}/settings/channels/${channel.id}/parts/messages`, { headers: { cookie: `${SESSION_COOKIE}=${session.value}` } }));
    // The watch took it through its lookback, after the message was recorded: the record says so.
    expect(await page.text()).toContain(`No code found; delivery, payment; taken by signal watch ${w.id}.`);
  });

  it("reach a watch on any signal-mode channel through the hub's lookback", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    await sms(channel, account.token, UPS, DELIVERY);
    const w = await json(api("POST", "/api/signals/watches", { agent_id: agent.id, contains: "package", timeout_s: 60 }));
    expect(w).toMatchObject({ status: "matched", signal: { categories: ["delivery", "payment"], channel_id: channel.id } });
  });

  it("are found again for a signal stored before categories existed", async () => {
    const { channel, account, agent } = await seedChannel({ dispatch_mode: "signal" });
    await sms(channel, account.token, UPS, DELIVERY);
    // As an object running the previous version stored it: no categories in the signal's JSON.
    await runInDurableObject(env.CHANNEL.get(env.CHANNEL.idFromName(channel.id)), (_o, state) => {
      const { json: stored } = state.storage.sql.exec<{ json: string }>(`SELECT json FROM signals`).one();
      const { categories: _dropped, ...old } = JSON.parse(stored);
      state.storage.sql.exec(`UPDATE signals SET json = ?`, JSON.stringify(old));
    });
    const w = await json(api("POST", "/api/signals/watches", { agent_id: agent.id, channel_id: channel.id, contains: "package", timeout_s: 60 }));
    expect(w).toMatchObject({ status: "matched", signal: { categories: ["delivery", "payment"] } });
  });
});
