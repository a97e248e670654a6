// Turn liveness: a conversation must never wait forever behind a turn whose Queue job was lost (a worker killed
// mid-load, a send that never happened), whose consumer died holding the lease, or that was left deferred after its
// predecessor finished. Each turn gets a check on the object's schedule; a check looks at the head of the turn's
// conversation and puts a job for it back on the Queue when it is stuck. The lease in turn_slots still decides who
// runs, so an extra job for a live turn is answered "busy" or "done" and does nothing.
import { backoff, turnJob } from "../queue/job";
import type { LocalStore, SlotRow } from "./local-store";
import type { Schedule } from "./schedule";

export const TURN_CHECK = "turn_check";
/** How much the Queue may lag in delivering a job (batch timeout, consumer start) before we call it lost. */
const QUEUE_LATENCY_MS = 60_000;

/**
 * How long a waiting turn may go without its job beginning before the job is presumed lost: twice the longest retry
 * delay the consumer asks for (a retry may be pending that long, legitimately), plus the Queue's own latency.
 */
export function jobGraceMs(env: Env): number {
  return 2 * backoff(env, Number.MAX_SAFE_INTEGER, 30) * 1000 + QUEUE_LATENCY_MS;
}

export class TurnLiveness {
  readonly #env: Env;
  readonly #local: LocalStore;
  readonly #schedule: Schedule;

  constructor(env: Env, local: LocalStore, schedule: Schedule) {
    this.#env = env;
    this.#local = local;
    this.#schedule = schedule;
  }

  /** A turn was added (or re-enqueued): check on it once its job should have begun. */
  watch(channelId: string, turnId: string, now: number): Promise<void> {
    return this.#schedule.schedule(TURN_CHECK, turnId, now + jobGraceMs(this.#env), channelId);
  }

  /** The scheduled check of one turn: rescue its conversation's head if stuck; check again until the turn is done. */
  async check(channelId: string, turnId: string, now: number): Promise<number | null> {
    const slot = this.#local.slot(turnId);
    if (!slot || slot.state === "done") return null;
    const head = this.#local.head(slot.sender);
    if (head) await this.#rescue(channelId, head, now);
    const after = this.#local.slot(turnId);
    if (!after || after.state === "done") return null;
    // A running turn is looked at again when its lease runs out; a waiting one after another grace period.
    return after.state === "running" && (after.lease_until ?? 0) > now ? after.lease_until! + 1 : now + jobGraceMs(this.#env);
  }

  /** The safety sweep for an object that restarted or lost rows from its schedule: every conversation's head. */
  async sweep(channelId: string, now: number): Promise<void> {
    for (const head of this.#local.heads()) {
      await this.#rescue(channelId, head, now);
      await this.#schedule.schedule(TURN_CHECK, head.turn_id, now + jobGraceMs(this.#env), channelId);
    }
  }

  async #rescue(channelId: string, head: SlotRow, now: number) {
    if (!this.#stuck(head, now)) return;
    // The job first, then the mark: a crash between them leaves one extra job, which the lease makes harmless.
    await this.#env.TURNS.send(turnJob(channelId, head.turn_id));
    this.#local.requeued(head.turn_id, now);
  }

  #stuck(head: SlotRow, now: number): boolean {
    switch (head.state) {
      case "running":
        return (head.lease_until ?? 0) <= now;
      case "deferred":
        // It is the head, so nothing runs before it: whoever closed its predecessor did not hand it on.
        return true;
      case "queued":
        return now - (head.changed_at ?? 0) >= jobGraceMs(this.#env);
      default:
        return false;
    }
  }
}
