// A watch's result that reaches a conversation's channel object while that channel is being deleted writes nothing
// (the removal fence, src/channel/removal.ts): no step recorded, no 'watch' message in D1, no continuation turn.
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ResumeDelivery } from "../../src/channel/resume-outbox";
import { objectOf, sqlIn } from "../helpers/objects";
import { pair, seedChannel } from "../helpers/twilio";

const OWNER = "+15557770001";

describe("a conversation's channel being deleted", () => {
  it("takes no watch result once its removal has begun", async () => {
    const { channel, account, agent } = await seedChannel();
    await pair(channel, account.token, OWNER);
    // The deletion has begun (its fence row written) and the object restarted before deleteAll() ran.
    await sqlIn(channel.id, `INSERT INTO removal (channel_id, removed_at) VALUES (?, ?)`, channel.id, Date.now());
    await abortAllDurableObjects();
    const signal = { code: "482913", codes: ["482913"], links: [], categories: [], body: "Your code is 482913", from: "+15550009999", channel_id: "ch_x", received_at: new Date().toISOString(), message_id: "msg_x", media: [] };
    const delivery: ResumeDelivery = {
      watchId: "wt_fence",
      agentId: agent.id,
      sender: OWNER,
      steps: [{ seq: 1, settlement: { watch_id: "wt_fence", title: null, mode: "once", status: "matched", seq: 1, signal, ended: true } }],
    };
    const answer = await runInDurableObject(objectOf(channel.id), (o) => o.resumeConversation(channel.id, delivery));
    expect(answer).toEqual({ status: "gone", reason: "the channel was deleted" });
    expect(await sqlIn(channel.id, `SELECT watch_id FROM resumptions`)).toEqual([]);
    expect((await env.DB.prepare(`SELECT count(*) AS n FROM messages WHERE direction = 'watch' AND channel_id = ?`).bind(channel.id).first<number>("n"))).toBe(0);
    expect((await env.DB.prepare(`SELECT count(*) AS n FROM turns WHERE channel_id = ?`).bind(channel.id).first<number>("n"))).toBe(0);
  });
});
