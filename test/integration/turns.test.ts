// Message mode end to end on the real Queue consumer: inbound SMS → turn → one outbound SMS → status callbacks.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { scriptFake } from "../helpers/fake-openai";
import { outbound, settledTurns } from "../helpers/turns";
import { fakeState, heldSend, injectFault, messageSid, pair, releaseHeld, seedChannel, sms, statusCallback } from "../helpers/twilio";
import { expectRuntimeLog } from "../helpers/runtime-logs";

const OWNER = "+15557770001";

async function connected(model?: string) {
  const seeded = await seedChannel();
  if (model) await env.DB.prepare("UPDATE agents SET model = ? WHERE id = ?").bind(model, seeded.agent.id).run();
  await pair(seeded.channel, seeded.account.token, OWNER);
  return seeded;
}

const posts = async (sid: string) => (await fakeState(sid)).requests.filter((r) => r.method === "POST" && r.path === "Messages.json");

describe("a turn", () => {
  it("answers with exactly one SMS whose body folds the tool step's text", async () => {
    const { channel, account } = await connected();
    await sms(channel, account.token, OWNER, "hello there");
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "completed", sender: OWNER, steps: 2, tool_calls: ["current_time"], error: null });

    const sent = await posts(account.sid);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form).toMatchObject({ To: OWNER, From: "+15550001111", StatusCallback: `https://textgate.example/webhooks/twilio/sms/${channel.id}/status` });
    expect(sent[0]!.form.Body).toMatch(/^Let me check the time\.\n\nEcho: hello there \(it is \d{4}-\d\d-\d\dT[\d:.]+Z\)$/);

    const [reply] = await outbound(channel.id);
    expect(reply).toMatchObject({ direction: "outbound", to: OWNER, body: sent[0]!.form.Body, status: "queued", encoding: "GSM-7", segments: 1, turn_id: turn.id });
    expect(reply.twilio_sid).toMatch(/^SM/);
  });

  it("sends one SMS for concurrent duplicate webhooks", async () => {
    const { channel, account } = await connected();
    const sid = messageSid();
    await Promise.all(Array.from({ length: 5 }, () => sms(channel, account.token, OWNER, "only once", sid)));
    await settledTurns(channel.id);
    expect(await posts(account.sid)).toHaveLength(1);
  });

  it("sends no second SMS when Twilio accepted it but the answer was lost and the Queue redelivers", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", after: true });
    await sms(channel, account.token, OWNER, "are you there?");
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");
    expect(turn.attempts).toBeGreaterThan(1);
    const state = await fakeState(account.sid);
    expect(state.messages).toHaveLength(1);
    expect((await outbound(channel.id))[0]).toMatchObject({ twilio_sid: state.messages[0]!.sid });
  });

  it("retries Twilio 5xx and sends once it recovers", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", status: 503, code: 20503, times: 4 });
    await sms(channel, account.token, OWNER, "ping");
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");
    expect((await fakeState(account.sid)).messages).toHaveLength(1);
  });

  it("records a terminal Twilio error (21610 opted out at Twilio) without retrying", async () => {
    const { channel, account } = await connected();
    await injectFault(account.sid, { match: "Messages.json", method: "POST", status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient" });
    await sms(channel, account.token, OWNER, "ping");
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "failed", attempts: 1, error: expect.stringContaining("21610") });
    expect((await outbound(channel.id))[0]).toMatchObject({ status: "failed", error_code: "21610", twilio_sid: null });
    expect(await posts(account.sid)).toHaveLength(1);
  });
});

describe("status callbacks", () => {
  const orders = [
    ["sent", "delivered"],
    ["delivered", "sent"],
    ["sent", "failed"],
    ["failed", "sent"],
    ["sent", "delivered", "delivered"],
    ["undelivered", "delivered", "sent"],
  ];
  it.each(orders)("%s → %s … ends in the highest-ranked state", async (...events) => {
    const { channel, account } = await connected();
    await sms(channel, account.token, OWNER, "hi");
    await settledTurns(channel.id);
    const [reply] = await outbound(channel.id);
    for (const e of events) {
      const res = await statusCallback(channel, account.token, reply.twilio_sid, e, e === "failed" || e === "undelivered" ? "30003" : undefined);
      expect(res.status).toBe(200);
    }
    const final = events.find((e) => e === "failed" || e === "undelivered") ?? "delivered";
    const [after] = await outbound(channel.id);
    expect(after.status).toBe(final);
    if (final !== "delivered") expect(after.error_code).toBe("30003");
  });

  it("keeps a callback that arrives before the SID is known, and applies it when the send learns the SID", async () => {
    const { channel, account } = await connected();
    // Twilio has the message but its answer (with the SID) is held: the callback names a SID the app does not know.
    await injectFault(account.sid, { match: "Messages.json", method: "POST", hold: true });
    await sms(channel, account.token, OWNER, "ping");
    const sid = await heldSend(account.sid, OWNER);
    expect((await statusCallback(channel, account.token, sid, "delivered")).status).toBe(200);
    expect((await outbound(channel.id)).map((m) => m.twilio_sid)).not.toContain(sid);
    await releaseHeld(account.sid);
    const [turn] = await settledTurns(channel.id);
    expect(turn.status).toBe("completed");
    expect((await outbound(channel.id))[0]).toMatchObject({ twilio_sid: sid, status: "delivered" });
  });
});

