import { describe, expect, it } from "vitest";
import { markdownToPlain } from "../../../src/domain/sms";

describe("markdownToPlain", () => {
  it("turns headings into plain lines", () => {
    expect(markdownToPlain("# Today\n## Weather ##\nSunny")).toBe("Today\nWeather\nSunny");
  });

  it("strips bold, emphasis and strikethrough", () => {
    expect(markdownToPlain("**Bold**, __also bold__, *em*, _em_, ~~gone~~ and ***both***")).toBe(
      "Bold, also bold, em, em, gone and both",
    );
  });

  it("leaves snake_case, arithmetic and lone asterisks alone", () => {
    const text = "Set max_retry_count to 2*3*4 (= 24); a * b * c is fine, so is __init__.py and 5 * 2.";
    expect(markdownToPlain(text)).toBe(text);
  });

  it("keeps code as text without backticks or fences", () => {
    expect(markdownToPlain("Run `npm test` then:\n\n```bash\nnpx wrangler deploy --env **prod**\n```\nDone.")).toBe(
      "Run npm test then:\n\nnpx wrangler deploy --env **prod**\nDone.",
    );
  });

  it("does not read emphasis inside code spans", () => {
    expect(markdownToPlain("Use `*glob*` and `my_var_name`")).toBe("Use *glob* and my_var_name");
  });

  it("writes links as text (url), or just the url when they say the same", () => {
    expect(markdownToPlain("See [the menu](https://luigis.test/menu) or [luigis.test](https://luigis.test/).")).toBe(
      "See the menu (https://luigis.test/menu) or https://luigis.test/.",
    );
  });

  it("keeps underscores and parentheses inside URLs", () => {
    expect(markdownToPlain("[Wiki](https://en.wikipedia.test/wiki/Pi_(letter)) and https://x.test/a_b_c")).toBe(
      "Wiki (https://en.wikipedia.test/wiki/Pi_(letter)) and https://x.test/a_b_c",
    );
  });

  it("writes images as alt text and url", () => {
    expect(markdownToPlain("![Route map](https://maps.test/r.png)\n![](https://maps.test/s.png)")).toBe(
      "Route map (https://maps.test/r.png)\nhttps://maps.test/s.png",
    );
  });

  it("unwraps autolinks and mailto links", () => {
    expect(markdownToPlain("<https://x.test/a> or [sam@x.test](mailto:sam@x.test) or <sam@x.test>")).toBe(
      "https://x.test/a or sam@x.test or sam@x.test",
    );
  });

  it("writes every bullet style as '- ' and keeps numbered lists and nesting", () => {
    expect(markdownToPlain("* eggs\n+ **milk**\n- bread\n  - rye\n1. first\n2) second")).toBe(
      "- eggs\n- milk\n- bread\n  - rye\n1. first\n2) second",
    );
  });

  it("strips blockquote markers, nested too", () => {
    expect(markdownToPlain("> Note: *closed* Monday\n> > - quoted item")).toBe("Note: closed Monday\n- quoted item");
  });

  it("drops horizontal rules, and turns a setext underline into a blank line after its heading", () => {
    expect(markdownToPlain("Title\n=====\nIntro\n\n---\n\nMore\n\n* * *\n\nEnd")).toBe("Title\n\nIntro\n\nMore\n\nEnd");
  });

  it("flattens tables to one line per row", () => {
    const table = "| Day | High | Sky |\n|:----|-----:|:---:|\n| Mon | 21 | **Sun** |\n| Tue | 18 | Rain \\| wind |\n\nBring a coat.";
    expect(markdownToPlain(table)).toBe("Day, High, Sky\nMon, 21, Sun\nTue, 18, Rain | wind\n\nBring a coat.");
  });

  it("collapses runs of blank lines and trims", () => {
    expect(markdownToPlain("\n\n  One  \n\n\n\n\nTwo\\\nThree   \n\n")).toBe("One\n\nTwo\nThree");
  });

  it("honours backslash escapes", () => {
    expect(markdownToPlain("\\*not em\\* and \\_not em\\_")).toBe("*not em* and _not em_");
  });

  it("keeps hashtags and '#1' that are not headings", () => {
    expect(markdownToPlain("#1 priority today\n#standup")).toBe("#1 priority today\n#standup");
  });
});
