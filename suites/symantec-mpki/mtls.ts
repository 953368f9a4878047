/**
 * HTTPS requests with a chosen client identity (the RA .p12, a PEM key/cert, or none), for the checks that look
 * at the mutual-TLS handshake itself: a refusal in the handshake surfaces as a socket error, never as an HTTP
 * status, which is what the checks assert. One fresh connection per request (agent: false), so a refused
 * identity never rides on an accepted session.
 */
import https from 'node:https';

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

/** The TLS or socket error that ended a request before any HTTP answer (the handshake refused it). */
export class HandshakeRefused extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'HandshakeRefused';
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

export function mtlsRequest(request: MtlsRequest): Promise<RawResponse> {
  const url = new URL(request.url);
  const started = performance.now();
  const identity =
    request.identity.kind === 'pfx'
      ? { pfx: request.identity.pfx, passphrase: request.identity.passphrase }
      : request.identity.kind === 'pem'
        ? { key: request.identity.key, cert: request.identity.cert }
        : {};
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        hostname: url.hostname,
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: request.method ?? 'GET',
        headers: request.headers,
        agent: false,
        ...(request.ca ? { ca: request.ca } : {}),
        ...identity,
        timeout: request.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > RESPONSE_LIMIT) req.destroy(new Error('response over 16 MiB'));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
            body: Buffer.concat(chunks),
            durationMs: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new HandshakeRefused('ETIMEDOUT', 'no answer before the timeout')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(error instanceof HandshakeRefused ? error : new HandshakeRefused(error.code ?? 'ERROR', error.message)),
    );
    req.end(request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : Buffer.from(request.body));
  });
}

/** Either the HTTP status, or how the connection ended without one. */
export async function attempt(request: MtlsRequest): Promise<{ answered: true; status: number } | { answered: false; code: string; message: string }> {
  try {
    const response = await mtlsRequest(request);
    return { answered: true, status: response.status };
  } catch (error) {
    if (error instanceof HandshakeRefused) return { answered: false, code: error.code, message: error.message };
    throw error;
  }
}
