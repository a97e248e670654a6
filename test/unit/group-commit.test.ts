import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/lib/group-commit";

/** A commit function that records each call and can be told to fail or to hold until released. */
function recorder(opts: { failWhen?: (items: string[]) => boolean } = {}) {
  const calls: string[][] = [];
  const holds: (() => void)[] = [];
  let holding = false;
  const commit = async (items: string[]) => {
    calls.push(items);
    if (holding) await new Promise<void>((r) => holds.push(r));
    if (opts.failWhen?.(items)) throw new Error(`rejected ${items.join(",")}`);
  };
  return {
    calls,
    commit,
    hold: () => (holding = true),
    release: () => {
      holding = false;
      holds.splice(0).forEach((r) => r());
    },
  };
}

describe("GroupCommit", () => {
  it("commits an idle writer's items at once, alone", async () => {
    const r = recorder();
    const gc = new GroupCommit(r.commit);
    const done = gc.write(["a", "b"]);
    expect(r.calls).toEqual([["a", "b"]]);
    await done;
  });

  it("writes arriving during a commit go together in the next one, and each caller waits for its own", async () => {
    const r = recorder();
    const gc = new GroupCommit(r.commit);
    r.hold();
    const settled: string[] = [];
    const first = gc.write(["1"]).then(() => settled.push("1"));
    const rest = ["2", "3", "4"].map((x) => gc.write([x]).then(() => settled.push(x)));
    expect(r.calls).toEqual([["1"]]);
    await Promise.resolve();
    expect(settled).toEqual([]);
    r.release();
    await Promise.all([first, ...rest]);
    expect(r.calls).toEqual([["1"], ["2", "3", "4"]]);
    expect(settled).toEqual(["1", "2", "3", "4"]);
  });

  it("retries a failed group one write at a time, so only the bad write fails", async () => {
    const r = recorder({ failWhen: (items) => items.includes("bad") });
    const gc = new GroupCommit(r.commit);
    r.hold();
    const first = gc.write(["ok-0"]);
    const results = Promise.allSettled([gc.write(["ok-1"]), gc.write(["bad"]), gc.write(["ok-2"])]);
    r.release();
    await first;
    const [a, b, c] = await results;
    expect(a.status).toBe("fulfilled");
    expect(b).toMatchObject({ status: "rejected", reason: new Error("rejected bad") });
    expect(c.status).toBe("fulfilled");
    expect(r.calls).toEqual([["ok-0"], ["ok-1", "bad", "ok-2"], ["ok-1"], ["bad"], ["ok-2"]]);
  });

  it("keeps working after a failure and after going idle", async () => {
    const r = recorder({ failWhen: (items) => items.includes("bad") });
    const gc = new GroupCommit(r.commit);
    await expect(gc.write(["bad"])).rejects.toThrow("rejected bad");
    await gc.write(["next"]);
    await gc.write([]);
    expect(r.calls).toEqual([["bad"], ["next"]]);
  });
});
