// Signal mode's pure core: annotating an inbound SMS and routing it to the agents waiting on signal watches.
// The channel Durable Object stores signals and watches; everything it decides about them comes from here.
export { annotate } from "./extract";
export { CATEGORIES, categorize, isCategory } from "./categories";
export type { Category } from "./categories";
export type { Annotation } from "./extract";
export type { Sender, SenderKind } from "./sender";
export type { Topic } from "./topics";
export { isContinuous, isJudged, newWatch, pickSignalForWatch, pickWatchForSignal, signalMatches, signalsForWatcher, watchersOfSignal, watchesToJudge } from "./watch";
export type { Issue, Signal, SignalMedia, WatchInput, WatchInputResult, WatchParams, WatchSpec } from "./watch";
export {
  DEFAULT_LOOKBACK_S,
  WatchInput as WatchInputSchema,
  WatchRequest,
  checkWatchRules,
  isRecord,
  issuesOf,
  parseWatchInput,
  storedParams,
  toWatchParams,
  watchFields,
  withWatchRules,
} from "./watch-input";
export type { WatchMode } from "./watch-input";
export * from "./limits";
export { continuationPrompt, settlementSummary, settlementsIn, type Settlement, type SettlementSignal } from "./continuation";
