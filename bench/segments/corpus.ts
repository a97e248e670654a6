// The benchmark corpus: agent SMS replies written to look like what chat models actually send, grouped by kind.
// A mix on purpose: plain GSM-7 text, typographic punctuation, markdown, emoji, non-Latin scripts, long answers.
import { appointments } from "./corpus/appointments.ts";
import { chat } from "./corpus/chat.ts";
import { international } from "./corpus/international.ts";
import { long } from "./corpus/long.ts";
import { markdown } from "./corpus/markdown.ts";
import { reminders } from "./corpus/reminders.ts";
import { tools } from "./corpus/tools.ts";
import { weather } from "./corpus/weather.ts";

export const CORPUS: readonly string[] = [
  ...appointments,
  ...weather,
  ...reminders,
  ...tools,
  ...chat,
  ...markdown,
  ...international,
  ...long,
];

// What a model says while it calls a tool, before its final answer; paired with replies to make multi-step turns.
export const TOOL_STEP_TEXTS: readonly string[] = [
  "Let me check your calendar…",
  "One sec — looking that up.",
  "Checking the forecast now.",
  "I’ll search your email for that.",
  "Let me look at the tracking info...",
  "Give me a moment while I check.",
  "Looking it up – this may take a few seconds.",
  "Sure, checking availability…",
  "On it.",
  "Let me pull up your reminders.",
];
