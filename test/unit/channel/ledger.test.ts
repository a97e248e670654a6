// The ledger and the reply sender over a real Durable Object's SQLite, with an in-memory Twilio that fails on
// cue and a fixed clock. "Crash at any await": a hook throws at a named step, then a FRESH ledger over the same
// storage (what an eviction leaves) continues; Twilio must end up with exactly one message for the turn.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Ledger, type OutboxRow } from "../../../src/channel/ledger";
import { CLOCK_SKEW_MS, deliverReply, type DeliverOutcome, type DeliverStep, type ReplyDeps } from "../../../src/channel/replies";
import { FakeMessages, type SendFault } from "../../helpers/fake-messages";

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
const TO = "+15557770003";
const FROM = "+15550001111";
const STEPS: DeliverStep[] = ["recorded", "checked", "listed", "attempting", "answered", "settled"];

class Crash extends Error {}

/** Runs `fn` with the SQL storage of a fresh, otherwise unused channel object. */
async function withStorage(fn: (sql: SqlStorage) => Promise<void>) {
  const stub = env.CHANNEL.get(env.CHANNEL.idFromName(`ledger-${crypto.randomUUID()}`));
  await runInDurableObject(stub, async (_o, state) => fn(state.storage.sql));
}

const SERVICE = `MG${"5".repeat(32)}`;
const POOL = "+15550002222";

function harness(sql: SqlStorage, opts: { skewMs?: number } = {}) {
  let now = T0;
  const twilio = new FakeMessages(() => now + (opts.skewMs ?? 0), { [SERVICE]: [POOL] });
  const copies: OutboxRow[] = [];
  /** SIDs another channel of the account holds (its replies through a shared Messaging Service). */
  const elsewhere = new Set<string>();
  const deps = (crashAt?: DeliverStep): ReplyDeps => {
    // A fresh Ledger per call: nothing survives in memory between attempts, as after an eviction.
    const ledger = new Ledger(sql);
    ledger.migrate();
    return {
      ledger,
      twilio: async () => twilio,
      copy: async (row) => void copies.push(row),
      optedOut: async () => false,
      heldElsewhere: async (sids) => new Set(sids.filter((sid) => elsewhere.has(sid))),
      now: () => now,
      statusCallbackUrl: "https://textgate.example/status",
      settleMs: 15_000,
      fence: () => {},
      step: (name) => {
        if (name === crashAt) throw new Crash(`crash at ${name}`);
      },
    };
  };
  const intent = (turnId = "turn_1", body = "OK", serviceSid: string | null = null) => ({ id: `msg_${turnId}`, turnId, to: TO, from: FROM, serviceSid, body });
  /** Delivers until settled, each attempt on a fresh ledger, the clock moving on as the Queue's backoff would. */
  async function settle(turnId = "turn_1", body = "OK", max = 8, serviceSid: string | null = null): Promise<DeliverOutcome> {
    for (let i = 0; i < max; i++) {
      const out = await deliverReply(deps(), intent(turnId, body, serviceSid));
      if (out.status !== "retry") return out;
      now += out.delaySeconds * 1000;
    }
    throw new Error("never settled");
  }
  return { twilio, deps, intent, settle, copies, elsewhere, tick: (ms: number) => (now += ms), ledger: () => new Ledger(sql) };
}

describe("one accepted message per turn, whatever fails between the attempt and its record", () => {
  const faults: SendFault[] = ["ok", "timeout_then_late_accept", "accept_then_504", "accept_then_reset", "accept_then_timeout", "accept_then_429", "503", "429", "reset", "timeout"];
  for (const fault of faults) {
    for (const step of STEPS) {
      it(`${fault}, crash at ${step}`, async () => {
        await withStorage(async (sql) => {
          const h = harness(sql);
          h.twilio.sendFaults = [fault];
          await deliverReply(h.deps(step), h.intent()).catch((e) => {
            if (!(e instanceof Crash)) throw e;
          });
          h.tick(5_000);
          const out = await h.settle();
          expect(h.twilio.accepted).toHaveLength(1);
          expect(out).toEqual({ status: "sent", messageId: "msg_turn_1", sid: h.twilio.accepted[0]!.sid });
          expect(h.ledger().forTurn("turn_1")).toMatchObject({ state: "sent", sid: h.twilio.accepted[0]!.sid });
          expect(h.copies.at(-1)).toMatchObject({ state: "sent", sid: h.twilio.accepted[0]!.sid });
        });
      });
    }
  }

  it("an MMS: every attempt sends the media recorded with the body, whatever a later call brings", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["503", "reset"];
      const media = ["https://textgate.example/m/med_a.1.x", "https://textgate.example/m/med_b.1.y"];
      await deliverReply(h.deps(), { ...h.intent(), mediaUrls: media });
      h.tick(5_000);
      await deliverReply(h.deps(), { ...h.intent("turn_1", "another body"), mediaUrls: ["https://elsewhere.example/z"] });
      h.tick(30_000);
      expect(await h.settle()).toMatchObject({ status: "sent" });
      expect(h.twilio.sent.map((p) => [p.Body, p.MediaUrl])).toEqual([
        ["OK", media],
        ["OK", media],
        ["OK", media],
      ]);
      expect(h.twilio.accepted).toHaveLength(1);
    });
  });

  it("two ambiguous attempts in a row still end in one message", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["503", "reset", "accept_then_504"];
      const out = await h.settle();
      expect(out.status).toBe("sent");
      expect(h.twilio.accepted).toHaveLength(1);
      expect(h.twilio.sends).toBe(3);
    });
  });

  it("a redelivered job after the reply was sent sends nothing", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      await h.settle();
      const again = await deliverReply(h.deps(), h.intent("turn_1", "a different body the agent wrote the second time"));
      expect(again.status).toBe("sent");
      expect(h.twilio.sends).toBe(1);
    });
  });

  it("a definite 4xx refusal fails the reply without a resend", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["400"];
      expect(await h.settle()).toMatchObject({ status: "failed", reason: expect.stringContaining("21610") });
      expect(await deliverReply(h.deps(), h.intent())).toMatchObject({ status: "failed" });
      expect(h.twilio.sends).toBe(1);
    });
  });
});

