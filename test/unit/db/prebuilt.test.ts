import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { prebuilt } from "../../../src/db/prebuilt";
import { channels, messages } from "../../../src/db/schema";

const db = drizzle({} as D1Database);

describe("prebuilt statements", () => {
  it("binds named values in the order the SQL wants them, keeping literal parameters", () => {
    const q = prebuilt(
      db
        .insert(messages)
        .values({ id: sql.placeholder("id"), channelId: sql.placeholder("channel"), direction: "inbound", from: sql.placeholder("from"), to: "+15550001111", body: sql.placeholder("body"), status: "received", createdAt: sql.placeholder("at"), updatedAt: sql.placeholder("at") }),
    );
    expect(q.sql).toMatch(/^insert into "messages"/);
    expect(q.bind({ id: "msg_1", channel: "ch_1", from: "+15557770001", body: "hi", at: 42 })).toEqual(["msg_1", "ch_1", "inbound", "+15557770001", "+15550001111", "hi", "received", 42, 42]);
  });

  it("passes null through and refuses a missing value rather than binding undefined", () => {
    const q = prebuilt(db.update(channels).set({ errorCode: sql`${sql.placeholder("code")}` }).where(sql`id = ${sql.placeholder("id")}`));
    expect(q.bind({ code: null, id: "ch_1" })).toEqual([null, "ch_1"]);
    expect(() => q.bind({ id: "ch_1" })).toThrow("no value for code");
  });
});
