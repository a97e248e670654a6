import { describe, expect, it } from "vitest";
import { positionAt } from "../../../src/domain/policy/location";

describe("positionAt", () => {
  it("turns UTF-8 byte offsets into 1-based lines and JavaScript-string columns", () => {
    expect(positionAt("abc", 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt("ab\ncd", 3)).toEqual({ line: 2, column: 1 });
    expect(positionAt("é\nxé y", 2 + 1 + 1 + 2 + 1)).toEqual({ line: 2, column: 4 }); // é is 2 bytes, 1 char
  });

  it("clamps offsets past the end", () => {
    expect(positionAt("ab", 99)).toEqual({ line: 1, column: 3 });
  });
});
