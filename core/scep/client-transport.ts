/**
 * The HTTP side of the SCEP client (RFC 8894 §4.1): URLs with `operation=` and `message=`, PKIOperation by
 * POST (raw DER, application/x-pki-message) or GET (standard base64, percent-escaped; or macOS's form with `+`
 * and `/` left raw), a timeout over the whole exchange, a size limit on every response body, and one recorded
 * exchange per request for reports. `fetch` is injected so tests and recorders can stand in for the network.
 */
import type { Clock } from '../clock.js';
import { BodyTooLargeError, declaredTooLarge, readStreamLimited } from '../http-body.js';
import { bodySnippet, ScepClientError } from './client-errors.js';

export type ScepOperation = 'GetCACaps' | 'GetCACert' | 'GetNextCACert' | 'PKIOperation';

/** The decoded gist of a pkiMessage, for sequence diagrams: names, not numbers. */
export interface MessageSummary {
  messageType?: string;
  transactionId?: string;
  pkiStatus?: string;
  failInfo?: string;
  failInfoText?: string;
  /** Content cipher of the pkcsPKIEnvelope, when there is one. */
  cipher?: string;
}

/** One HTTP request and its answer; structurally a suites/model.ts Exchange plus the decoded summaries. */
export interface ScepExchange {
  label: string;
  /** The parties, for sequence diagrams: the client and the server (by default the URL's host). */
  from: string;
  to: string;
  operation: string;
  method: string;
  /** The request URL, with a long GET `message` cut short. */
  url: string;
  /** 0 when no HTTP answer came (timeout, connection refused). */
  status: number;
  requestContentType?: string;
  responseContentType?: string;
  requestBytes: number;
  responseBytes: number;
  /** Epoch milliseconds, from the client's clock. */
  startedAt: number;
  durationMs: number;
  request?: MessageSummary;
  response?: MessageSummary;
  /** Why no usable answer came, when none did. */
  error?: string;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  url: string;
  fetch: FetchLike;
  clock: Clock;
  timeoutMs: number;
  maxResponseBytes: number;
  macOsGetQuirk: boolean;
  onExchange?: (exchange: ScepExchange) => void;
  /** Names of the two parties in recorded exchanges. */
  parties?: { from: string; to: string };
}

export interface SendInput {
  operation: string;
  method: 'GET' | 'POST';
  /** GET: the `message` parameter as text (CA identifier), sent percent-escaped. */
  message?: string;
  /** GET PKIOperation: the pkiMessage DER, sent as base64 in `message`. POST: the body. */
  der?: Uint8Array;
  /** POST: a raw body to send as is (probes of malformed and oversize input). */
  body?: Uint8Array;
  contentType?: string;
  request?: MessageSummary;
}

export interface ScepHttpResponse {
  status: number;
  /** The media type, lower-case, without parameters ('' when absent). */
  contentType: string;
  /** The Content-Type header as sent. */
  rawContentType: string;
  body: Uint8Array;
  headers: Headers;
  /** Fill in `response` and call emit() once the body is understood. */
  exchange: ScepExchange;
}

export const PKI_MESSAGE_CONTENT_TYPE = 'application/x-pki-message';

/**
 * Base64 for a GET `message` (RFC 8894 §4.1: RFC 4648 §4 base64, then percent-escaped). macOS escapes only
 * `=` and leaves `+` and `/` raw, which servers must accept; `macOs` reproduces that.
 */
export function encodeGetMessage(der: Uint8Array, macOs = false): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return macOs ? base64.replace(/=/g, '%3D') : encodeURIComponent(base64);
}

/** The media type of a Content-Type header value: lower-case, parameters dropped. */
export function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const shorten = (url: string) => url.replace(/(message=[^&]{48})[^&]*/, '$1…');

export class ScepTransport {
  constructor(private readonly options: TransportOptions) {}

  get url(): string {
    return this.options.url;
  }

  /** The request URL: the configured one (its own query kept) plus operation and message. */
  urlFor(operation: string, encodedMessage?: string): string {
    const base = this.options.url;
    const hashAt = base.indexOf('#');
    const withoutHash = hashAt >= 0 ? base.slice(0, hashAt) : base;
    const separator = withoutHash.includes('?') ? '&' : '?';
    const message = encodedMessage === undefined ? '' : `&message=${encodedMessage}`;
    return `${withoutHash}${separator}operation=${encodeURIComponent(operation)}${message}`;
  }

