// The channel object's timed work, all on its one schedule: watch expiry, delivering the steps of watches that
// resume a conversation, each turn's liveness check, and the hourly storage sweep — retention for the object's own
// tables, and the liveness safety net for turns whose checks went missing (an object from before the schedule, a
// lost row).
import { retentionMs, signalRetentionMs } from "../lib/config";
import type { Ledger } from "./ledger";
import { TURN_CHECK, type TurnLiveness } from "./liveness";
import type { LocalStore } from "./local-store";
import type { MediaDesk } from "./media-desk";
import type { ReplyPages } from "./reply-pages";
import type { ResumeInbox } from "./resume-inbox";
import { WATCH_RESUME, type ResumeOutbox } from "./resume-outbox";
import type { Schedule } from "./schedule";
import type { SenderLimit } from "./sender-limit";
import type { ChannelState } from "./state";
import { WATCH_EXPIRY, type WatchDesk } from "./watch-desk";

const SWEEP = "storage_sweep";
const SWEEP_EVERY_MS = 3600_000;

export interface UpkeepParts {
  env: Env;
  schedule: Schedule;
  state: ChannelState;
  local: LocalStore;
  ledger: Ledger;
  limits: SenderLimit;
  pages: ReplyPages;
  media: MediaDesk;
  watches: WatchDesk;
  liveness: TurnLiveness;
  resumes: ResumeOutbox;
  resumed: ResumeInbox;
}

/** Registers the handlers; a channel sweeps once it is loaded here, the hub once it holds a watch. */
export function registerUpkeep(parts: UpkeepParts) {
  const { schedule, state, watches, liveness, resumes } = parts;
  schedule.on(WATCH_EXPIRY, (_key, _payload, now) => watches.expire(now));
  schedule.on(WATCH_RESUME, (watchId, _payload, now) => resumes.deliver(watchId, now));
  schedule.on(TURN_CHECK, async (turnId, channelId, now) => (channelId && (await state.load(channelId)) ? liveness.check(channelId, turnId, now) : null));
  schedule.on(SWEEP, (_key, channelId, now) => sweep(parts, channelId, now));
  state.onLoaded = (row) => {
    scheduleSweep(schedule, Date.now(), row.id).catch((err) => console.error("could not schedule the storage sweep", err));
  };
}

/** The sweep runs an hour from now, or earlier if it already was due earlier. */
export function scheduleSweep(schedule: Schedule, now: number, channelId: string | null): Promise<void> {
  return schedule.schedule(SWEEP, "hourly", now + SWEEP_EVERY_MS, channelId);
}

/** Watches from before the schedule existed had the alarm set directly: give their expiry a row. */
export async function adoptWatchExpiry(schedule: Schedule, watches: WatchDesk) {
  const next = watches.store.nextExpiry();
  if (next !== null && schedule.when(WATCH_EXPIRY, "next") === null) await schedule.schedule(WATCH_EXPIRY, "next", next);
}

async function sweep({ env, state, local, ledger, limits, pages, media, watches, liveness, resumes, resumed }: UpkeepParts, channelId: string | null, now: number): Promise<number | null> {
  watches.store.purge(now, signalRetentionMs(env));
  resumes.sweep(now, signalRetentionMs(env));
  const row = channelId ? await state.load(channelId) : null;
  if (channelId && !row) return null;
  if (row) {
    local.sweep(now, retentionMs(env), row.pairingCode);
    ledger.sweep(now, retentionMs(env));
    limits.sweep(now);
    pages.sweep(now);
    await media.sweep(now, retentionMs(env));
    resumed.sweep(now, retentionMs(env));
    await liveness.sweep(row.id, now);
    return now + SWEEP_EVERY_MS;
  }
  // The hub: nothing to sweep once its watches and signals are gone; its next watch schedules the sweep again.
  return watches.store.isEmpty() && resumes.isEmpty() ? null : now + SWEEP_EVERY_MS;
}
