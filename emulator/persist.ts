// The emulator's state file: under `npm start` its accounts, numbers (SmsUrl, SmsMethod, …), messages and phone
// texts (and any Messaging Services and inbound media) live in .wrangler/state/twilio-emulator.json, next to wrangler's own local state, so a restart changes
// nothing a user can see. Each change is written whole to a temporary file that is then renamed over the old one
// (a crash leaves either the old state or the new, never half of one), and the file is kept bounded.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type EmulatorState, MediaSchema, MessageSchema, NumberSchema, PhoneTextSchema, ServiceSchema } from "./state.ts";

/** Kept per account and on the phone page; older ones are dropped first. */
export const MAX_MESSAGES = 1000;
export const MAX_PHONE_TEXTS = 1000;
export const MAX_ACCOUNTS = 100;
/** Inbound media bytes kept (the newest items that fit; one item of the largest size the app takes always does). */
export const MAX_MEDIA_BYTES = 8 * 1024 * 1024;

const FileSchema = z.object({
  version: z.literal(1),
  accounts: z.array(
    z.object({ sid: z.string(), token: z.string(), auto_status: z.boolean(), numbers: z.array(NumberSchema), messages: z.array(MessageSchema) }),
  ),
  services: z.array(ServiceSchema),
  phone_texts: z.array(PhoneTextSchema),
  /** Absent in files written before the emulator kept media. */
  media: z.array(MediaSchema).default([]),
});
type StateFile = z.infer<typeof FileSchema>;

/** A state file that cannot be used: the message says which file, what is wrong with it and what to do. */
export class EmulatorStateError extends Error {
  override name = "EmulatorStateError";
}

const remedy = (file: string) =>
  `Delete it to start the emulator afresh (rm ${file}); its numbers then have no SmsUrl until each channel is pointed back (Point it back on its page, or POST /api/channels/:id/connect).`;

/** Fills `state` from `file`; a missing file is an empty state. Throws EmulatorStateError for anything unreadable. */
export function loadState(file: string, state: EmulatorState): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new EmulatorStateError(`The Twilio emulator cannot read its state file ${file}: ${(e as Error).message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EmulatorStateError(`The Twilio emulator's state file ${file} is not valid JSON (${(e as Error).message}); it may have been cut short. ${remedy(file)}`);
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ");
    throw new EmulatorStateError(`The Twilio emulator's state file ${file} is not a state it wrote (${issues}). ${remedy(file)}`);
  }
  for (const a of parsed.data.accounts) {
    state.accounts.set(a.sid, { sid: a.sid, token: a.token, autoStatus: a.auto_status, numbers: a.numbers, messages: a.messages, requests: [], faults: [], held: [] });
  }
  for (const s of parsed.data.services) state.services.set(s.sid.toLowerCase(), s);
  state.phoneTexts.push(...parsed.data.phone_texts);
  for (const m of parsed.data.media) state.media.set(m.sid, m);
}

/** Drops the oldest messages, phone texts and accounts past the bounds, in memory too, so the file stays small. */
function trim(state: EmulatorState) {
  for (const acct of state.accounts.values()) if (acct.messages.length > MAX_MESSAGES) acct.messages.splice(0, acct.messages.length - MAX_MESSAGES);
  if (state.phoneTexts.length > MAX_PHONE_TEXTS) state.phoneTexts.splice(0, state.phoneTexts.length - MAX_PHONE_TEXTS);
  const extra = state.accounts.size - MAX_ACCOUNTS;
  if (extra > 0) for (const sid of [...state.accounts.keys()].slice(0, extra)) state.accounts.delete(sid);
  // Media: the newest items within the byte budget, of accounts still kept.
  let bytes = 0;
  [...state.media.values()].reverse().forEach((m, newest) => {
    bytes += Buffer.byteLength(m.data_b64, "base64");
    if (!state.accounts.has(m.account_sid) || (newest > 0 && bytes > MAX_MEDIA_BYTES)) state.media.delete(m.sid);
  });
}

function snapshot(state: EmulatorState): StateFile {
  return {
    version: 1,
    accounts: [...state.accounts.values()].map((a) => ({ sid: a.sid, token: a.token, auto_status: a.autoStatus, numbers: a.numbers, messages: a.messages })),
    services: [...state.services.values()],
    phone_texts: state.phoneTexts,
    media: [...state.media.values()],
  };
}

/**
 * Saves `state` to `file` after every change: changes in the same turn of the event loop share one write. Returns
 * flush(), which writes a pending change at once (call it before exiting).
 */
export function persistTo(file: string, state: EmulatorState): { flush(): void } {
  // Resolved first: a recursive mkdir of a relative path spins forever once the working directory is deleted.
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  let pending = false;
  let warned = false;
  const write = () => {
    pending = false;
    trim(state);
    try {
      writeFileSync(tmp, JSON.stringify(snapshot(state)));
      renameSync(tmp, file);
    } catch (e) {
      // The emulator keeps working from memory; a full disk must not take the local app down with it.
      if (!warned) console.warn(`twilio emulator: could not save its state to ${file}: ${(e as Error).message}`);
      warned = true;
    }
  };
  state.onChange(() => {
    if (pending) return;
    pending = true;
    setImmediate(() => pending && write());
  });
  return { flush: () => pending && write() };
}
