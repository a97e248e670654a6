// SMS body composition for message mode: GSM-7/UCS-2 encoding, segment counting, typographic normalisation,
// markdown flattening, and the one-body-per-turn composer that ties them together.
export { encodingOf, isGsm7, isGsm7Char, septetsOf, type SmsEncoding } from "./gsm7";
export { countSegments, GSM7_PART, GSM7_SINGLE, UCS2_PART, UCS2_SINGLE, type SegmentCount } from "./segments";
export {
  containsTypography,
  gsmNormalization,
  normalizeForGsm,
  replaceTypography,
  type GsmNormalization,
} from "./normalize";
export { markdownToPlain } from "./markdown";
export { cap, composeTurnBody, MAX_BODY_CHARS, MAX_FULL_REPLY_CHARS, type ComposeOptions, type TurnBody } from "./compose";
