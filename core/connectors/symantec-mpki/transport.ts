/**
 * SOAP 1.1 over HTTPS with mutual TLS, as Symantec MPKI's PKI Web Services require (vendor-apis.md §A.2: the RA
 * certificate is the only credential, no WS-Security header). node:https rather than fetch, because fetch cannot
 * present a client certificate. What can go wrong is worded for the MDM console here, once:
 *   - the RA .p12 does not open with its password            → ConnectorError('configuration')
 *   - the server refuses our certificate in the handshake     → ConnectorError('authentication'), naming the cause
 *   - the server's certificate is not trusted by us           → ConnectorError('authentication')
 *   - nothing listens / timeout / oversized or non-XML answer → unreachable / timeout / bad-response
 * Every exchange can be recorded through `onExchange`, so suites can put the wire in their reports.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, Agent, type RequestOptions } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import { type Clock, systemClock } from '../../clock.js';
import { parseCertificate } from '../../pki/certificate.js';
import { parsePkcs12 } from '../../pki/pkcs12.js';
import * as texts from '../texts.js';
import { ConnectorError } from '../types.js';

/** One request and its answer (or failure), for reports. */
export interface SymantecExchange {
  url: string;
  soapAction: string;
  requestXml: string;
  status?: number;
  responseXml?: string;
  error?: string;
  ms: number;
}

export interface SymantecTransportOptions {
  /** The RA certificate and key, PKCS#12 DER. */
  pfx: Uint8Array;
  passphrase: string;
  /**
   * PEM certificates trusted for the server; default Node's bundled roots. Node (OpenSSL) also trusts the CA
   * certificates inside the .p12, as the RA .p12 from Symantec carries Symantec's chain.
   */
  trustedCertificates?: readonly string[];
  timeoutMs?: number;
  /** Largest answer read; default 1 MiB. */
  maxResponseBytes?: number;
  clock?: Clock;
  onExchange?: (exchange: SymantecExchange) => void;
}

export interface SoapHttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

export const DEFAULT_RESPONSE_LIMIT = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** TLS alerts a server sends when it refuses a client certificate (RFC 8446 §6.2), and what they mean for the RA. */
const REFUSAL_CAUSES: Array<[RegExp, string]> = [
  [/CERTIFICATE_EXPIRED|alert number 45\b|certificate expired/i, 'the RA certificate has expired'],
  [/CERTIFICATE_REVOKED|alert number 44\b|certificate revoked/i, 'the RA certificate has been revoked'],
  [/CERTIFICATE_REQUIRED|alert number 116\b|certificate required/i, 'no RA certificate was sent'],
  [/UNKNOWN_CA|alert number 48\b|unknown ca/i, 'the RA certificate is not known to the Symantec service (issued by another CA or account)'],
  [/BAD_CERTIFICATE|alert number 42\b|bad certificate/i, 'the RA certificate was refused (unknown, expired or revoked)'],
  [/UNSUPPORTED_CERTIFICATE|alert number 43\b|ACCESS_DENIED|alert number 49\b/i, 'the RA certificate is not accepted for client authentication'],
];

/** Our side refusing the server's certificate (Node's verify error codes). */
const SERVER_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

export class SymantecTransport {
  private readonly agent: Agent;
  /** The TLS options of the pool, for a request on a connection of its own. */
  private readonly tls: MutualTlsOptions;
  private readonly timeoutMs: number;
  private readonly limit: number;
  /** The RA certificate's validity, to say "expired" even when the server's alert does not. */
  readonly raCertificate: { subject: string; notAfter: Date; notBefore: Date; serialHex: string };

  constructor(private readonly options: SymantecTransportOptions) {
    const pfx = Buffer.from(options.pfx);
    const ca = options.trustedCertificates?.length ? [...options.trustedCertificates] : [...rootCertificates];
    try {
      // Opens the .p12 the way the handshake will: a wrong password fails here, not at the first request.
      createSecureContext({ pfx, passphrase: options.passphrase });
    } catch (error) {
      throw raCertificateUnreadable(error);
    }
    let contents;
    try {
      contents = parsePkcs12(new Uint8Array(pfx), options.passphrase);
    } catch (error) {
      throw raCertificateUnreadable(error);
    }
    const parsed = parseCertificate(contents.certificate);
    this.raCertificate = { subject: parsed.subject.toString(), notAfter: parsed.notAfter, notBefore: parsed.notBefore, serialHex: parsed.serialHex };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.limit = options.maxResponseBytes ?? DEFAULT_RESPONSE_LIMIT;
    this.tls = { pfx, passphrase: options.passphrase, ca, minVersion: 'TLSv1.2' };
    this.agent = new Agent({ keepAlive: true, maxSockets: 8, ...this.tls });
  }

