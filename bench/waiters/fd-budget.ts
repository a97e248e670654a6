// How many waiters the workerd process can hold before it runs out of descriptors. workerd keeps two descriptors
// for every connection it accepts — strace shows `accept4` followed at once by `fcntl(fd, F_DUPFD_CLOEXEC, 3)` on
// the new socket — so with this machine's hard limit of 20 000 a little under 10 000 sockets fit. We measure the
// cost with idle TCP connections rather than assume it, and leave room for the webhook connections that follow.
import { connect, type Socket } from "node:net";
import { fdLimit, fds } from "./procfs.ts";

async function settle(pid: number, target: (n: number) => boolean) {
  for (let i = 0; i < 100 && !target(fds(pid).total); i++) await new Promise((r) => setTimeout(r, 20));
  return fds(pid).total;
}

/** Descriptors workerd (`pid`) spends per accepted connection, from `probes` idle connections to `port`. */
export async function fdsPerConnection(pid: number, port: number, probes = 200): Promise<number> {
  const before = fds(pid).total;
  const sockets: Socket[] = [];
  for (let i = 0; i < probes; i++) {
    const s = connect(port, "127.0.0.1");
    await new Promise((r) => s.once("connect", r));
    sockets.push(s);
  }
  const held = await settle(pid, (n) => n >= before + probes);
  for (const s of sockets) s.destroy();
  await settle(pid, (n) => n <= before);
  return (held - before) / probes;
}

/** Connections that still fit under workerd's descriptor limit, keeping `reserve` descriptors spare. */
export function connectionsThatFit(pid: number, perConnection: number, reserve: number) {
  const limit = fdLimit(pid);
  const open = fds(pid).total;
  return { limit, open, fit: Math.max(0, Math.floor((limit - open - reserve) / perConnection)) };
}
