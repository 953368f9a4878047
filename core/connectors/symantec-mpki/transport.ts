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
import { request as httpsRequest, Agent } from 'node:https';
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
    this.agent = new Agent({ keepAlive: true, maxSockets: 8, pfx, passphrase: options.passphrase, ca, minVersion: 'TLSv1.2' });
  }

  /** POSTs a SOAP envelope; the HTTP answer whatever its status (a SOAP fault comes with 500). */
  async post(url: string, soapAction: string, requestXml: string): Promise<SoapHttpAnswer> {
    const started = performance.now();
    const record = (part: Partial<SymantecExchange>) => this.options.onExchange?.({ url, soapAction, requestXml, ms: performance.now() - started, ...part });
    try {
      const answer = await this.send(url, soapAction, requestXml);
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

  private send(url: string, soapAction: string, body: string): Promise<SoapHttpAnswer> {
    return new Promise((resolve, reject) => {
      const payload = Buffer.from(body, 'utf8');
      const req = httpsRequest(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"`, 'content-length': payload.byteLength },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.byteLength;
            if (size > this.limit) {
              res.destroy();
              reject(new ResponseTooLarge(this.limit));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new TimedOut(this.timeoutMs)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private mapError(error: unknown, url: string): ConnectorError {
    if (error instanceof ConnectorError) return error;
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
    // ("socket hang up") before any HTTP answer, not as a handshake alert.
    const reset = code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message);
    const looksLikeHandshake = refusal !== undefined || /SSL|TLS|alert|handshake/i.test(message) || reset;
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

class TimedOut extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

class ResponseTooLarge extends Error {
  constructor(limit: number) {
    super(`the answer is larger than ${limit} bytes`);
  }
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
