// Which media textgate keeps, shows and sends: pictures, audio, video, contact cards and PDFs, up to 5 MB each. An
// allowlist rather than a blocklist, because the stored bytes are later served from this deployment's own origin.
// SVG and HTML are absent on purpose: served from here they could run script.

/** Twilio's MMS limit, per item here (and in total for one outbound message). */
export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

const IMAGES = new Set(["image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/bmp", "image/tiff"]);
const OTHERS = new Set(["text/vcard", "text/x-vcard", "text/directory", "application/pdf"]);
/** Audio and video travel under many subtypes (amr, 3gpp, mp4, ogg, quicktime …); none of them is script. */
const FAMILIES = ["audio/", "video/"];

/** The bare media type: lowercase, without parameters ("image/JPEG; q=1" → "image/jpeg"). */
export function bareType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

export function allowedType(contentType: string): boolean {
  const t = bareType(contentType);
  return IMAGES.has(t) || OTHERS.has(t) || (FAMILIES.some((f) => t.startsWith(f)) && /^[a-z]+\/[a-z0-9.+-]+$/.test(t));
}

/** Pictures a model can be shown (the rest is described to it in words). */
export function isImage(contentType: string): boolean {
  return IMAGES.has(bareType(contentType));
}

/** "2.4 MB", "820 KB", "35 bytes": for a person or a model reading about a file. */
export function humanSize(bytes: number | null): string {
  if (bytes === null) return "size unknown";
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
