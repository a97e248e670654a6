// Signal mode's pure core: annotating an inbound SMS and routing it to the agents waiting on signal watches.
// The channel Durable Object stores signals and watches; everything it decides about them comes from here.
export { annotate } from "./extract";
export { CATEGORIES, categorize, isCategory } from "./categories";
export type { Category } from "./categories";
export type { Annotation } from "./extract";
export type { Sender, SenderKind } from "./sender";
export type { Topic } from "./topics";
export { newWatch, pickSignalForWatch, pickWatchForSignal, signalMatches, validateWatchInput } from "./watch";
export type { Issue, Signal, SignalMedia, WatchInput, WatchInputResult, WatchParams, WatchSpec } from "./watch";
export { DEFAULT_LOOKBACK_S, MAX_LOOKBACK_S, MAX_TIMEOUT_S } from "./watch-input";
export {
  MAX_CHANNEL_ID_LENGTH,
  MAX_CONTAINS_LENGTH,
  MAX_FROM_LENGTH,
  MAX_PATTERN_LENGTH,
  MAX_PATTERN_PROGRAM,
  MAX_SIGNAL_BODY_LENGTH,
} from "./limits";
