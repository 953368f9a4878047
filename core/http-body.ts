/**
 * Reading request bodies under a size limit, shared by both adapters (simulators/http.ts, msw.ts), the router's
 * readJson and core's own servers, so "too large" means the same thing everywhere. The limit is checked against Content-Length before anything is
 * read, then counted while reading, so an oversized body is never held in memory whole.
 */

/** 1 MiB: larger than any enrollment message (a SCEP pkiMessage with a 4096-bit key is under 10 KiB). */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`Request body exceeds the limit of ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** True when a Content-Length header value announces more than `limit` bytes. */
export function declaredTooLarge(contentLength: string | null | undefined, limit: number): boolean {
  if (!contentLength) return false;
  const n = Number(contentLength);
  return Number.isFinite(n) && n > limit;
}

/**
 * All bytes of a Fetch body stream, or BodyTooLargeError as soon as the count passes `limit` (the stream is then
 * cancelled). A single chunk is returned as is, without a copy.
 */
export async function readStreamLimited(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        // Not awaited: on a tee'd stream (msw clones requests) cancel settles only when every branch cancels.
        reader.cancel().catch(() => undefined);
        throw new BodyTooLargeError(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concat(chunks, total);
}

/** The body of a Fetch Request under a limit; null when it has none. */
export async function readRequestLimited(request: Request, limit: number): Promise<Uint8Array | null> {
  const length = request.headers.get('content-length');
  if (declaredTooLarge(length, limit)) throw new BodyTooLargeError(limit);
  if (length !== null && Number.isFinite(Number(length))) {
    // An announced length within the limit is read whole: the node bridge's requests then answer arrayBuffer()
    // without building a ReadableStream (core/http-buffered.ts). A body longer than announced is still refused.
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > limit) throw new BodyTooLargeError(limit);
    return bytes.byteLength === 0 ? null : bytes;
  }
  if (!request.body) return null;
  return readStreamLimited(request.body, limit);
}

export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
