/**
 * The RFC 8894 SCEP server as a Fetch handler: a thin HTTP layer over ScepService (server-service.ts). It reads
 * `operation` and `message`, limits bodies, and never answers with a bare 500: every failure is a CertRep FAILURE
 * (when one can be addressed) or a 4xx with a reason in the body. The path is ignored, as RFC 8894 §4.1 asks, so
 * the simulator can mount it at /scep, /scep/pkiclient.exe and /cgi-bin/pkiclient.exe alike.
 */
import { BodyTooLargeError, readRequestLimited } from '../http-body.js';
import type { Handler, Peer } from '../http.js';
import { bufferedResponse } from '../http-buffered.js';
import type { ExchangeTimings, ScepExchange } from './server-exchange.js';
import { type PkiOperationResult, ScepService, type ScepServiceOptions } from './server-service.js';
import { CONTENT_TYPE } from './server-identity.js';

export { ScepService, ScepAdminError, DEFAULT_CAPS, type ScepServiceOptions, type PkiOperationResult } from './server-service.js';
export { type ScepIdentity, ScepConfigError, identityOf, CONTENT_TYPE } from './server-identity.js';
export type { ScepExchange, ExchangeTimings } from './server-exchange.js';

export const OPERATIONS = ['GetCACaps', 'GetCACert', 'GetNextCACert', 'PKIOperation'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** 1 MiB, as every mdmca body: a pkiMessage with a 4096-bit key is under 10 KiB. */
export const SCEP_BODY_LIMIT_BYTES = 1024 * 1024;

export interface ScepTransportOptions {
  /** Default 1 MiB; larger bodies get 413. */
  bodyLimitBytes?: number;
  /** Called after every request with its summary (never throws into the request). */
  onExchange?: (exchange: ScepExchange) => void;
}

export interface ScepServerOptions extends ScepServiceOptions, ScepTransportOptions {}

export type ScepHandler = Handler & { readonly service: ScepService };

const BY_LOWER = new Map<string, Operation>(OPERATIONS.map((op) => [op.toLowerCase(), op]));
const TEXT = 'text/plain; charset=utf-8';

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpRefusal';
  }
}

