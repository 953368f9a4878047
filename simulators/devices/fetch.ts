/**
 * The devices' HTTP: the global fetch (real sockets) by default, with the platform's User-Agent on every
 * request; or a Handler called in process, for fast tests of a simulator without a listener.
 */
import { type Handler, loopbackPeer, type Peer } from '../../core/http.js';
import { BodyTooLargeError, declaredTooLarge, readStreamLimited } from '../../core/http-body.js';
import type { FetchLike } from '../../core/scep/client-transport.js';

export type { FetchLike };

export const globalFetch: FetchLike = (input, init) => fetch(input, init);

/** Adds a User-Agent header (unless the caller set one). */
export function withUserAgent(inner: FetchLike, userAgent: string): FetchLike {
  return (input, init) => {
    const headers = new Headers(init.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', userAgent);
    return inner(input, { ...init, headers });
  };
}

/** A fetch that calls `handler` directly: the same Request/Response the socket adapter would build. */
export function handlerFetch(handler: Handler, peer: Peer = loopbackPeer): FetchLike {
  return async (input, init) => handler(new Request(input, init), peer);
}

/**
 * Reads a response body, refusing more than `limit` bytes (a device has finite memory, and a hostile server
 * should not be able to make the harness hold gigabytes).
 */
export async function readBody(response: Response, limit: number): Promise<Uint8Array> {
  const declared = response.headers.get('content-length');
  if (declaredTooLarge(declared, limit)) {
    await response.body?.cancel().catch(() => undefined);
    throw new RangeError(`response body of ${declared} bytes exceeds the limit of ${limit}`);
  }
  if (!response.body) return new Uint8Array(0);
  try {
    return await readStreamLimited(response.body, limit);
  } catch (error) {
    throw error instanceof BodyTooLargeError ? new RangeError(`response body exceeds the limit of ${limit} bytes`) : error;
  }
}
