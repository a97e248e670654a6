// `npm start` checks its two ports before starting anything, so a second copy says which port is taken and how to
// choose others instead of dying with an EADDRINUSE stack from whichever server happened to listen first.
import { createServer } from "node:net";

export interface PortUse {
  port: number;
  /** What the port is for and the setting that chooses it. */
  what: string;
}

/** Whether something listens on `port` on this address; an address this machine lacks (no IPv6) is not "taken". */
function taken(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "EADDRINUSE"));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}

/** The ports among `wanted` that another process holds, on 127.0.0.1 or ::1 (where localhost may point). */
export async function portsInUse(wanted: PortUse[]): Promise<PortUse[]> {
  const results = await Promise.all(wanted.map(async (w) => ((await taken(w.port, "127.0.0.1")) || (await taken(w.port, "::1")) ? w : null)));
  return results.filter((r): r is PortUse => r !== null);
}

export function portsInUseMessage(inUse: PortUse[], appPort: number): string {
  const lines = inUse.map((u) => `textgate: port ${u.port} (${u.what}) is already in use.`);
  return [
    ...lines,
    "Another textgate (`npm start`) may be running: stop it, or choose other ports:",
    `  npm start -- --port ${appPort + 10}                 the app on ${appPort + 10}, the Twilio emulator on ${appPort + 11}`,
    `  TWILIO_EMULATOR_PORT=${appPort + 20} npm start       the Twilio emulator alone on another port`,
  ].join("\n");
}
