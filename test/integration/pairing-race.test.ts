// One pairing code pairs one phone, however the webhooks that carry it interleave in the channel object: phones
// texting the code at once, and a new code requested while a pairing is still writing to D1.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, json } from "../helpers/api";
import { seedChannel, sms } from "../helpers/twilio";

const PHONES = Array.from({ length: 8 }, (_, i) => `+1555777100${i}`);

async function messages(channelId: string) {
  return json<any[]>(api("GET", `/api/channels/${channelId}/messages`));
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Holds the channel object's D1 insert of a paired address until `release` resolves, and reports when it got there:
 * the pairing is then exactly between "the code was taken" and "the channel row says so".
 */
async function holdPairedInsert(channelId: string, opts: { failOnce?: boolean } = {}) {
  let failures = opts.failOnce ? 1 : 0;
  const reached = deferred();
  const release = deferred();
  const stub = env.CHANNEL.get(env.CHANNEL.idFromName(channelId));
  await runInDurableObject(stub, (object) => {
    const db = Reflect.get(object, "env").DB as D1Database;
    const prepare = db.prepare.bind(db);
    db.prepare = (query: string) => {
      const stmt = prepare(query);
      if (!/^insert into "paired_addresses"/i.test(query)) return stmt;
      const bind = stmt.bind.bind(stmt);
      stmt.bind = (...values: unknown[]) => {
        const bound = bind(...values);
        const run = bound.run.bind(bound);
        bound.run = async () => {
          reached.resolve();
          await release.promise;
          if (failures-- > 0) throw new Error("D1 went away");
          return run();
        };
        return bound;
      };
      return stmt;
    };
  });
  return { reached: reached.promise, release: release.resolve };
}

describe("pairing under concurrency", () => {
  it("pairs exactly one phone when eight text the same code at once", async () => {
    const { channel, account } = await seedChannel();
    const answers = await Promise.all(PHONES.map((phone) => sms(channel, account.token, phone, channel.pairing.code)));
    expect(answers.map((r) => r.status)).toEqual(PHONES.map(() => 200));
    const after = await json(api("GET", `/api/channels/${channel.id}`));
    expect(after.status).toBe("connected");
    expect(after.paired_addresses).toHaveLength(1);
    const winner = after.paired_addresses[0].address;
    const inbound = await messages(channel.id);
    expect(inbound.filter((m) => m.status === "pairing").map((m) => m.from)).toEqual([winner]);
    const losers = inbound.filter((m) => m.status !== "pairing");
    expect(losers).toHaveLength(7);
    for (const m of losers) expect(m).toMatchObject({ status: "dropped", drop_reason: "pairing_code_used" });
  });

  it("keeps a new code requested while a pairing is being written, and that code pairs one more phone", async () => {
    const { channel, account } = await seedChannel();
    const gate = await holdPairedInsert(channel.id);
    const pairing = sms(channel, account.token, PHONES[0]!, channel.pairing.code);
    await gate.reached;
    // The code is taken although the channel row still shows it: a second phone texting it now pairs nothing.
    expect((await sms(channel, account.token, PHONES[1]!, channel.pairing.code)).status).toBe(200);
    expect((await messages(channel.id))[0]).toMatchObject({ from: PHONES[1], status: "dropped", drop_reason: "pairing_code_used" });
    const fresh = await json(api("POST", `/api/channels/${channel.id}/pairing`));
    expect(fresh.code).not.toBe(channel.pairing.code);
    gate.release();
    expect((await pairing).status).toBe(200);

    const after = await json(api("GET", `/api/channels/${channel.id}`));
    expect(after).toMatchObject({ status: "connected", paired_addresses: [{ address: PHONES[0] }], pairing: { code: fresh.code } });
    await sms(channel, account.token, PHONES[2]!, fresh.code);
    const last = await json(api("GET", `/api/channels/${channel.id}`));
    expect(last.paired_addresses.map((p: any) => p.address).sort()).toEqual([PHONES[0], PHONES[2]].sort());
    expect(last.pairing).toBeNull();
  });

  it("lets the phone that took the code finish pairing when its webhook failed midway and Twilio retries it", async () => {
    const { channel, account } = await seedChannel();
    const gate = await holdPairedInsert(channel.id, { failOnce: true });
    const sid = `SM${"a".repeat(32)}`;
    // The failed write is logged by the object (not thrown across RPC), and the 500 by the app, as every 500 is.
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const first = sms(channel, account.token, PHONES[0]!, channel.pairing.code, sid);
    await gate.reached;
    gate.release();
    const refused = await first;
    const lines = logged.mock.calls.map((c) => String(c[0]));
    logged.mockRestore();
    expect(refused.status).toBe(500);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^inbound ${sid} on channel ${channel.id} stopped midway`)), expect.stringMatching(/^\[internal_error\]/)]);
    expect((await sms(channel, account.token, PHONES[0]!, channel.pairing.code, sid)).status).toBe(200);
    const after = await json(api("GET", `/api/channels/${channel.id}`));
    expect(after).toMatchObject({ status: "connected", pairing: null, paired_addresses: [{ address: PHONES[0] }] });
  });
});
