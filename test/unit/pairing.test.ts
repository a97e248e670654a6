import { describe, expect, it } from "vitest";
import { MAX_WRONG_TRIES, PAIRING_ALPHABET, attemptPairing, newPairingCode } from "../../src/domain/pairing/pairing";

describe("pairing codes", () => {
  it("are 6 characters from the unambiguous alphabet and expire after 10 minutes", () => {
    for (let i = 0; i < 200; i++) {
      const c = newPairingCode(1_000);
      expect(c.code).toMatch(/^[A-Z2-9]{6}$/);
      for (const ch of c.code) expect(PAIRING_ALPHABET).toContain(ch);
      expect(c.code).not.toMatch(/[01OIL]/);
      expect(c.expiresAt).toBe(1_000 + 600_000);
    }
  });

  it("match the trimmed body case-insensitively", () => {
    const active = { code: "K7P2QX", expiresAt: 10_000 };
    expect(attemptPairing(active, "  k7p2qx \n", 0, 5_000)).toEqual({ status: "paired" });
    expect(attemptPairing(active, "K7P2QY", 0, 5_000)).toEqual({ status: "wrong", triesLeft: MAX_WRONG_TRIES - 1 });
  });

  it("expire, lock out after 5 wrong tries and need an active code", () => {
    const active = { code: "K7P2QX", expiresAt: 10_000 };
    expect(attemptPairing(active, "K7P2QX", 0, 10_000)).toEqual({ status: "expired" });
    expect(attemptPairing(active, "K7P2QX", MAX_WRONG_TRIES, 5_000)).toEqual({ status: "locked" });
    expect(attemptPairing(active, "K7P2QX", MAX_WRONG_TRIES - 1, 5_000)).toEqual({ status: "paired" });
    expect(attemptPairing(null, "K7P2QX", 0, 5_000)).toEqual({ status: "no_code" });
  });
});
