// Routing signals to signal watches: filters, lookback, expiry, first-come order, and the input rules.
import { describe, expect, it } from "vitest";
import {
  type Signal,
  type WatchSpec,
  newWatch,
  pickSignalForWatch,
  pickWatchForSignal,
  signalMatches,
  validateWatchInput,
} from "../../../src/domain/signals/watch";

const T0 = 1_750_000_000_000;
const S = 1000;

let seq = 0;
function signal(over: Partial<Signal> = {}): Signal {
  seq += 1;
  return {
    id: `sig_${String(seq).padStart(3, "0")}`,
    channelId: "ch_1",
    from: "+14155550100",
    body: "Your code is 482913",
    receivedAt: T0,
    code: "482913",
    codes: ["482913"],
    links: [],
    categories: ["verification_code"],
    ...over,
  };
}

function watch(over: Partial<WatchSpec> = {}): WatchSpec {
  return { id: "w_1", createdAt: T0, lookbackS: 300, expiresAt: T0 + 60 * S, ...over };
}

describe("signalMatches", () => {
  it("matches any signal with a code or a link when the watch has no filters", () => {
    expect(signalMatches(watch(), signal())).toBe(true);
    expect(signalMatches(watch(), signal({ code: null, codes: [], links: ["https://x.test/magic/abc"] }))).toBe(true);
  });

  it("without contains or regex, skips a signal with neither code nor link", () => {
    expect(signalMatches(watch(), signal({ body: "See you at 5", code: null, codes: [] }))).toBe(false);
  });

  it("with contains or regex, takes a matching signal even without a code", () => {
    const plain = signal({ body: "Your parcel is at the door", code: null, codes: [] });
    expect(signalMatches(watch({ contains: "PARCEL" }), plain)).toBe(true);
    expect(signalMatches(watch({ regex: "parcel\\s+is" }), plain)).toBe(true);
  });

  it("filters by channel and by sender, exactly", () => {
    expect(signalMatches(watch({ channelId: "ch_1" }), signal())).toBe(true);
    expect(signalMatches(watch({ channelId: "ch_2" }), signal())).toBe(false);
    expect(signalMatches(watch({ from: "+14155550100" }), signal())).toBe(true);
    expect(signalMatches(watch({ from: "+1415555010" }), signal())).toBe(false);
    expect(signalMatches(watch({ from: "22000" }), signal({ from: "22000" }))).toBe(true);
  });

  it("matches contains as a case-insensitive substring and regex case-insensitively", () => {
    const s = signal({ body: "G-482913 is your Google verification code." });
    expect(signalMatches(watch({ contains: "google" }), s)).toBe(true);
    expect(signalMatches(watch({ contains: "apple" }), s)).toBe(false);
    expect(signalMatches(watch({ regex: "^g-\\d{6}" }), s)).toBe(true);
    expect(signalMatches(watch({ regex: "^\\d{6}" }), s)).toBe(false);
    expect(signalMatches(watch({ contains: "google", regex: "apple" }), s)).toBe(false);
  });
});

