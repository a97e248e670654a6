// Tools every agent gets, built with the AI SDK's tool() so any provider can call them. The clock is injected
// so tests (and replays) see a fixed time; callers add their own tools (e.g. await_signal) through `extra`.
import { tool, type ToolSet } from "ai";
import { z } from "zod";

export interface CurrentTime {
  iso: string;
  unix: number;
  timezone?: string;
  /** Wall-clock time in `timezone`, e.g. "2026-11-24 13:00:00 GMT-8 (Tuesday)". */
  local?: string;
}

function localTime(at: Date, timeZone: string): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      weekday: "long",
      timeZoneName: "shortOffset",
    });
  } catch {
    // The model sees this message as the tool's error output, so it says what a valid value looks like.
    throw new Error(`Unknown time zone "${timeZone}". Use an IANA name such as "Europe/London" or "America/New_York".`);
  }
  const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName} (${part.weekday})`;
}

export function currentTimeTool(now: () => Date) {
  return tool({
    description: "Get the current date and time. Pass an IANA time zone to also get the local wall-clock time there.",
    inputSchema: z.object({
      timezone: z.string().min(1).optional().describe('IANA time zone, e.g. "Europe/London"'),
    }),
    execute: async ({ timezone }): Promise<CurrentTime> => {
      const at = now();
      const base = { iso: at.toISOString(), unix: Math.floor(at.getTime() / 1000) };
      return timezone ? { ...base, timezone, local: localTime(at, timezone) } : base;
    },
  });
}

/** The built-in tools plus the caller's own. A name clash is a bug in the caller, so it throws. */
export function builtinTools({ now, extra = {} }: { now: () => Date; extra?: ToolSet }): ToolSet {
  const builtins: ToolSet = { current_time: currentTimeTool(now) };
  const clash = Object.keys(extra).find((name) => name in builtins);
  if (clash) throw new Error(`Tool "${clash}" is built in; give the extra tool another name.`);
  return { ...builtins, ...extra };
}
