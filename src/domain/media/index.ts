// Media (MMS pictures and files): what is kept, where it may come from, and how it is fetched.
export { allowedType, bareType, humanSize, isImage, MAX_MEDIA_BYTES } from "./types";
export { addressKind, refuseMediaHop, sendsCredentials, TWILIO_API_ORIGIN } from "./hosts";
export { fetchMedia, MAX_REDIRECTS, type Fetched, type HopPolicy } from "./fetch";
export { parseAllowedUrls, refuseAttachUrl, type UrlPrefix } from "./allowed-urls";
