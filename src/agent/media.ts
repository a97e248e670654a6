// What a turn's model is given of its message's media: the stored pictures as image parts (read from R2), and a
// line naming every item — picture or file, type, size, media id (what attach_media takes), or why it is missing —
// so a model that cannot see pictures, and builtin:echo, still know what came with the text.
import type { ImagePart } from "ai";
import { humanSize, isImage } from "../domain/media";

export interface TurnMedia {
  id: string;
  content_type: string;
  size: number | null;
  status: string;
  reason: string | null;
  r2_key: string;
}

/** Pictures past this many bytes in one request are described instead (providers cap a request's size). */
const MAX_IMAGE_BYTES = 15 * 1024 * 1024;

export async function mediaForModel(media: TurnMedia[], bucket: Pick<R2Bucket, "get">): Promise<{ note: string; images: ImagePart[] }> {
  const images: ImagePart[] = [];
  const lines: string[] = [];
  let bytes = 0;
  for (const m of media) {
    if (m.status !== "stored") {
      lines.push(`${m.content_type} (${m.id}): ${m.status === "pending" ? "still downloading, not shown" : `not kept (${m.reason ?? m.status})`}`);
      continue;
    }
    const what = `${m.content_type}, ${humanSize(m.size)} (${m.id})`;
    const shown = isImage(m.content_type) && bytes + (m.size ?? 0) <= MAX_IMAGE_BYTES ? await bucket.get(m.r2_key) : null;
    if (!shown) {
      lines.push(`${isImage(m.content_type) ? "picture" : "file"} ${what}, not shown`);
      continue;
    }
    const data = new Uint8Array(await shown.arrayBuffer());
    bytes += data.byteLength;
    images.push({ type: "image", image: data, mediaType: m.content_type });
    lines.push(`picture ${what}`);
  }
  return { note: lines.length ? `[Attached: ${lines.join("; ")}]` : "", images };
}
