// The API's media shapes: an item of a message (MMS picture or file) and where its bytes are.
import { z } from "zod";
import { component, Id } from "./common";

export const Media = component(
  "Media",
  z.object({
    id: Id("med", "media item"),
    content_type: z.string().describe("image/jpeg, audio/amr, text/vcard, application/pdf …"),
    size: z.number().int().nullable().describe("Bytes, once stored."),
    status: z.enum(["pending", "stored", "too_big", "refused_type", "failed"]).describe("pending: being downloaded (a transient failure is retried; `reason` says why the last try failed)."),
    reason: z.string().nullable().describe("Why it is not stored (or why the last attempt failed, while pending)."),
    url: z.string().describe("/api/media/{id}: the bytes, with the admin token, a UI session, or an agent key of the channel's agent."),
  }),
  "A media item of a message (an MMS picture or file).",
);

export const MediaParams = z.object({ id: z.string().min(1).max(64).describe("The media item's id (med_…), from a message's or a signal's media list.") });