describe("opt-out keywords", () => {
  it("STOP is recorded, runs no turn, and later replies are refused before Twilio; START lifts it", async () => {
    const { channel, account } = await connected();
    await sms(channel, account.token, OWNER, "STOP");
    const msgs = await json<any[]>(api("GET", `/api/channels/${channel.id}/messages`));
    expect(msgs[0]).toMatchObject({ body: "STOP", status: "keyword", meta: { keyword: "STOP", kind: "opt_out" } });
    expect(await json<any[]>(api("GET", `/api/channels/${channel.id}/turns`))).toEqual([]);

    await sms(channel, account.token, OWNER, "are you still there?");
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "failed", error: "recipient_opted_out" });
    expect(await posts(account.sid)).toHaveLength(0);

    await sms(channel, account.token, OWNER, "start");
    await sms(channel, account.token, OWNER, "back again");
    const all = await settledTurns(channel.id, 2);
    expect(all[1]).toMatchObject({ status: "completed" });
    expect(await posts(account.sid)).toHaveLength(1);
  });
});

describe("agent failures", () => {
  it("retries a failing model and then answers", async () => {
    const { channel, account } = await connected("openai:gpt-test");
    const script = await scriptFake([{ error: { status: 500 }, times: 2 }, { text: "All good **now**." }]);
    await sms(channel, account.token, OWNER, `status? ${script.marker}`);
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "completed", attempts: 3 });
    expect((await posts(account.sid))[0]!.form.Body).toBe("All good now.");
  });

  it("fails the turn at once on a non-retryable model error, recording why", async () => {
    const { channel, account } = await connected("openai:gpt-test");
    const script = await scriptFake([{ error: { status: 400, message: "bad request from model" } }]);
    await sms(channel, account.token, OWNER, `hi ${script.marker}`);
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "failed", attempts: 1, error: expect.stringContaining("agent error") });
    expect(await posts(account.sid)).toHaveLength(0);
  });

  it("sends a turn that exhausts its retries to the dead-letter queue and shows it failed", async () => {
    const { channel, account } = await connected("openai:gpt-test");
    const script = await scriptFake([{ error: { status: 503 }, times: "always" }]);
    await sms(channel, account.token, OWNER, `hi ${script.marker}`);
    const [turn] = await settledTurns(channel.id, 1, 30_000);
    expect(turn).toMatchObject({ status: "failed", error: expect.stringContaining("gave up after") });
    expect(turn.error).toContain("agent error");
    expect(await posts(account.sid)).toHaveLength(0);
  }, 30_000);

  // Workers AI is remote-only: locally (npm start, and here) its binding is a stub that refuses every call.
  it("reports an agent whose model's binding cannot run locally, and sends nothing", async () => {
    const { channel, account } = await connected("workers-ai:@cf/meta/llama-3.1-8b-instruct");
    // The stub logs its refusal itself, as an uncaught exception in its own worker.
    await expectRuntimeLog("workers_ai_stub");
    await sms(channel, account.token, OWNER, "hi");
    const [turn] = await settledTurns(channel.id);
    expect(turn).toMatchObject({ status: "failed", error: expect.stringContaining("Binding AI needs to be run remotely") });
    expect(await posts(account.sid)).toHaveLength(0);
  });
});

describe("conversation order", () => {
  it("runs two quick messages from one sender in order, the second seeing the first reply", async () => {
    const { channel, account } = await connected("openai:gpt-test");
    const first = await scriptFake([{ text: "first reply", delay_ms: 400 }]);
    const second = await scriptFake([{ text: "second reply" }]);
    await sms(channel, account.token, OWNER, `one ${first.marker}`);
    await sms(channel, account.token, OWNER, `two ${second.marker}`);
    await settledTurns(channel.id, 2);
    expect((await posts(account.sid)).map((p) => p.form.Body)).toEqual(["first reply", "second reply"]);
    const [req] = await second.requests();
    const contents = req!.messages.map((m) => `${m.role}:${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}`);
    expect(contents).toEqual(expect.arrayContaining([`user:one ${first.marker}`, "assistant:first reply"]));
    expect(contents.indexOf("assistant:first reply")).toBeLessThan(contents.findIndex((c) => c.includes(second.marker)));
  });
});
