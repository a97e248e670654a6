import { describe, expect, it } from "vitest";
import { channelIdKind, newChannelId } from "../../src/lib/channel-id";
import { ID_ALPHABET, newId } from "../../src/lib/crypto";

const flip = (id: string, at: number) => id.slice(0, at) + ID_ALPHABET[(ID_ALPHABET.indexOf(id[at]!) + 1) % 32] + id.slice(at + 1);

describe("channel ids", () => {
  it("issues ids whose MAC checks under the same secret only", async () => {
    const id = await newChannelId("k1");
    expect(id).toMatch(/^ch_[0-9a-hjkmnp-tv-z]{32}$/);
    expect(await channelIdKind("k1", id)).toBe("signed");
    expect(await channelIdKind("k2", id)).toBe("invalid");
  });

  it("refuses an id with any one character changed, in the random part or the MAC", async () => {
    const id = await newChannelId("k1");
    for (let at = 3; at < id.length; at++) expect(await channelIdKind("k1", flip(id, at))).toBe("invalid");
  });

  it("tells the pre-MAC shape apart, and refuses everything else", async () => {
    expect(await channelIdKind("k1", newId("ch"))).toBe("legacy");
    const id = await newChannelId("k1");
    for (const other of ["signals:any", "ch_unknown", "", id.toUpperCase(), id + "0", id.slice(0, -1), `xx_${id.slice(3)}`, `ch_${"a".repeat(4000)}`]) {
      expect(await channelIdKind("k1", other)).toBe("invalid");
    }
  });
});
