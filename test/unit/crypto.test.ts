import { describe, expect, it } from "vitest";
import { newId, seal, timingSafeEqual, unseal } from "../../src/lib/crypto";

describe("seal / unseal", () => {
  it("round-trips and never stores the plaintext", async () => {
    const sealed = await seal("k1", "super-secret-token", "ch_1");
    expect(sealed).not.toContain("super-secret-token");
    expect(sealed.startsWith("v1.")).toBe(true);
    expect(await unseal("k1", sealed, "ch_1")).toBe("super-secret-token");
  });

  it("uses a fresh IV each time", async () => {
    expect(await seal("k1", "t", "c")).not.toBe(await seal("k1", "t", "c"));
  });

  it("refuses another key or another channel's context", async () => {
    const sealed = await seal("k1", "token", "ch_1");
    await expect(unseal("k2", sealed, "ch_1")).rejects.toThrow();
    await expect(unseal("k1", sealed, "ch_2")).rejects.toThrow();
  });
});

describe("timingSafeEqual", () => {
  it("compares content and length", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
  });
});

describe("newId", () => {
  it("is prefixed and unique", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId("ch")));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^ch_[0-9a-z]{20}$/);
  });
});
