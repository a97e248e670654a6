// attach_media: an agent adds a picture or file to its turn's one reply, which then goes as an MMS. A stored item of
// this channel is copied to an item of the reply's own; a URL is fetched only under the owner's MEDIA_ALLOWED_URLS
// (every redirect too), with the inbound limits (allowlisted types, 5 MB). Either way the reply's item is stored in
// R2 before the tool answers, so the reply's MediaUrl (a signed link, fixed in the ledger) always has bytes behind it.
import { fetchMedia, humanSize, MAX_MEDIA_BYTES, refuseAttachUrl, type UrlPrefix } from "../domain/media";
import { newId } from "../lib/crypto";
import type { MediaRecord, MediaStore } from "./media-store";

/** What a model asks to attach: a stored item's id or a URL (exactly one). */
export type AttachRequest = { mediaId?: string; url?: string };
/** Which run of a turn asks: its Queue job and attempt, as the turn's slot records the run that holds it. */
export type TurnRun = { jobId: string; attempt: number };
/** Why the asking run may no longer attach (its turn moved on), or null: asked again in the step that records. */
export type AttachGuard = () => string | null;
export type AttachOutcome =
  | { status: "attached"; id: string; content_type: string; size: number; attached: number }
  | { status: "refused"; reason: string };

/** Twilio's limits for one MMS: 10 items, 5 MB in all. */
export const MAX_ATTACHMENTS = 10;

export interface AttachDeps {
  store: MediaStore;
  bucket: Pick<R2Bucket, "get" | "put" | "delete">;
  copy: (r: MediaRecord) => Promise<unknown>;
  /** MEDIA_ALLOWED_URLS, parsed. */
  allowed: () => UrlPrefix[];
  now: () => number;
  fetch?: typeof fetch;
}

const refused = (reason: string): AttachOutcome => ({ status: "refused", reason });

export async function attachMedia(d: AttachDeps, turnId: string, req: AttachRequest, guard: AttachGuard = () => null): Promise<AttachOutcome> {
  const early = guard() ?? overLimit(d.store.ofTurn(turnId), 0);
  if (early) return refused(early);
  const got = req.mediaId ? await fromStored(d, req.mediaId) : req.url ? await fromUrl(d, req.url) : { status: "refused" as const, reason: "give media_id or url" };
  if (got.status === "refused") return got;
  const tooMuch = overLimit(d.store.ofTurn(turnId), got.bytes.byteLength);
  if (tooMuch) return refused(tooMuch);
  const id = newId("med");
  const rec = { id, sourceUrl: req.url ?? null, contentType: got.contentType, size: got.bytes.byteLength };
  // Stored before it is recorded: a record never names bytes that are not there.
  await d.bucket.put(d.store.keyFor(id), got.bytes, { httpMetadata: { contentType: got.contentType } });
  // A model's parallel tool calls, and a newer run of the turn, interleave at every await above, so the limits and
  // the guard are asked again in the step that records the item; one that no longer may loses its bytes.
  const attached = d.store.ofTurn(turnId);
  const late = guard() ?? overLimit(attached, rec.size);
  if (late) {
    await d.bucket.delete(d.store.keyFor(id));
    return refused(late);
  }
  const row = d.store.addOutbound(turnId, rec, d.now());
  try {
    await d.copy(row);
  } catch (err) {
    // Twilio fetches the reply's signed link through D1's copy: an item D1 does not know would fail the whole MMS.
    d.store.delete([id]);
    await d.bucket.delete(d.store.keyFor(id));
    return refused(`could not be recorded: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { status: "attached", id, content_type: row.content_type, size: rec.size, attached: attached.length + 1 };
}

/** Why one more item of `size` bytes does not fit beside what the turn has attached, or null when it does. */
function overLimit(attached: MediaRecord[], size: number): string | null {
  if (attached.length >= MAX_ATTACHMENTS) return `a reply carries at most ${MAX_ATTACHMENTS} attachments`;
  const total = attached.reduce((sum, a) => sum + (a.size ?? 0), size);
  return total > MAX_MEDIA_BYTES ? `the attachments would pass ${humanSize(MAX_MEDIA_BYTES)} in all, Twilio's limit for one MMS` : null;
}

type Got = { status: "ok"; bytes: Uint8Array; contentType: string } | { status: "refused"; reason: string };

async function fromStored(d: AttachDeps, mediaId: string): Promise<Got> {
  const src = d.store.get(mediaId);
  if (!src || src.status !== "stored") return { status: "refused", reason: `${mediaId} is not a stored media item of this channel` };
  const object = await d.bucket.get(src.r2_key);
  if (!object) return { status: "refused", reason: `${mediaId} is no longer kept` };
  return { status: "ok", bytes: new Uint8Array(await object.arrayBuffer()), contentType: src.content_type };
}

async function fromUrl(d: AttachDeps, url: string): Promise<Got> {
  const prefixes = d.allowed();
  if (!prefixes.length) return { status: "refused", reason: "attaching by URL is off: the owner has listed no MEDIA_ALLOWED_URLS" };
  const got = await fetchMedia(url, null, { refuse: (u) => refuseAttachUrl(u, prefixes), headers: () => ({}), fetch: d.fetch });
  return got.status === "ok" ? got : { status: "refused", reason: got.reason };
}
