// Reading a body of unknown length without trusting what it declares: bytes are counted as they arrive, and the
// read stops (and the stream is cancelled) as soon as it passes the limit, so a sender cannot make us buffer more.

/** The whole stream, or null once it is longer than `max` bytes. A stream that breaks off rejects. */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(r.value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
