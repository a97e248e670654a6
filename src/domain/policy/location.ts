// Cedar reports source positions as UTF-8 byte offsets (it is Rust); editors and people want 1-based lines and
// columns in the JavaScript string. One accented letter before an error would otherwise shift every column.

export interface SourcePosition {
  line: number;
  column: number;
}

export function positionAt(text: string, byteOffset: number): SourcePosition {
  const bytes = new TextEncoder().encode(text);
  const index = new TextDecoder().decode(bytes.subarray(0, Math.max(0, Math.min(byteOffset, bytes.length)))).length;
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf("\n") + 1;
  let line = 1;
  for (const ch of before) if (ch === "\n") line++;
  return { line, column: index - lineStart + 1 };
}
