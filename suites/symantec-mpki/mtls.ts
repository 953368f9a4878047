/**
 * HTTPS requests with a chosen client identity (the RA .p12, a PEM key/cert, or none), for the checks that look
 * at the mutual-TLS handshake itself: a refusal in the handshake surfaces as a socket error, never as an HTTP
 * status, which is what the checks assert. The request itself is the connector's (transport.ts sendMutualTls), on
 * a fresh connection each time (no pool), so a refused identity never rides on an accepted session. What differs
 * here: the raw outcome is kept, and only the server refusing us counts as HandshakeRefused — a TLS alert, or a
 * reset after the TCP connection was made and before any HTTP answer. Nothing listening, a timeout or an
 * oversized answer are plain errors: a refusal check must not pass when there is no server at all.
 */
import { isReset, ResponseTooLarge, SendFailure, sendMutualTls, TimedOut, type MutualTlsOptions } from '../../core/connectors/symantec-mpki/transport.js';

export type ClientIdentity =
  | { kind: 'pfx'; pfx: Buffer; passphrase: string }
  | { kind: 'pem'; key: string; cert: string }
  | { kind: 'none' };

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  durationMs: number;
}

/** The server ended the connection before any HTTP answer: a TLS alert, or a reset after the TCP connect. */
export class HandshakeRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Our side of the handshake had completed: the server cut the connection while the request went out. */
    readonly afterHandshake = false,
  ) {
    super(message);
    this.name = 'HandshakeRefused';
  }
}

/** Anything else that ended a request without an answer (nothing listening, timeout, answer too large, …). */
export class RequestFailed extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RequestFailed';
  }
}

export interface MtlsRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  identity: ClientIdentity;
  /** Trusted roots of the server certificate (PEM); Node's default store when absent. */
  ca?: string[];
  timeoutMs?: number;
}

const RESPONSE_LIMIT = 16 * 1024 * 1024;

/** A TLS alert from the peer (OpenSSL's "ssl/tls alert …", Node's ERR_SSL_*_ALERT_*). */
function isTlsAlert(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  return /ALERT/i.test(e?.code ?? '') || /alert/i.test(e?.message ?? '');
}

/** Whether a failed request is the server refusing us in the handshake (see the module comment). */
export function refusedByServer(failure: SendFailure): boolean {
  if (failure.responded) return false;
  return isTlsAlert(failure.cause) || (failure.connected && isReset(failure.cause));
}

export async function mtlsRequest(request: MtlsRequest): Promise<RawResponse> {
  const started = performance.now();
  const identity = request.identity;
  const tls: MutualTlsOptions = {
    ...(identity.kind === 'pfx' ? { pfx: identity.pfx, passphrase: identity.passphrase } : identity.kind === 'pem' ? { key: identity.key, cert: identity.cert } : {}),
    ...(request.ca ? { ca: request.ca } : {}),
  };
  try {
    const answer = await sendMutualTls(request.url, {
      tls,
      method: request.method ?? 'GET',
      headers: request.headers ?? {},
      ...(request.body !== undefined ? { body: typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body) } : {}),
      timeoutMs: request.timeoutMs ?? 15_000,
      maxResponseBytes: RESPONSE_LIMIT,
    });
    return {
      status: answer.status,
      headers: Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      body: answer.body,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    const cause = error instanceof SendFailure ? error.cause : error;
    const code = cause instanceof TimedOut ? 'ETIMEDOUT' : cause instanceof ResponseTooLarge ? 'ETOOLARGE' : ((cause as NodeJS.ErrnoException)?.code ?? 'ERROR');
    const message = (cause as Error)?.message ?? String(cause);
    if (error instanceof SendFailure && refusedByServer(error)) throw new HandshakeRefused(code, message, error.secured);
    throw new RequestFailed(code, message, { cause: error });
  }
}

/** Either the HTTP status, or how the server refused the connection; other failures are thrown (RequestFailed). */
export async function attempt(request: MtlsRequest): Promise<{ answered: true; status: number } | { answered: false; code: string; message: string }> {
  try {
    const response = await mtlsRequest(request);
    return { answered: true, status: response.status };
  } catch (error) {
    if (error instanceof HandshakeRefused) return { answered: false, code: error.code, message: error.message };
    throw error;
  }
}
