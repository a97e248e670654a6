// Taking and letting go of a Twilio number. A channel claims its number in D1 (db/numbers.ts) so no second channel
// can take it over; when a channel lets go (delete, disconnect) it clears the number's SmsUrl only while that still
// points at this channel: a number someone pointed elsewhere since is no longer ours to clear.
import { channelWithNumber } from "../db/numbers";
import { urlVariants } from "../domain/twilio/signature";
import { fail } from "../lib/result";
import type { ChannelState } from "./state";

/** What letting go of the number did: cleared, left alone (and why), or Twilio could not be asked. */
export type NumberRelease = { status: "cleared" } | { status: "left_alone"; found: string; message: string } | { status: "unreachable"; message: string };

/** The 409 for a number another channel has, naming that channel. */
export async function numberInUse(state: ChannelState, accountSid: string, fromNumber: string, exceptId: string) {
  return numberInUseFailure(await channelWithNumber(state.db, accountSid, fromNumber, exceptId), accountSid, fromNumber);
}

export function numberInUseFailure(holder: { id: string; handle: string } | undefined, accountSid: string, fromNumber: string) {
  const who = holder ? `channel ${holder.handle} (${holder.id})` : "another channel";
  return fail(409, "number_in_use", `${fromNumber} in Twilio account ${accountSid} already belongs to ${who}. A number can serve one channel: delete that channel or give it another number first.`, {
    field: "config.from_number",
    ...(holder ? { channel: holder } : {}),
  });
}

/**
 * Clears the SmsUrl this channel set, after reading the number: one pointing elsewhere is left as it is. `sid`: the
 * number let go of (by default the channel's own; a channel moved to another number lets go of the one it left).
 */
export async function releaseNumber(state: ChannelState, sid = state.row.numberSid): Promise<NumberRelease> {
  if (!sid) return { status: "cleared" };
  const ours = state.webhookUrl();
  try {
    const client = await state.client();
    const read = await client.getIncomingNumber(sid);
    if (!read.ok) {
      // A number gone from the account has no SmsUrl left to clear.
      if (read.error.kind === "client" && read.error.status === 404) return { status: "cleared" };
      return { status: "unreachable", message: read.error.message };
    }
    const found = read.value.sms_url ?? "";
    if (!found) return { status: "cleared" };
    if (!ours || !urlVariants(ours).includes(found)) {
      return { status: "left_alone", found, message: `The number's SmsUrl is ${found}, not this channel's webhook, so it was left as it is.` };
    }
    const res = await client.updateIncomingNumber(sid, { SmsUrl: "" });
    if (res.ok || (res.error.kind === "client" && res.error.status === 404)) return { status: "cleared" };
    return { status: "unreachable", message: res.error.message };
  } catch (err) {
    return { status: "unreachable", message: err instanceof Error ? err.message : String(err) };
  }
}