describe("pickWatchForSignal", () => {
  it("gives the signal to the oldest matching open watch", () => {
    const older = watch({ id: "w_b", createdAt: T0 });
    const newer = watch({ id: "w_a", createdAt: T0 + 5 * S });
    const s = signal({ receivedAt: T0 + 10 * S });
    expect(pickWatchForSignal([newer, older], s, T0 + 10 * S)?.id).toBe("w_b");
  });

  it("breaks a createdAt tie by id", () => {
    const s = signal({ receivedAt: T0 + S });
    expect(pickWatchForSignal([watch({ id: "w_2" }), watch({ id: "w_1" })], s, T0 + S)?.id).toBe("w_1");
  });

  it("serves two watches and two codes in order, each code once", () => {
    const first = watch({ id: "w_1", createdAt: T0 });
    const second = watch({ id: "w_2", createdAt: T0 + S });
    const c1 = signal({ receivedAt: T0 + 2 * S, code: "111111" });
    expect(pickWatchForSignal([first, second], c1, T0 + 2 * S)?.id).toBe("w_1");
    const matchedFirst = { ...first, matchedSignalId: c1.id };
    const c2 = signal({ receivedAt: T0 + 3 * S, code: "222222" });
    expect(pickWatchForSignal([matchedFirst, second], c2, T0 + 3 * S)?.id).toBe("w_2");
  });

  it("treats an identical repeated code as a new signal", () => {
    const first = watch({ id: "w_1" });
    const second = watch({ id: "w_2", createdAt: T0 + S });
    const a = signal({ receivedAt: T0 + 2 * S });
    const b = signal({ receivedAt: T0 + 3 * S });
    expect(a.code).toBe(b.code);
    expect(pickWatchForSignal([first, second], a, T0 + 2 * S)?.id).toBe("w_1");
    expect(pickWatchForSignal([{ ...first, matchedSignalId: a.id }, second], b, T0 + 3 * S)?.id).toBe("w_2");
  });

  it("skips expired watches and watches whose filters do not match", () => {
    const expired = watch({ id: "w_1", expiresAt: T0 + 5 * S });
    const otherSender = watch({ id: "w_2", from: "+15555550000" });
    const live = watch({ id: "w_3", createdAt: T0 + S });
    const s = signal({ receivedAt: T0 + 5 * S });
    expect(pickWatchForSignal([expired, otherSender, live], s, T0 + 5 * S)?.id).toBe("w_3");
    expect(pickWatchForSignal([expired, otherSender], s, T0 + 5 * S)).toBeNull();
  });

  it("returns null for a signal already consumed", () => {
    expect(pickWatchForSignal([watch()], signal({ consumedBy: "w_0" }), T0)).toBeNull();
  });
});

describe("pickSignalForWatch (lookback)", () => {
  const w = watch({ createdAt: T0, lookbackS: 60 });

  it("takes a signal inside the lookback window, including both ends", () => {
    const atStart = signal({ receivedAt: T0 - 60 * S });
    expect(pickSignalForWatch([atStart], w, T0)?.id).toBe(atStart.id);
    const atCreation = signal({ receivedAt: T0 });
    expect(pickSignalForWatch([atCreation], w, T0)?.id).toBe(atCreation.id);
  });

  it("ignores signals before the window or after the watch was created", () => {
    expect(pickSignalForWatch([signal({ receivedAt: T0 - 60 * S - 1 })], w, T0)).toBeNull();
    expect(pickSignalForWatch([signal({ receivedAt: T0 + 1 })], w, T0)).toBeNull();
  });

  it("looks back nowhere with lookback 0", () => {
    expect(pickSignalForWatch([signal({ receivedAt: T0 - 1 })], watch({ lookbackS: 0 }), T0)).toBeNull();
  });

  it("skips consumed and non-matching signals and takes the oldest of the rest", () => {
    const consumed = signal({ receivedAt: T0 - 50 * S, consumedBy: "w_0" });
    const noCode = signal({ receivedAt: T0 - 40 * S, body: "hi", code: null, codes: [] });
    const older = signal({ receivedAt: T0 - 30 * S, code: "111111" });
    const newer = signal({ receivedAt: T0 - 10 * S, code: "222222" });
    expect(pickSignalForWatch([newer, noCode, consumed, older], w, T0)?.code).toBe("111111");
  });

  it("lets two watches created one after the other take two codes in arrival order", () => {
    const c1 = signal({ receivedAt: T0 - 20 * S, code: "111111" });
    const c2 = signal({ receivedAt: T0 - 10 * S, code: "222222" });
    const w1 = watch({ id: "w_1", createdAt: T0 });
    const got1 = pickSignalForWatch([c1, c2], w1, T0);
    expect(got1?.code).toBe("111111");
    const w2 = watch({ id: "w_2", createdAt: T0 + S });
    const after = [c1, c2].map((s) => (s.id === got1?.id ? { ...s, consumedBy: w1.id } : s));
    expect(pickSignalForWatch(after, w2, T0 + S)?.code).toBe("222222");
  });

  it("returns null for an expired or already matched watch", () => {
    const s = signal({ receivedAt: T0 - S });
    expect(pickSignalForWatch([s], watch({ expiresAt: T0 }), T0)).toBeNull();
    expect(pickSignalForWatch([s], watch({ matchedSignalId: "sig_x" }), T0)).toBeNull();
  });
});

