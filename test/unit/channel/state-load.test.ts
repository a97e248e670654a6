// A cold channel object loads its channel once for every request that arrives meanwhile, and publishes the row and
// its paired addresses together: a request never sees the channel without its paired set (which would treat the
// paired owner's first texts as "not_paired"). The interleaving is made certain with a gate on D1.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LocalStore } from "../../../src/channel/local-store";
import { ChannelState } from "../../../src/channel/state";
import { createDb } from "../../../src/db/client";
import { pair, seedChannel } from "../../helpers/twilio";

const OWNER = "+15557770001";

/** D1 whose queries matching `pattern` wait for `open()`; `entered` resolves when the first such query starts. */
function gatedD1(pattern: RegExp) {
  let open!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (entered = r));
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args), sql);
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (!["all", "raw", "first", "run"].includes(String(prop)) || !pattern.test(sql)) return value.bind(target);
        return async (...args: unknown[]) => {
          entered();
          await gate;
          return value.apply(target, args);
        };
      },
    });
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { d1, open: () => open(), entered: reached };
}

describe("ChannelState.load on a cold object", () => {
  it("gives a request that arrives mid-load the paired set along with the row", async () => {
    const { channel, account } = await seedChannel();
    await pair(channel, account.token, OWNER);
    const object = env.CHANNEL.get(env.CHANNEL.idFromName(`state-load-${channel.id}`));
    const seen = await runInDurableObject(object, async (_o, ctx) => {
      const gated = gatedD1(/paired_addresses/);
      const local = new LocalStore(ctx.storage.sql);
      const state = new ChannelState(env, createDb(gated.d1), local);
      const first = state.load(channel.id);
      await gated.entered; // the row may be in; the paired set is not
      const second = state.load(channel.id).then((row) => ({ row: row?.id, paired: state.paired.has(OWNER) }));
      gated.open();
      const [, late] = await Promise.all([first, second]);
      return { late, pairedAfter: state.paired.has(OWNER) };
    });
    expect(seen).toEqual({ late: { row: channel.id, paired: true }, pairedAfter: true });
  });

  it("shares one load between concurrent callers, and loads again after a failure", async () => {
    const { channel } = await seedChannel();
    const object = env.CHANNEL.get(env.CHANNEL.idFromName(`state-load-2-${channel.id}`));
    const result = await runInDurableObject(object, async (_o, ctx) => {
      let queries = 0;
      let failNext = true;
      const d1 = new Proxy(env.DB, {
        get(target, prop) {
          if (prop === "prepare")
            return (sql: string) => {
              if (/from "channels"/i.test(sql)) {
                queries++;
                if (failNext) {
                  failNext = false;
                  throw new Error("D1 went away");
                }
              }
              return target.prepare(sql);
            };
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const state = new ChannelState(env, createDb(d1), new LocalStore(ctx.storage.sql));
      const failed = await Promise.allSettled([state.load(channel.id), state.load(channel.id)]);
      const rows = await Promise.all([state.load(channel.id), state.load(channel.id), state.load(channel.id)]);
      return { failed: failed.map((f) => f.status), rows: rows.map((r) => r?.id), queries };
    });
    expect(result).toEqual({ failed: ["rejected", "rejected"], rows: [channel.id, channel.id, channel.id], queries: 2 });
  });
});
