// The object's one alarm over many schedules, run inside a real Durable Object's SQLite with a fixed clock.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Schedule } from "../../../src/channel/schedule";

const T = Date.UTC(2030, 0, 1);
let n = 0;
const stub = () => env.CHANNEL.get(env.CHANNEL.idFromName(`schedule-test-${++n}-${Math.random()}`));

/** A Schedule over the object's own storage (its table created by the object already; migrate is idempotent). */
function over(state: DurableObjectState) {
  const s = new Schedule(state.storage);
  s.migrate();
  return s;
}

describe("Schedule", () => {
  it("keeps the earliest time per (kind, key) and points the alarm at the earliest row", async () => {
    await runInDurableObject(stub(), async (_o, state) => {
      const s = over(state);
      await s.schedule("a", "1", T + 5000);
      await s.schedule("a", "1", T + 9000);
      await s.schedule("b", "1", T + 3000);
      expect(s.when("a", "1")).toBe(T + 5000);
      expect(await state.storage.getAlarm()).toBe(T + 3000);
      await s.cancel("b", "1");
      expect(await state.storage.getAlarm()).toBe(T + 5000);
      await s.cancel("a", "1");
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("runs due rows only, deletes finished ones, re-schedules the rest and re-arms", async () => {
    await runInDurableObject(stub(), async (_o, state) => {
      const s = over(state);
      const ran: string[] = [];
      s.on("done", (key) => (ran.push(`done:${key}`), null));
      s.on("again", (key, _p, now) => (ran.push(`again:${key}`), now + 60_000));
      await s.schedule("done", "x", T);
      await s.schedule("again", "y", T + 1000);
      await s.schedule("done", "later", T + 3600_000);
      await s.run(T + 1000);
      expect(ran).toEqual(["done:x", "again:y"]);
      expect(s.when("done", "x")).toBeNull();
      expect(s.when("again", "y")).toBe(T + 61_000);
      expect(await state.storage.getAlarm()).toBe(T + 61_000);
    });
  });

  it("retries a throwing handler with growing backoff, without blocking the other rows", async () => {
    await runInDurableObject(stub(), async (_o, state) => {
      const s = over(state);
      let fails = 2;
      const ran: string[] = [];
      s.on("flaky", () => {
        if (fails-- > 0) throw new Error("boom");
        ran.push("flaky");
        return null;
      });
      s.on("fine", () => (ran.push("fine"), null));
      await s.schedule("flaky", "k", T);
      await s.schedule("fine", "k", T);
      await s.run(T);
      expect(ran).toEqual(["fine"]);
      const first = s.when("flaky", "k")!;
      expect(first).toBeGreaterThan(T);
      await s.run(first);
      const second = s.when("flaky", "k")!;
      expect(second - first).toBeGreaterThan(first - T);
      await s.run(second);
      expect(ran).toEqual(["fine", "flaky"]);
      expect(s.when("flaky", "k")).toBeNull();
    });
  });

  it("keeps a time asked for while the row's handler runs", async () => {
    await runInDurableObject(stub(), async (_o, state) => {
      const s = over(state);
      s.on("k", async (key) => {
        await s.schedule("k", key, T + 500);
        return null;
      });
      await s.schedule("k", "1", T);
      await s.run(T);
      expect(s.when("k", "1")).toBe(T + 500);
      expect(await state.storage.getAlarm()).toBe(T + 500);
    });
  });
});