describe("validateWatchInput", () => {
  it("normalises a minimal input with the default lookback", () => {
    expect(validateWatchInput({ timeout_s: 120 })).toEqual({
      ok: true,
      value: { channelId: null, from: null, contains: null, regex: null, lookbackS: 300, timeoutS: 120 },
    });
  });

  it("keeps filters, trimming text but not the pattern", () => {
    const r = validateWatchInput({ channel_id: " ch_1 ", from: "+14155550100", contains: " Google ", regex: "code: \\d{6}", lookback_s: 0, timeout_s: 86_400 });
    expect(r).toEqual({
      ok: true,
      value: { channelId: "ch_1", from: "+14155550100", contains: "Google", regex: "code: \\d{6}", lookbackS: 0, timeoutS: 86_400 },
    });
  });

  it("treats empty strings and nulls as no filter", () => {
    const r = validateWatchInput({ from: "", contains: null, regex: "", timeout_s: 5 });
    expect(r.ok && r.value).toMatchObject({ from: null, contains: null, regex: null });
  });

  it.each([
    [{}, "timeout_s", "is required"],
    [{ timeout_s: 0 }, "timeout_s", "from 1 to 86400"],
    [{ timeout_s: 86_401 }, "timeout_s", "from 1 to 86400"],
    [{ timeout_s: 1.5 }, "timeout_s", "whole number"],
    [{ timeout_s: "60" }, "timeout_s", "whole number"],
    [{ timeout_s: 60, lookback_s: -1 }, "lookback_s", "from 0 to 86400"],
    [{ timeout_s: 60, lookback_s: 86_401 }, "lookback_s", "from 0 to 86400"],
    [{ timeout_s: 60, from: "not a number!" }, "from", "E.164"],
    [{ timeout_s: 60, contains: 42 }, "contains", "must be a string"],
    [{ timeout_s: 60, contains: "x".repeat(201) }, "contains", "at most 200"],
    [{ timeout_s: 60, regex: "(" }, "regex", "does not compile"],
    [{ timeout_s: 60, regex: "a".repeat(201) }, "regex", "at most 200"],
    [{ timeout_s: 60, regex: "code(?=\\d)" }, "regex", "lookahead and lookbehind"],
    [{ timeout_s: 60, regex: "(\\d)\\1" }, "regex", "backreferences"],
  ])("rejects %j at %s", (input, path, message) => {
    const r = validateWatchInput(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("reports every issue at once", () => {
    const r = validateWatchInput({ from: "??", regex: "(", lookback_s: -5 });
    expect(r.ok ? [] : r.issues.map((i) => i.path).sort()).toEqual(["from", "lookback_s", "regex", "timeout_s"]);
  });

  it("rejects a value that is not an object", () => {
    expect(validateWatchInput(null)).toEqual({ ok: false, issues: [{ path: "", message: "expected an object" }] });
  });
});

describe("newWatch", () => {
  it("starts now and expires after the timeout", () => {
    const params = { channelId: "ch_1", from: null, contains: null, regex: null, lookbackS: 300, timeoutS: 90 };
    expect(newWatch("w_1", params, T0)).toEqual({
      id: "w_1", createdAt: T0, channelId: "ch_1", from: null, contains: null, regex: null, lookbackS: 300, expiresAt: T0 + 90 * S,
    });
  });
});

describe("who may take a signal (the caller's policy predicate)", () => {
  it("passes over the oldest fitting watch its agent may not take, for the next allowed one", () => {
    const x = watch({ id: "w_x", agent: "x", createdAt: T0 - 20 * S });
    const y = watch({ id: "w_y", agent: "y", createdAt: T0 - 10 * S });
    const asked: string[] = [];
    const allowed = (w: WatchSpec) => (asked.push(w.id), w.agent !== "x");
    expect(pickWatchForSignal([x, y], signal(), T0, allowed)?.id).toBe("w_y");
    expect(pickWatchForSignal([x], signal(), T0, allowed)).toBeNull();
    // Only watches that fit the signal are put to the policy.
    const other = watch({ id: "w_other", agent: "y", channelId: "ch_2" });
    pickWatchForSignal([other], signal(), T0, allowed);
    expect(asked).not.toContain("w_other");
  });

  it("skips, in a lookback, the signals the watch's agent may not take", () => {
    const early = signal({ receivedAt: T0 - 30 * S, from: "+15550009999" });
    const late = signal({ receivedAt: T0 - 10 * S, from: "+15550001234" });
    const allowed = (s: Signal) => s.from !== "+15550009999";
    expect(pickSignalForWatch([early, late], watch(), T0, allowed)?.id).toBe(late.id);
    expect(pickSignalForWatch([early], watch(), T0, allowed)).toBeNull();
  });
});
