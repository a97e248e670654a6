// The per-sender turn limit over a real Durable Object's SQLite with a fixed clock: a rolling hour, one place per
// MessageSid however often it comes, the count kept by a fresh instance over the same storage (a restart), swept.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SenderLimit, TURN_WINDOW_MS } from "../../../src/channel/sender-limit";

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
const A = "+15557770061";
const B = "+15557770062";

async function withStorage(fn: (sql: SqlStorage) => void) {
  const stub = env.CHANNEL.get(env.CHANNEL.idFromName(`limit-${crypto.randomUUID()}`));
  await runInDurableObject(stub, async (_o, state) => fn(state.storage.sql));
}

const fresh = (sql: SqlStorage) => {
  const l = new SenderLimit(sql);
  l.migrate();
  return l;
};

describe("SenderLimit", () => {
  it("admits `limit` turns per sender in a rolling hour, counts a MessageSid once, and keeps the count across instances", async () => {
    await withStorage((sql) => {
      const limit = fresh(sql);
      for (let i = 0; i < 3; i++) expect(limit.admit(`SM${i}`, A, T0 + i * 60_000, 3)).toEqual({ admitted: true });
      // The same messages again (redelivered, or redone after a crash): still admitted, and no new place taken.
      for (let i = 0; i < 3; i++) expect(limit.admit(`SM${i}`, A, T0 + 10 * 60_000, 3)).toEqual({ admitted: true });
      expect(limit.admit("SM3", A, T0 + 10 * 60_000, 3)).toEqual({ admitted: false, started: 3, limit: 3 });
      expect(limit.admit("SMb", B, T0 + 10 * 60_000, 3)).toEqual({ admitted: true });
      // A restart: a new instance over the same storage sees the same count.
      expect(fresh(sql).admit("SM4", A, T0 + 30 * 60_000, 3)).toMatchObject({ admitted: false });
      // The hour rolls: the first turn (T0) stops counting just after T0 + 1 h, the second a minute later.
      expect(fresh(sql).admit("SM5", A, T0 + TURN_WINDOW_MS, 3)).toMatchObject({ admitted: true });
      expect(fresh(sql).admit("SM6", A, T0 + TURN_WINDOW_MS + 30_000, 3)).toMatchObject({ admitted: false });
      expect(fresh(sql).admit("SM6", A, T0 + TURN_WINDOW_MS + 60_000, 3)).toMatchObject({ admitted: true });
    });
  });

  it("sweeps turns older than the hour and nothing newer", async () => {
    await withStorage((sql) => {
      const limit = fresh(sql);
      limit.admit("SMold", A, T0, 30);
      limit.admit("SMnew", A, T0 + 30 * 60_000, 30);
      limit.sweep(T0 + TURN_WINDOW_MS + 1);
      expect(sql.exec<{ sid: string }>(`SELECT sid FROM sender_turns`).toArray().map((r) => r.sid)).toEqual(["SMnew"]);
    });
  });
});
