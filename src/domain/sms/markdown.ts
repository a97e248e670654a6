// Agents answer in markdown, but a phone shows the raw characters. This flattens a reply to plain text that still
// reads as structured (lists stay lists, links keep their URL) without markup the reader has to skip over.
import { inlineToPlain } from "./inline";

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const HEADING = /^\s{0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/;
// Thematic breaks (---, ***, _ _ _) and setext underlines (=== or --- under a line) are decoration only.
const RULE = /^\s{0,3}(?:([-*_])(?:[ \t]*\1){2,}|=+|-+)[ \t]*$/;
const QUOTE = /^\s{0,3}>[ \t]?/;
const BULLET = /^([ \t]*)[-*+][ \t]+(.*)$/;
const NUMBERED = /^([ \t]*)(\d{1,9}[.)])[ \t]+(.*)$/;
const CELL_SEPARATOR = /(?<!\\)\|/;

export function markdownToPlain(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (fence !== null) {
      // Code is kept verbatim: no inline rules, so `a*b*c` or snake_case in code stays as written.
      if (closesFence(line, fence)) fence = null;
      else out.push(line);
      continue;
    }
    const opening = FENCE.exec(line);
    if (opening) {
      fence = opening[1] ?? "```";
      continue;
    }
    if (isTableStart(lines, i)) {
      i = flattenTable(lines, i, out);
      continue;
    }
    out.push(blockLine(line));
  }
  return out
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function blockLine(raw: string): string {
  let line = raw;
  while (QUOTE.test(line)) line = line.replace(QUOTE, "");
  if (RULE.test(line)) return "";

  const heading = HEADING.exec(line);
  if (heading) return inlineToPlain(heading[1] ?? "");
  const bullet = BULLET.exec(line);
  if (bullet) return `${indent(bullet[1])}- ${inlineToPlain(bullet[2] ?? "")}`;
  const numbered = NUMBERED.exec(line);
  if (numbered) return `${indent(numbered[1])}${numbered[2]} ${inlineToPlain(numbered[3] ?? "")}`;
  // A trailing backslash is a markdown hard line break; the newline itself already does that job.
  return inlineToPlain(line.trim().replace(/\\$/, ""));
}

function indent(whitespace: string | undefined): string {
  return (whitespace ?? "").replace(/\t/g, "  ");
}

function closesFence(line: string, fence: string): boolean {
  const match = /^\s{0,3}(`{3,}|~{3,})\s*$/.exec(line);
  const marker = match?.[1];
  return marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length;
}

function isTableStart(lines: readonly string[], i: number): boolean {
  const next = lines[i + 1];
  return (lines[i] ?? "").includes("|") && next !== undefined && isDivider(next);
}

function isDivider(line: string): boolean {
  return line.includes("|") && line.includes("-") && /^[\s|:-]+$/.test(line);
}

// A table becomes one line per row with cells joined by ", ": readable on a phone and cheaper than pipes, which
// are two-septet extension characters in GSM-7. Returns the index of the table's last line.
function flattenTable(lines: readonly string[], start: number, out: string[]): number {
  out.push(tableRow(lines[start] ?? ""));
  let i = start + 2;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (!line.includes("|") || line.trim() === "") break;
    out.push(tableRow(line));
  }
  return i - 1;
}

function tableRow(line: string): string {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(CELL_SEPARATOR)
    .map((cell) => inlineToPlain(cell.trim()))
    .filter((cell) => cell !== "")
    .join(", ");
}
