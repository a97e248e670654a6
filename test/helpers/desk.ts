// A channel object's watch desk built by hand inside runInDurableObject, for tests that drive the router with a
// stand-in hub. Nothing it holds resumes a conversation, so its outbox refuses to send.
import { ResumeOutbox } from "../../src/channel/resume-outbox";
import { Schedule } from "../../src/channel/schedule";
import { WatchDesk } from "../../src/channel/watch-desk";
import { WatchStore } from "../../src/channel/watch-store";

export function deskIn(state: DurableObjectState): WatchDesk {
  const schedule = new Schedule(state.storage);
  const outbox = new ResumeOutbox(state.storage.sql, schedule, () => Promise.reject(new Error("this test's desk resumes no conversation")));
  return new WatchDesk(state, new WatchStore(state.storage.sql), schedule, outbox);
}
