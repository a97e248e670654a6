import { describe, expect, it } from "vitest";
import { composeTurnBody, countSegments } from "../../../src/domain/sms";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe("composeTurnBody", () => {
  it("joins every step's text, including a tool-calling step, into one plain GSM-7 body", () => {
    const steps = [
      "Let me check your calendar…",
      "   \n ",
      "Found **2** events tomorrow:\n\n- 9:00 Dentist\n- 14:00 Call with Sam",
      "You’re free after 3pm — want me to book the gym?",
    ];
    expect(composeTurnBody(steps)).toEqual({
      body:
        "Let me check your calendar...\n\nFound 2 events tomorrow:\n\n- 9:00 Dentist\n- 14:00 Call with Sam\n\n" +
        "You're free after 3pm - want me to book the gym?",
      encoding: "GSM-7",
      segments: 1,
      normalized: true,
      truncated: false,
    });
  });

  it("returns an empty body when no step said anything", () => {
    expect(composeTurnBody(["", "  \n", "---"])).toEqual({
      body: "",
      encoding: "GSM-7",
      segments: 0,
      normalized: false,
      truncated: false,
    });
    expect(composeTurnBody([]).body).toBe("");
  });

  it("keeps typographic characters when an emoji makes the body UCS-2 anyway", () => {
    const result = composeTurnBody(["Checking…", "It’s booked 🎉"]);
    expect(result).toMatchObject({ body: "Checking…\n\nIt’s booked 🎉", encoding: "UCS-2", normalized: false });
  });

  it("can be told not to normalise", () => {
    expect(composeTurnBody(["It’s done"], { normalize: false })).toMatchObject({
      body: "It’s done",
      encoding: "UCS-2",
      normalized: false,
    });
  });

  it("caps a long GSM-7 body at 1600 characters with '...', cut at a word", () => {
    const sentence = "The quick brown fox jumps over the lazy dog. ";
    const result = composeTurnBody([sentence.repeat(50)]);
    expect(result.body).toBe(`${sentence.repeat(35)}The quick brown fox...`);
    expect(result.body.length).toBe(1597);
    expect(result).toMatchObject({ encoding: "GSM-7", segments: 11, normalized: false, truncated: true });
  });

  it("caps a long UCS-2 body with a single-character ellipsis", () => {
    const sentence = "Завтра будет солнечно и тепло. ";
    const result = composeTurnBody([sentence.repeat(80)]);
    expect(result.body).toBe(`${sentence.repeat(51)}Завтра будет…`);
    expect(result.body.length).toBe(1594);
    expect(result).toMatchObject({ encoding: "UCS-2", segments: 24, truncated: true });
  });

  it("never exceeds the limit, whatever the text", () => {
    for (const text of ["x".repeat(5000), "€".repeat(5000), "😀".repeat(5000), `${"word ".repeat(400)}it’s`]) {
      const { body } = composeTurnBody([text]);
      expect(body.length).toBeLessThanOrEqual(1600);
      expect(body).not.toMatch(LONE_SURROGATE);
    }
  });

  it("is exactly at the limit when the cut falls on a space", () => {
    expect(composeTurnBody(["Hello there, this is a long message"], { maxChars: 20 }).body).toBe("Hello there, this...");
  });

  it("backs up to a word boundary and drops a dangling comma", () => {
    expect(composeTurnBody(["Hello there, this is a long message"], { maxChars: 16 }).body).toBe("Hello there...");
  });

  it("cuts mid-word when no boundary is near", () => {
    const body = composeTurnBody([`Link: https://x.test/${"a".repeat(100)}`], { maxChars: 50 }).body;
    expect(body).toBe(`Link: https://x.test/${"a".repeat(26)}...`);
  });

  it("never splits a surrogate pair at the cut", () => {
    const result = composeTurnBody(["😀".repeat(10)], { maxChars: 10 });
    expect(result.body).toBe("😀😀😀😀…");
    expect(result.body).not.toMatch(LONE_SURROGATE);
  });

  it("normalises when the only UCS-2 character falls past the cut", () => {
    const result = composeTurnBody([`It’s ${"ok ".repeat(10)}🎉`], { maxChars: 20 });
    expect(result).toEqual({ body: "It's ok ok ok ok...", encoding: "GSM-7", segments: 1, normalized: true, truncated: true });
  });

  it("still returns one body however long the turn is", () => {
    const steps = Array.from({ length: 12 }, (_, i) => `Step ${i}: ${"lorem ipsum ".repeat(40)}`);
    const result = composeTurnBody(steps);
    expect(typeof result.body).toBe("string");
    expect(result.body.length).toBeLessThanOrEqual(1600);
    expect(result.segments).toBe(11);
  });

  it("stays within tiny limits", () => {
    expect(composeTurnBody(["Hello"], { maxChars: 2 }).body).toBe("He");
    expect(() => composeTurnBody(["Hello"], { maxChars: 0 })).toThrow(RangeError);
  });

  describe("with a link to the full reply", () => {
    const link = "https://textgate.example/r/0123456789abcdefghjkmnpqrstvwxyz.0123456789abcdefghjkmnpq";
    const sentence = "The quick brown fox jumps over the lazy dog. ";

    it("leaves a reply that fits alone, with no link", () => {
      expect(composeTurnBody(["short"], { link })).toEqual({ body: "short", encoding: "GSM-7", segments: 1, normalized: false, truncated: false });
    });

    it("cuts a 2 500-character reply at a word and ends it with the link, within 1 600 characters", () => {
      const text = sentence.repeat(56).slice(0, 2500);
      const result = composeTurnBody([text], { link });
      expect(result.body.length).toBeLessThanOrEqual(1600);
      expect(result.body).toMatch(/\w\n\nFull reply: https:\/\/textgate\.example\/r\/\S+$/);
      expect(result.body.endsWith(`Full reply: ${link}`)).toBe(true);
      expect(text.startsWith(result.body.slice(0, result.body.indexOf("\n\nFull reply:")))).toBe(true);
      expect(result).toMatchObject({ truncated: true, encoding: "GSM-7", full: text.trim() });
    });

    it("keeps within MAX_REPLY_SEGMENTS, counting the link", () => {
      const result = composeTurnBody([sentence.repeat(20)], { link, maxSegments: 2 });
      expect(result.segments).toBe(2);
      expect(result.body.endsWith(link)).toBe(true);
      expect(result.body.length).toBeGreaterThan(250);
    });

    it("counts a UCS-2 reply's segments in UCS-2", () => {
      const result = composeTurnBody(["Завтра будет солнечно и тепло. ".repeat(20)], { link, maxSegments: 3 });
      expect(result).toMatchObject({ encoding: "UCS-2", segments: 3, truncated: true });
      expect(result.body.endsWith(link)).toBe(true);
    });

    it("sends the link alone when no text fits beside it", () => {
      expect(composeTurnBody(["😀".repeat(100)], { link, maxSegments: 1 }).body).toBe(`Full reply: ${link}`);
    });

    it("holds its limits for any mix of emoji, GSM escapes and UCS-2 text, at any length and segment budget", () => {
      const pieces = ["a", " ", "word", "\n", "{", "€", "~", "é", "ß", "中", "😀", "👨‍👩‍👧", "’"];
      let seed = 7;
      const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let run = 0; run < 300; run++) {
        const length = 1500 + Math.floor(next() * 300);
        let text = "";
        while (text.length < length) text += pieces[Math.floor(next() * pieces.length)];
        const maxSegments = next() < 0.5 ? undefined : 1 + Math.floor(next() * 11);
        const result = composeTurnBody([text], { link, maxSegments });
        const label = `run ${run}: ${length} units, MAX_REPLY_SEGMENTS ${maxSegments}`;
        expect(result.body.length, label).toBeLessThanOrEqual(1600);
        if (maxSegments !== undefined) expect(countSegments(result.body).segments, label).toBeLessThanOrEqual(maxSegments);
        expect(LONE_SURROGATE.test(result.body), label).toBe(false);
        if (result.truncated) expect(result.body.endsWith(`Full reply: ${link}`), label).toBe(true);
      }
    });

    it("keeps the page's text whole at its own limit: never half an emoji", () => {
      const result = composeTurnBody([`a${"😀".repeat(60_000)}`], { link });
      expect(result.full!.length).toBeLessThanOrEqual(100_000);
      expect(LONE_SURROGATE.test(result.full!)).toBe(false);
    });

    it("keeps the whole reply as written for the page (typography included) while the body is normalised", () => {
      const text = `It’s ${"fine ".repeat(400)}`;
      const result = composeTurnBody([text], { link });
      expect(result).toMatchObject({ normalized: true, encoding: "GSM-7", full: text.trim() });
    });
  });

  it("caps by segments with an ellipsis when there is no link", () => {
    const result = composeTurnBody(["The quick brown fox jumps over the lazy dog. ".repeat(10)], { maxSegments: 1 });
    expect(result.body).toMatch(/\.\.\.$/);
    expect(result.body.length).toBeLessThanOrEqual(160);
    expect(result.segments).toBe(1);
  });
});
