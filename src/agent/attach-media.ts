// attach_media: the tool a turn's agent uses to send a picture or file with its reply (the turn's one message then
// goes as an MMS). The channel object checks and stores each item; the model gets its answer, a refusal included,
// as the tool's result, so it can tell the person what it could not send.
import { tool } from "ai";
import { z } from "zod";
import { channelStub } from "../channel/client";
import type { AttachOutcome, TurnRun } from "../channel/attachments";

export const ATTACH_MEDIA_DESCRIPTION =
  "Attach a picture or file to your reply; the reply then goes as one MMS with your text. Give media_id (a media " +
  "id from an [Attached: …] line, such as med_…) to send back something stored here, or url: an https address under " +
  "the prefixes the owner allowed. Pictures, audio, video, contact cards and PDFs; at most 10 items, 5 MB in all.";

export const AttachMediaInput = z
  .object({
    media_id: z.string().min(1).max(64).optional().describe("A stored media id (med_…)."),
    url: z.string().url().max(2000).optional().describe("An https URL the owner allowed (MEDIA_ALLOWED_URLS)."),
  })
  .refine((i) => (i.media_id === undefined) !== (i.url === undefined), "give exactly one of media_id and url");

/** `turn.run`: the Queue job and attempt running the turn; the object refuses a run that was replaced. */
export function attachMediaTool(env: Env, turn: { channelId: string; turnId: string; run: TurnRun }) {
  return tool({
    description: ATTACH_MEDIA_DESCRIPTION,
    inputSchema: AttachMediaInput,
    execute: async (input): Promise<AttachOutcome> =>
      channelStub(env, turn.channelId).attachMedia(turn.channelId, turn.turnId, { mediaId: input.media_id, url: input.url }, turn.run),
  });
}