  /**
   * Sends one request. Throws ScepClientError 'timeout', 'network' or 'too-large' (after emitting the exchange);
   * any HTTP status is returned, not thrown: what counts as an error depends on the operation.
   */
  async send(input: SendInput): Promise<ScepHttpResponse> {
    const { method } = input;
    let encoded: string | undefined;
    if (input.der && method === 'GET') encoded = encodeGetMessage(input.der, this.options.macOsGetQuirk);
    else if (input.message !== undefined) encoded = encodeURIComponent(input.message);
    const url = this.urlFor(input.operation, encoded);
    const body = method === 'POST' ? (input.body ?? input.der) : undefined;
    const requestContentType = method === 'POST' ? (input.contentType ?? PKI_MESSAGE_CONTENT_TYPE) : undefined;

    const exchange: ScepExchange = {
      label: input.operation,
      from: this.options.parties?.from ?? 'scep client',
      to: this.options.parties?.to ?? hostOf(this.options.url),
      operation: input.operation,
      method,
      url: shorten(url),
      status: 0,
      ...(requestContentType ? { requestContentType } : {}),
      requestBytes: body?.byteLength ?? 0,
      responseBytes: 0,
      startedAt: this.options.clock.now().getTime(),
      durationMs: 0,
      ...(input.request ? { request: input.request } : {}),
    };
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await this.options.fetch(url, {
        method,
        headers: requestContentType ? { 'content-type': requestContentType } : {},
        ...(body ? { body: body as BodyInit } : {}),
        signal: controller.signal,
        redirect: 'manual',
      });
      exchange.status = response.status;
      const rawContentType = response.headers.get('content-type') ?? '';
      if (rawContentType) exchange.responseContentType = rawContentType;
      const bytes = await readLimited(response, this.options.maxResponseBytes);
      exchange.responseBytes = bytes.byteLength;
      exchange.durationMs = performance.now() - started;
      return { status: response.status, contentType: mediaType(rawContentType), rawContentType, body: bytes, headers: response.headers, exchange };
    } catch (error) {
      exchange.durationMs = performance.now() - started;
      const failure = this.failure(error, controller.signal.aborted);
      exchange.error = failure.message;
      this.emit(exchange);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  emit(exchange: ScepExchange): void {
    const status = exchange.status === 0 ? 'no answer' : String(exchange.status);
    const request = exchange.request?.messageType ? ` ${exchange.request.messageType}` : '';
    const response = exchange.response?.pkiStatus
      ? ` → CertRep ${exchange.response.pkiStatus}${exchange.response.failInfo ? ` ${exchange.response.failInfo}` : ''}`
      : ` → ${status}`;
    exchange.label = `${exchange.operation}${request}${response}`;
    this.options.onExchange?.(exchange);
  }

  private failure(error: unknown, timedOut: boolean): ScepClientError {
    if (error instanceof ScepClientError) return error;
    if (timedOut) return new ScepClientError('timeout', `no answer from ${this.options.url} within ${this.options.timeoutMs} ms`, { cause: error });
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return new ScepClientError('network', `cannot reach ${this.options.url}: ${reason}`, { cause: error });
  }
}

/** The response body, refusing more than `limit` bytes without holding them. */
async function readLimited(response: Response, limit: number): Promise<Uint8Array> {
  if (declaredTooLarge(response.headers.get('content-length'), limit)) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(response, limit);
  }
  if (!response.body) return new Uint8Array(0);
  try {
    return await readStreamLimited(response.body, limit);
  } catch (error) {
    throw error instanceof BodyTooLargeError ? tooLarge(response, limit) : error;
  }
}

function tooLarge(response: Response, limit: number): ScepClientError {
  return new ScepClientError('too-large', `response body exceeds ${limit} bytes`, {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
  });
}

/** The HTTP failure of an operation as a ScepClientError carrying status, type and body. */
export function httpError(operation: string, response: ScepHttpResponse): ScepClientError {
  const text = bodySnippet(response.body);
  return new ScepClientError('http-status', `${operation} answered HTTP ${response.status}${text ? `: ${text}` : ''}`, {
    status: response.status,
    contentType: response.rawContentType,
    body: text,
  });
}
