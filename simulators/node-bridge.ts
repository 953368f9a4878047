/**
 * Node's IncomingMessage/ServerResponse <-> the Fetch Request/Response a Handler speaks. This is on the hot path
 * of every benchmark: headers are copied once, a body in one chunk is passed without concatenation, and a
 * buffered Response is written in one call with a Content-Length (no chunked framing).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Peer } from '../core/http.js';
import { BodyTooLargeError, concat, declaredTooLarge } from '../core/http-body.js';
import { BufferedRequest, BufferedResponse } from '../core/http-buffered.js';

const peers = new WeakMap<Socket, Peer>();

/** The Peer of a connection, computed once per socket (keep-alive reuses it; the certificate parse is not free). */
export function peerOf(socket: Socket): Peer {
  let peer = peers.get(socket);
  if (peer) return peer;
  const tlsSocket = socket as Partial<TLSSocket>;
  if (tlsSocket.encrypted) {
    const cert = tlsSocket.getPeerX509Certificate?.();
    peer = Object.freeze({
      address: socket.remoteAddress ?? '',
      tls: true,
      ...(cert ? { clientCertificate: cert } : {}),
      clientCertificateAuthorized: tlsSocket.authorized === true,
    });
  } else {
    peer = Object.freeze({ address: socket.remoteAddress ?? '', tls: false });
  }
  peers.set(socket, peer);
  return peer;
}

/** Path part of a request target, in the form URL parsing gives it (so mount selection matches msw's). */
export function pathnameOf(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  // Dot segments, escapes and backslashes are normalised by the URL parser; everything else is already canonical.
  if (path.charCodeAt(0) === 47 && !/[.%\\]/.test(path)) return path;
  return new URL(target, 'http://x').pathname;
}

export function absoluteUrl(req: IncomingMessage): string {
  const target = req.url ?? '/';
  if (target.charCodeAt(0) !== 47) return new URL(target).href; // absolute-form (a proxy-style request)
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  return `${scheme}://${host}${target}`;
}

function hasBody(req: IncomingMessage): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/** True when the request announces a body over the limit: answer 413 without reading it. */
export function announcesTooLarge(req: IncomingMessage, limit: number): boolean {
  return declaredTooLarge(req.headers['content-length'], limit);
}

/** The request body, counted while it arrives; BodyTooLargeError as soon as it passes the limit. */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  if (!hasBody(req)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(total === 0 ? null : concat(chunks, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      if (!req.complete) onError(new Error('client closed the connection before the body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export function toFetchRequest(req: IncomingMessage, body: Uint8Array | null, signal: AbortSignal | undefined): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const init: Omit<RequestInit, 'body'> = { method: req.method ?? 'GET', headers };
  if (signal) init.signal = signal;
  // The body is complete already: no ReadableStream unless a handler asks for one (core/http-buffered.ts).
  return body ? new BufferedRequest(absoluteUrl(req), init, body) : new Request(absoluteUrl(req), init);
}

const NO_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** Resolves with the next chunk if the stream has it ready (within a few microtasks), else with `undefined`. */
function readIfReady(
  pending: Promise<ReadableStreamReadResult<Uint8Array>>,
): Promise<ReadableStreamReadResult<Uint8Array> | undefined> {
  // A Response built from a string or bytes delivers its one chunk and closes within two microtask hops.
  return Promise.race([pending, Promise.resolve().then(() => Promise.resolve(undefined))]);
}

/**
 * Writes a Fetch Response to a Node response. A body that is already complete (the usual case: a Response made
 * from bytes or a string) goes out with Content-Length in one write; a body still being produced is streamed with
 * chunked framing and backpressure. Rejects when the body stream errors; the caller decides what the client sees.
 */
export async function writeFetchResponse(
  res: ServerResponse,
  response: Response,
  options: { headOnly: boolean; close?: boolean },
): Promise<void> {
  const { headOnly } = options;
  const flat: string[] = [];
  let declaredLength: string | null = null;
  response.headers.forEach((value, key) => {
    if (key === 'set-cookie' || key === 'transfer-encoding' || key === 'connection' || key === 'keep-alive') return;
    if (key === 'content-length') {
      declaredLength = value;
      return;
    }
    flat.push(key, value);
  });
  for (const cookie of response.headers.getSetCookie()) flat.push('set-cookie', cookie);
  // writeHead with a flat array keeps repeated fields (Set-Cookie) as they are; nothing may use setHeader first.
  if (options.close) flat.push('connection', 'close');
  const status = response.status;
  const statusText = response.statusText || undefined;

  // Bytes already in memory (core/http-buffered.ts): one write, no stream to build and read back.
  const bytes = response instanceof BufferedResponse ? response.takeBytes() : undefined;
  if (bytes) {
    flat.push('content-length', String(bytes.byteLength));
    res.writeHead(status, statusText, flat);
    res.end(headOnly || bytes.byteLength === 0 ? undefined : bytes);
    return;
  }

  if (!response.body || NO_BODY_STATUS.has(status)) {
    if (response.body) void response.body.cancel().catch(() => undefined);
    if (!NO_BODY_STATUS.has(status)) flat.push('content-length', declaredLength ?? '0');
    res.writeHead(status, statusText, flat);
    res.end();
    return;
  }
  if (headOnly) {
    void response.body.cancel().catch(() => undefined); // not awaited: a tee'd body settles late
    if (declaredLength !== null) flat.push('content-length', declaredLength);
    res.writeHead(status, statusText, flat);
    res.end();
    return;
  }

  const reader = response.body.getReader();
  // If the client goes away mid-stream, cancel the body so its producer learns of it.
  const cancel = () => void reader.cancel().catch(() => undefined);
  try {
    // Take what is ready now; if that is the whole body, send it with a Content-Length.
    const ready: Uint8Array[] = [];
    let total = 0;
    let pending = reader.read();
    for (;;) {
      const result = await readIfReady(pending);
      if (result === undefined) break;
      if (result.done) {
        flat.push('content-length', String(total));
        res.writeHead(status, statusText, flat);
        res.end(total === 0 ? undefined : concat(ready, total));
        return;
      }
      ready.push(result.value);
      total += result.value.byteLength;
      pending = reader.read();
    }
    // Still being produced: stream it.
    if (declaredLength !== null) flat.push('content-length', declaredLength);
    res.writeHead(status, statusText, flat);
    res.once('close', cancel);
    for (const chunk of ready) await writeChunk(res, chunk);
    for (;;) {
      const next = await pending;
      if (next.done || res.destroyed) break;
      await writeChunk(res, next.value);
      pending = reader.read();
    }
    res.end();
  } finally {
    res.off('close', cancel);
    reader.releaseLock();
  }
}

function writeChunk(res: ServerResponse, chunk: Uint8Array): Promise<void> | void {
  if (res.write(chunk)) return;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
