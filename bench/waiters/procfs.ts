// What the workerd process serving the benchmark holds, read from /proc: resident memory and open descriptors.
// Only workerd processes descended from this Node process count, so other runs on the machine don't mix in.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** The pids of workerd processes under `root` (Miniflare spawns its runtime as a child of this process). */
export function workerdPids(root = process.pid): number[] {
  const parent = new Map<number, number>();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // process went away
    }
  }
  const ours = (pid: number): boolean => pid === root || (pid > 1 && parent.has(pid) && ours(parent.get(pid)!));
  return [...parent.keys()].filter((pid) => {
    if (pid === root || !ours(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd");
    } catch {
      return false;
    }
  });
}

/** Resident memory in MiB, summed over `pids`. */
export function rssMiB(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (m) kb += Number(m[1]);
  }
  return kb / 1024;
}

/** Open descriptors of one process, and how many of them are sockets. */
export function fds(pid: number | "self"): { total: number; sockets: number } {
  const names = readdirSync(`/proc/${pid}/fd`);
  let sockets = 0;
  for (const n of names) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${n}`).startsWith("socket:")) sockets++;
    } catch {
      // closed meanwhile
    }
  }
  return { total: names.length, sockets };
}

/** The soft limit on open descriptors of one process ("Max open files" in /proc/<pid>/limits). */
export function fdLimit(pid: number | "self"): number {
  return Number(/Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, "utf8"))?.[1]);
}