  /**
   * POSTs a SOAP envelope; the HTTP answer whatever its status (a SOAP fault comes with 500). A pooled keep-alive
   * socket the server has already closed fails with a reset before any answer: that is tried once more, on a
   * fresh TLS connection, instead of being taken for a refused RA certificate.
   */
  async post(url: string, soapAction: string, requestXml: string): Promise<SoapHttpAnswer> {
    const started = performance.now();
    const record = (part: Partial<SymantecExchange>) => this.options.onExchange?.({ url, soapAction, requestXml, ms: performance.now() - started, ...part });
    try {
      let answer: SoapHttpAnswer;
      try {
        answer = await this.send(url, soapAction, requestXml, false);
      } catch (error) {
        if (!(error instanceof SendFailure && error.reusedSocket && !error.responded && isReset(error.cause))) throw error;
        answer = await this.send(url, soapAction, requestXml, true);
      }
      record({ status: answer.status, responseXml: answer.body });
      return answer;
    } catch (error) {
      const mapped = this.mapError(error, url);
      record({ error: `${mapped.message}${mapped.detail ? ` (${mapped.detail})` : ''}` });
      throw mapped;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * One POST. The request function the suites reuse (suites/symantec-mpki/mtls.ts) is sendMutualTls; `fresh`
   * bypasses the keep-alive pool.
   */
  private async send(url: string, soapAction: string, body: string, fresh: boolean): Promise<SoapHttpAnswer> {
    const answer = await sendMutualTls(url, {
      ...(fresh ? { tls: this.tls } : { agent: this.agent }),
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` },
      body: Buffer.from(body, 'utf8'),
      timeoutMs: this.timeoutMs,
      maxResponseBytes: this.limit,
    });
    return { status: answer.status, contentType: answer.contentType, body: answer.body.toString('utf8') };
  }

  private mapError(error: unknown, url: string): ConnectorError {
    if (error instanceof ConnectorError) return error;
    const failure = error instanceof SendFailure ? error : undefined;
    if (failure) error = failure.cause;
    if (error instanceof TimedOut) return new ConnectorError('timeout', texts.operationTimedOut().text, { assumption: true, detail: error.message, cause: error });
    if (error instanceof ResponseTooLarge) return new ConnectorError('bad-response', texts.unexpectedAnswer(error.message).text, { assumption: true, cause: error });
    const e = error as NodeJS.ErrnoException & { reason?: string };
    const code = e.code ?? '';
    const message = `${code} ${e.message ?? ''} ${e.reason ?? ''}`;
    if (SERVER_TRUST_CODES.has(code)) {
      const t = texts.symantecServerNotTrusted();
      return new ConnectorError('authentication', t.text, { assumption: t.assumption, detail: `${code}: ${e.message}`, fix: 'Use the Symantec server host name whose certificate chains to a trusted root (default pki-ws.symauth.com).', cause: error });
    }
    const now = (this.options.clock ?? systemClock).now().getTime();
    const expiredLocally = now > this.raCertificate.notAfter.getTime();
    const refusal = REFUSAL_CAUSES.find(([pattern]) => pattern.test(message));
    // With TLS 1.3 the server checks our certificate after our Finished: its refusal then reaches us as a reset
    // ("socket hang up") before any HTTP answer, not as a handshake alert. Only a reset on a fresh connection
    // before the first response byte is that; a reset on a pooled socket or during the answer is the network's.
    const reset = isReset(error);
    const raRefusal = reset && failure !== undefined && failure.connected && !failure.reusedSocket && !failure.responded;
    const looksLikeHandshake = refusal !== undefined || (!reset && /SSL|TLS|alert|handshake/i.test(message)) || raRefusal;
    if (looksLikeHandshake) {
      const cause = expiredLocally ? `the RA certificate expired on ${this.raCertificate.notAfter.toISOString()}` : (refusal?.[1] ?? 'the RA certificate was refused in the TLS handshake');
      const t = texts.symantecRaRefused(cause);
      return new ConnectorError('authentication', t.text, {
        assumption: t.assumption,
        detail: `${this.raCertificate.subject}: ${e.message}`,
        fix: 'Upload a valid RA certificate (.p12) from Symantec PKI Manager ("Get an RA Cert") with its password (guide 000, Table 2-1, Certificate).',
        cause: error,
      });
    }
    const t = texts.noEndpointListening(url);
    return new ConnectorError('unreachable', t.text, { assumption: true, detail: e.message, cause: error });
  }
}

export class TimedOut extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

export class ResponseTooLarge extends Error {
  constructor(limit: number) {
    super(`the answer is larger than ${limit} bytes`);
  }
}

/**
 * A failed request and where it failed: on a pooled (reused) socket or not, after the TCP connection was made or
 * not (a refused connection is not a TLS refusal), after the response began or not.
 */
export class SendFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly reusedSocket: boolean,
    readonly responded: boolean,
    readonly connected: boolean = false,
    /** Our side of the TLS handshake completed: the request was being sent. */
    readonly secured: boolean = false,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/** The peer dropped the connection: ECONNRESET, EPIPE or Node's "socket hang up". */
export function isReset(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  return e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || /socket hang up/i.test(e?.message ?? '');
}

export type MutualTlsOptions = Pick<RequestOptions, 'pfx' | 'passphrase' | 'ca' | 'minVersion' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

export interface MutualTlsRequest {
  /** A keep-alive pool; without it, a connection of its own with `tls`. */
  agent?: Agent;
  tls?: MutualTlsOptions;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface MutualTlsAnswer {
  status: number;
  contentType: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One HTTPS request with a client certificate, the answer read up to maxResponseBytes. Failures are SendFailure
 * wrapping TimedOut, ResponseTooLarge or the socket's error, so callers can tell a stale pooled socket and a reset
 * mid-answer from a refusal. Shared with the suite's raw mutual-TLS probes (suites/symantec-mpki/mtls.ts).
 */
export function sendMutualTls(url: string, request: MutualTlsRequest): Promise<MutualTlsAnswer> {
  return new Promise((resolve, reject) => {
    const payload = request.body ?? Buffer.alloc(0);
    let responded = false;
    let connected = false;
    let settled = false;
    const req = httpsRequest(url, {
      method: request.method ?? 'POST',
      ...(request.agent ? { agent: request.agent } : { agent: false, ...request.tls }),
      headers: { ...request.headers, ...(request.body !== undefined ? { 'content-length': payload.byteLength } : {}) },
    });
    let secured = false;
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = secured = true;
      else {
        socket.once('connect', () => (connected = true));
        socket.once('secureConnect', () => (secured = true));
      }
    });
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(new SendFailure(error, req.reusedSocket, responded, connected, secured));
    };
    req.on('response', (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > request.maxResponseBytes) {
          fail(new ResponseTooLarge(request.maxResponseBytes));
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('the connection was reset during the answer'), { code: 'ECONNRESET' })));
    });
    req.setTimeout(request.timeoutMs, () => req.destroy(new TimedOut(request.timeoutMs)));
    req.on('error', fail);
    req.end(request.body !== undefined ? payload : undefined);
  });
}

function raCertificateUnreadable(error: unknown): ConnectorError {
  const message = (error as Error).message ?? String(error);
  const wrongPassword = /mac verify|password|decrypt|bad decrypt|PKCS12|MAC/i.test(message);
  const t = wrongPassword ? texts.symantecRaWrongPassword() : texts.symantecRaUnreadable();
  return new ConnectorError('configuration', t.text, {
    assumption: t.assumption,
    detail: message,
    fix: 'Upload the RA certificate you received from Symantec (usually a .p12 file) and enter the password for the certificate when prompted (guide 000, Table 2-1, Certificate).',
    cause: error,
  });
}