describe("reconciliation", () => {
  it("after an unanswered attempt it waits for Twilio to finish before sending again, and adopts the late message", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["timeout_then_late_accept"];
      expect((await deliverReply(h.deps(), h.intent())).status).toBe("retry");
      h.tick(1000);
      expect(await deliverReply(h.deps(), h.intent())).toMatchObject({ status: "retry", reason: expect.stringContaining("waiting"), delaySeconds: 14 });
      expect(h.twilio.sends).toBe(1);
      h.tick(14_000);
      expect((await deliverReply(h.deps(), h.intent())).status).toBe("sent");
      expect(h.twilio.accepted).toHaveLength(1);
    });
  });

  it("an answered 5xx is checked and resent without waiting", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["503"];
      await deliverReply(h.deps(), h.intent());
      expect((await deliverReply(h.deps(), h.intent())).status).toBe("sent");
      expect(h.twilio.sends).toBe(2);
    });
  });

  it("never sends while the list is unavailable: it asks again later", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["accept_then_504"];
      h.twilio.listFaults = ["503", "timeout", "503"];
      expect((await deliverReply(h.deps(), h.intent())).status).toBe("retry");
      for (let i = 0; i < 3; i++) expect(await deliverReply(h.deps(), h.intent())).toMatchObject({ status: "retry", reason: expect.stringContaining("could not check") });
      expect(h.twilio.sends).toBe(1);
      expect((await deliverReply(h.deps(), h.intent())).status).toBe("sent");
      expect(h.twilio.accepted).toHaveLength(1);
    });
  });

  it("does not adopt an identical message from before the attempt began", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.seed({ to: TO, from: FROM, body: "OK", createdAt: T0 - CLOCK_SKEW_MS - 60_000 });
      h.twilio.sendFaults = ["reset"];
      const out = await h.settle();
      expect(h.twilio.accepted).toHaveLength(2);
      expect(out).toMatchObject({ status: "sent", sid: h.twilio.accepted[1]!.sid });
    });
  });

  it("adopts this attempt's message when Twilio's clock runs a minute behind", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql, { skewMs: -60_000 });
      h.twilio.sendFaults = ["accept_then_timeout"];
      const out = await h.settle();
      expect(h.twilio.accepted).toHaveLength(1);
      expect(out).toMatchObject({ status: "sent", sid: h.twilio.accepted[0]!.sid });
    });
  });

  it("does not adopt a message with another To, From or Body", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["reset"];
      await deliverReply(h.deps(), h.intent());
      h.twilio.seed({ to: TO, from: FROM, body: "OK!", createdAt: T0 + 1000 });
      h.twilio.seed({ to: "+15557779999", from: FROM, body: "OK", createdAt: T0 + 1000 });
      await h.settle();
      expect(h.twilio.accepted).toHaveLength(3);
    });
  });

  it("two turns with the same text to the same phone each keep their own message", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["accept_then_504", "accept_then_504"];
      await deliverReply(h.deps(), h.intent("turn_a"));
      h.tick(1000);
      await deliverReply(h.deps(), h.intent("turn_b"));
      h.tick(5000);
      // The later turn reconciles first: the window of each covers both messages.
      const b = await h.settle("turn_b");
      const a = await h.settle("turn_a");
      expect(h.twilio.accepted).toHaveLength(2);
      expect(a.status === "sent" && b.status === "sent" && a.sid !== b.sid).toBe(true);
    });
  });
});