/** The raw (still percent-encoded) value of `name` in a query string. */
function rawParam(query: string, name: string): string | undefined {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (key === name) return eq === -1 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

/** Percent-decoding that never throws: a stray '%' stays as it is. '+' stays '+' (see decodeGetMessage). */
function percentDecode(raw: string): string {
  return raw.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The `message` of a GET PKIOperation: standard base64, percent-escaped (RFC 8894 §4.1). Real clients differ:
 * macOS leaves '+' and '/' unescaped (only '=' as %3D), some turn '+' into a space, some wrap lines, some use
 * base64url. A raw '+' is always a base64 '+' here, never a form-encoded space: base64 has no spaces.
 */
export function decodeGetMessage(raw: string): Uint8Array {
  const text = percentDecode(raw)
    .replace(/ /g, '+')
    .replace(/[\r\n\t]/g, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  if (text === '') throw new HttpRefusal(400, 'PKIOperation by GET needs a base64 message parameter');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new HttpRefusal(400, 'the message parameter is not base64');
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  try {
    return (await readRequestLimited(request, limit)) ?? new Uint8Array(0);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new HttpRefusal(413, error.message);
    throw error;
  }
}

const respond = (body: Uint8Array | string | null, status: number, contentType: string, headers: Record<string, string> = {}) =>
  bufferedResponse(body, { status, headers: { 'content-type': contentType, ...headers } });

interface Answer {
  response: Response;
  details?: Omit<Partial<ScepExchange>, 'timings'> & { timings?: Omit<ExchangeTimings, 'totalMs'> };
}

/** The handler over a new service built from `options`, or over an existing service with transport options. */
export function createScepServer(options: ScepServerOptions): ScepHandler;
export function createScepServer(service: ScepService, transport?: ScepTransportOptions): ScepHandler;
export function createScepServer(options: ScepServerOptions | ScepService, transport: ScepTransportOptions = {}): ScepHandler {
  const service = options instanceof ScepService ? options : new ScepService(options);
  const settings = options instanceof ScepService ? transport : options;
  const limit = settings.bodyLimitBytes ?? SCEP_BODY_LIMIT_BYTES;
  const onExchange = settings.onExchange;
  const caps = service.getCaCaps();
  const caCert = service.getCaCert();

  async function pkiOperation(request: Request, query: string, peer: Peer): Promise<Answer> {
    let der: Uint8Array;
    const started = performance.now();
    if (request.method === 'POST') {
      der = await readBody(request, limit);
      if (der.byteLength === 0) throw new HttpRefusal(400, 'PKIOperation by POST needs a pkiMessage (DER) body');
    } else {
      const raw = rawParam(query, 'message');
      if (raw === undefined) throw new HttpRefusal(400, 'PKIOperation by GET needs a message parameter');
      if (raw.length > Math.ceil((limit * 4) / 3) * 3) throw new HttpRefusal(414, 'the message parameter is too long');
      der = decodeGetMessage(raw);
    }
    const readMs = performance.now() - started;
    const result: PkiOperationResult = await service.pkiOperation(der, peer);
    result.details.timings.readMs = readMs;
    if (result.kind === 'certRep') {
      return { response: respond(result.der as Uint8Array<ArrayBuffer>, 200, CONTENT_TYPE.pkiMessage), details: result.details };
    }
    return { response: respond(result.body, result.status, result.contentType), details: result.details };
  }

  async function answer(request: Request, operation: Operation, query: string, peer: Peer): Promise<Answer> {
    switch (operation) {
      case 'GetCACaps':
        return { response: respond(caps.body, 200, caps.contentType) };
      case 'GetCACert':
        return { response: respond(caCert.body as Uint8Array<ArrayBuffer>, 200, caCert.contentType) };
      case 'GetNextCACert': {
        const next = await service.getNextCaCert();
        if (!next) throw new HttpRefusal(404, 'this CA has no next CA certificate (GetNextCACert is not in its capabilities)');
        return { response: respond(next.body as Uint8Array<ArrayBuffer>, 200, next.contentType) };
      }
      case 'PKIOperation':
        return pkiOperation(request, query, peer);
    }
  }

  const handler: Handler = async (request, peer) => {
    const started = performance.now();
    const method = request.method.toUpperCase();
    let operationName = '';
    let result: Answer;
    try {
      const url = request.url;
      const q = url.indexOf('?');
      const hash = url.indexOf('#', q);
      const query = q === -1 ? '' : url.slice(q + 1, hash === -1 ? undefined : hash);
      const rawOperation = rawParam(query, 'operation');
      operationName = rawOperation === undefined ? '' : percentDecode(rawOperation.replace(/\+/g, ' ')).trim();
      if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') {
        throw new HttpRefusal(405, `${method} is not allowed; SCEP uses GET and POST`, { allow: 'GET, HEAD, POST' });
      }
      const operation = BY_LOWER.get(operationName.toLowerCase());
      if (!operation) {
        const what = rawOperation === undefined ? 'missing operation parameter' : `unknown operation "${operationName}"`;
        throw new HttpRefusal(400, `${what}; supported operations: ${OPERATIONS.join(', ')}`);
      }
      operationName = operation;
      result = await answer(request, operation, query, peer);
    } catch (error) {
      const refusal =
        error instanceof HttpRefusal ? error : new HttpRefusal(400, `the request could not be processed: ${(error as Error)?.message ?? String(error)}`);
      result = { response: respond(`${refusal.message}\n`, refusal.status, TEXT, refusal.headers), details: { error: refusal.message } };
    }
    if (onExchange) {
      const { timings, ...details } = result.details ?? {};
      const exchange: ScepExchange = {
        at: service.clock.now().toISOString(),
        method,
        operation: operationName,
        httpStatus: result.response.status,
        contentType: result.response.headers.get('content-type') ?? '',
        peer: peer.address,
        ...details,
        timings: { ...timings, totalMs: performance.now() - started },
      };
      try {
        onExchange(exchange);
      } catch {
        // a recorder's failure is not the client's
      }
    }
    return result.response;
  };
  return Object.assign(handler, { service });
}
