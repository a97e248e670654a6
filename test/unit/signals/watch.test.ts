// Routing signals to signal watches: filters, lookback, expiry, first-come order, and the input rules.
import { describe, expect, it } from "vitest";
import {
  type Signal,
  type WatchSpec,
  newWatch,
  pickSignalForWatch,
  pickWatchForSignal,
  signalMatches,
  signalsForWatcher,
  watchersOfSignal,
} from "../../../src/domain/signals/watch";
import { parseWatchInput } from "../../../src/domain/signals/watch-input";

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
    expect(signalMatches(watch({ from: ["+14155550100"] }), signal())).toBe(true);
    expect(signalMatches(watch({ from: ["+1415555010"] }), signal())).toBe(false);
    expect(signalMatches(watch({ from: ["22000"] }), signal({ from: "22000" }))).toBe(true);
  });

  it("takes any of several channels and any of several senders", () => {
    expect(signalMatches(watch({ channelIds: ["ch_2", "ch_1"] }), signal())).toBe(true);
    expect(signalMatches(watch({ channelIds: ["ch_2", "ch_3"] }), signal())).toBe(false);
    expect(signalMatches(watch({ from: ["22000", "+14155550100"] }), signal())).toBe(true);
    expect(signalMatches(watch({ from: ["22000", "33000"] }), signal())).toBe(false);
  });

  it("filters by category overlap, and a category filter takes a message without a code", () => {
    const delivery = signal({ body: "Your parcel is out for delivery", code: null, codes: [], categories: ["delivery"] });
    expect(signalMatches(watch({ categories: ["delivery", "payment"] }), delivery)).toBe(true);
    expect(signalMatches(watch({ categories: ["payment"] }), delivery)).toBe(false);
    expect(signalMatches(watch({ categories: ["verification_code"] }), signal())).toBe(true);
    expect(signalMatches(watch({ categories: ["delivery"] }), signal({ categories: [] }))).toBe(false);
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
    const otherSender = watch({ id: "w_2", from: ["+15555550000"] });
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

describe("newWatch", () => {
  it("starts now and expires after the timeout", () => {
    const parsed = parseWatchInput({ channel_id: "ch_1", timeout_s: 90 });
    if (!parsed.ok) throw new Error("valid input refused");
    expect(newWatch("w_1", parsed.value, T0)).toMatchObject({ id: "w_1", createdAt: T0, channelId: "ch_1", from: null, lookbackS: 300, expiresAt: T0 + 90 * S, mode: "once" });
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

describe("continuous watches observe", () => {
  const c = (over: Partial<WatchSpec> = {}) => watch({ mode: "continuous", ...over });

  it("every fitting allowed continuous watch sees a signal, oldest first, taken by a once-watch or not", () => {
    const older = c({ id: "w_a", createdAt: T0 - 20 * S });
    const newer = c({ id: "w_b", createdAt: T0 - 10 * S });
    const otherChannel = c({ id: "w_c", channelId: "ch_9" });
    const denied = c({ id: "w_d", agent: "x" });
    const s = signal({ consumedBy: "w_once" });
    expect(watchersOfSignal([newer, otherChannel, denied, older], s, T0, (w) => w.agent !== "x").map((w) => w.id)).toEqual(["w_a", "w_b"]);
  });

  it("are never what a once-signal goes to, nor what a once-lookback looks for", () => {
    const cont = c({ createdAt: T0 - 20 * S });
    const once = watch({ id: "w_once", createdAt: T0 - 10 * S });
    expect(pickWatchForSignal([cont, once], signal(), T0)?.id).toBe("w_once");
    expect(pickWatchForSignal([cont], signal(), T0)).toBeNull();
    expect(pickSignalForWatch([signal({ receivedAt: T0 - S })], cont, T0)).toBeNull();
  });

  it("skip expired watches and signals outside their window", () => {
    expect(watchersOfSignal([c({ expiresAt: T0 })], signal(), T0)).toEqual([]);
    expect(watchersOfSignal([c({ createdAt: T0, lookbackS: 0 })], signal({ receivedAt: T0 - S }), T0)).toEqual([]);
  });

  it("look back on every fitting signal in their window, consumed or not, oldest first", () => {
    const w = c({ createdAt: T0, lookbackS: 60 });
    const late = signal({ id: "s_late", receivedAt: T0 - 10 * S, consumedBy: "w_other" });
    const early = signal({ id: "s_early", receivedAt: T0 - 50 * S });
    const before = signal({ id: "s_before", receivedAt: T0 - 61 * S });
    const noCode = signal({ id: "s_nocode", receivedAt: T0 - 5 * S, code: null, codes: [] });
    expect(signalsForWatcher([late, before, noCode, early], w).map((s) => s.id)).toEqual(["s_early", "s_late"]);
    expect(signalsForWatcher([late, early], w, (s) => s.id !== "s_early").map((s) => s.id)).toEqual(["s_late"]);
  });
});