describe("through a Messaging Service (Twilio picks the sender from its pool)", () => {
  for (const fault of ["accept_then_504", "accept_then_reset", "timeout_then_late_accept"] as SendFault[]) {
    it(`${fault}: reconciled by To and service, one message, its sender recorded`, async () => {
      await withStorage(async (sql) => {
        const h = harness(sql);
        h.twilio.sendFaults = [fault];
        const out = await h.settle("turn_1", "OK", 8, SERVICE);
        expect(h.twilio.accepted).toHaveLength(1);
        expect(h.twilio.accepted[0]).toMatchObject({ from: POOL, messaging_service_sid: SERVICE });
        expect(out).toEqual({ status: "sent", messageId: "msg_turn_1", sid: h.twilio.accepted[0]!.sid });
        expect(h.ledger().forTurn("turn_1")).toMatchObject({ state: "sent", from_addr: POOL, service_sid: SERVICE });
      });
    });
  }

  it("does not adopt the same text sent to the same phone outside the service", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["reset"];
      await deliverReply(h.deps(), h.intent("turn_1", "OK", SERVICE));
      h.twilio.seed({ to: TO, from: POOL, body: "OK", createdAt: T0 + 1000 });
      const out = await h.settle("turn_1", "OK", 8, SERVICE);
      expect(h.twilio.accepted).toHaveLength(2);
      expect(out).toMatchObject({ status: "sent", sid: h.twilio.accepted[1]!.sid });
    });
  });
});

describe("another channel's reply through the same Messaging Service", () => {
  it("is not adopted, even when it is the only listed match: this turn's reply is sent", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.twilio.sendFaults = ["reset"];
      await deliverReply(h.deps(), h.intent("turn_1", "OK", SERVICE));
      h.elsewhere.add(h.twilio.seed({ to: TO, from: POOL, body: "OK", createdAt: T0 + 1000, serviceSid: SERVICE }));
      const out = await h.settle("turn_1", "OK", 8, SERVICE);
      expect(h.twilio.accepted).toHaveLength(2);
      expect(out).toMatchObject({ status: "sent", sid: h.twilio.accepted[1]!.sid });
    });
  });

  it("is passed over for this attempt's own message when both are listed", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      h.elsewhere.add(h.twilio.seed({ to: TO, from: POOL, body: "OK", createdAt: T0 - 30_000, serviceSid: SERVICE }));
      h.twilio.sendFaults = ["accept_then_504"];
      const out = await h.settle("turn_1", "OK", 8, SERVICE);
      expect(h.twilio.accepted).toHaveLength(2);
      expect(out).toMatchObject({ status: "sent", sid: h.twilio.accepted[1]!.sid });
    });
  });
});

describe("the channel's Messaging Service changed (PATCH) while its reply is undecided", () => {
  for (const now of [null, `MG${"6".repeat(32)}`]) {
    it(`to ${now ?? "none"}: the reply is reconciled against the service it went through, not sent again`, async () => {
      await withStorage(async (sql) => {
        const h = harness(sql);
        h.twilio.sendFaults = ["accept_then_504"];
        expect((await deliverReply(h.deps(), h.intent("turn_1", "OK", SERVICE))).status).toBe("retry");
        const out = await h.settle("turn_1", "OK", 8, now);
        expect(h.twilio.accepted).toHaveLength(1);
        expect(out).toEqual({ status: "sent", messageId: "msg_turn_1", sid: h.twilio.accepted[0]!.sid });
      });
    });
  }
});

describe("status callbacks in the ledger", () => {
  it("a callback before the SID is known is held durably and applied when the send's answer records it", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      const ledger = h.ledger();
      ledger.migrate();
      const row = ledger.record(h.intent(), T0);
      ledger.startAttempt(row.id, T0);
      expect(ledger.applyStatus("SMearly", "delivered", null, T0)).toEqual({ status: "held" });
      expect(ledger.applyStatus("SMearly", "sent", null, T0)).toEqual({ status: "held" });
      // Evicted: a new ledger over the same storage learns the SID from the (late) answer.
      const fresh = h.ledger();
      expect(fresh.recordSid(row.id, "SMearly", "queued", T0)).toMatchObject({ state: "sent", sid: "SMearly", status: "delivered" });
    });
  });

  it("statuses only move up, in any order", async () => {
    await withStorage(async (sql) => {
      const h = harness(sql);
      const ledger = h.ledger();
      ledger.migrate();
      const row = ledger.record(h.intent(), T0);
      ledger.recordSid(row.id, "SMx", "queued", T0);
      for (const s of ["delivered", "sent", "sending", "queued", "delivered"]) ledger.applyStatus("SMx", s, null, T0);
      expect(ledger.forTurn("turn_1")).toMatchObject({ status: "delivered" });
      expect(ledger.applyStatus("SMx", "undelivered", "30003", T0)).toMatchObject({ status: "applied", changed: false });
      expect(ledger.forTurn("turn_1")).toMatchObject({ status: "delivered", error_code: null });
    });
  });
});
