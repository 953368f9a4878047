/**
 * The SCEP service without transport (micromdm's four-method service): GetCACaps, GetCACert, GetNextCACert and
 * PKIOperation, plus the operator's approve/reject of pending requests. server.ts is the thin HTTP layer over it;
 * the simulator and benchmarks may call it directly.
 *
 * The PKIOperation path is the benchmark path: parse + verify + decrypt, the policy chain, issue, and a CertRep
 * that mirrors the request's cipher, digest and key transport. Everything request-independent (identity, caps,
 * GetCACert body, compiled profile) is prepared once.
 */
import type { Clock } from '../clock.js';
import type { Peer } from '../http.js';
import type { CertificateAuthority } from '../pki/ca.js';
import type { CertificateProfile } from '../pki/profile.js';
import { serialHexFromContent } from '../pki/serial.js';
import { type Capability, formatCaps } from './caps.js';
import { buildNextCaCert } from './certs-only.js';
import { FailInfo, failInfoName, MessageType, messageTypeName, PkiStatus, pkiStatusName } from './constants.js';
import { MemoryScepDepot, type ScepDepot, type ScepTransaction } from './depot.js';
import { ScepError, ScepMalformedError } from './errors.js';
import { keyTransportName } from './key-transport.js';
import { buildCertRep, parseRequest, type ParsedRequest } from './messages.js';
import type { EnrollmentPolicy } from './policy.js';
import { type CertRepReply, Enrollments, failure, type Reply } from './server-enrollment.js';
import type { ExchangeDetails, ScepExchange } from './server-exchange.js';
import { CONTENT_TYPE, identityOf, type PreparedIdentity, prepareIdentity, ScepConfigError, type ScepIdentity } from './server-identity.js';

export { ScepAdminError } from './server-enrollment.js';

export interface ScepServiceOptions {
  /** Issues the certificates. */
  ca: CertificateAuthority;
  /** The profile of issued certificates; a getter lets a simulator change it (CRL URL) at run time. */
  profile?: CertificateProfile | (() => CertificateProfile);
  /** Default: the CA's certificate, key and parents, without an RA. */
  identity?: ScepIdentity;
  /** Default: a MemoryScepDepot. */
  depot?: ScepDepot;
  /** Default: POSTPKIOperation SHA-256 SHA-512 SHA-1 AES SCEPStandard Renewal (+ GetNextCACert with a next CA). */
  caps?: readonly Capability[];
  /** micromdm writes LF, step-ca CRLF; default LF. */
  capsLineEnding?: '\n' | '\r\n';
  /** Links between the built-in renewal check and signing: challenge, CSR hook, approval, … */
  policies?: readonly EnrollmentPolicy[];
  /** Default: the CA's clock. */
  clock?: Clock;
  /** Accept (and answer with) 3DES and single DES. Default false. */
  allowLegacyCiphers?: boolean;
  /** What a SUCCESS carries besides the issued certificate: nothing (default, as micromdm), the CA, or the chain. */
  responseCertificates?: 'issued' | 'issued+ca' | 'chain';
  /** Refuse requests whose signingTime is further than this from the clock (FAILURE badTime). Default: no check. */
  maxSigningTimeSkewSeconds?: number;
}

export type PkiOperationResult =
  | { kind: 'certRep'; der: Uint8Array; details: ExchangeDetails }
  | { kind: 'http'; status: number; body: string; contentType: string; details: ExchangeDetails };

export const DEFAULT_CAPS: readonly Capability[] = ['POSTPKIOperation', 'SHA-256', 'SHA-512', 'SHA-1', 'AES', 'SCEPStandard', 'Renewal'];

export class ScepService {
  readonly identity: PreparedIdentity;
  readonly depot: ScepDepot;
  readonly clock: Clock;
  readonly caps: readonly Capability[];
  readonly capsBody: string;
  private readonly allowLegacyCiphers: boolean;
  private readonly enrollments: Enrollments;
  private nextCaCache: { source: readonly Uint8Array[]; body: Uint8Array } | undefined;

  constructor(private readonly options: ScepServiceOptions) {
    const ca = options.ca;
    this.clock = options.clock ?? ca.clock;
    this.identity = prepareIdentity(options.identity ?? identityOf(ca));
    if (Buffer.compare(this.identity.ca.der, ca.certificateDer) !== 0) {
      throw new ScepConfigError('identity.caCertificate is not the certificate of the issuing CertificateAuthority');
    }
    this.depot = options.depot ?? new MemoryScepDepot();
    this.allowLegacyCiphers = options.allowLegacyCiphers ?? false;
    this.caps = options.caps ?? [...DEFAULT_CAPS, ...(this.depot.nextCaCertificates ? (['GetNextCACert'] as const) : [])];
    this.capsBody = formatCaps(this.caps, options.capsLineEnding ?? '\n');
    const profile = options.profile ?? {};
    const responseCertificates = options.responseCertificates ?? 'issued';
    this.enrollments = new Enrollments({
      ca,
      caCertificate: this.identity.ca,
      depot: this.depot,
      clock: this.clock,
      profile: typeof profile === 'function' ? profile : () => profile,
      policies: options.policies ?? [],
      extraCertificates: responseCertificates === 'issued' ? [] : responseCertificates === 'issued+ca' ? [ca.certificateDer] : [...ca.chain],
    });
  }

  getCaCaps(): { body: string; contentType: string } {
    return { body: this.capsBody, contentType: CONTENT_TYPE.caps };
  }

  getCaCert(): { body: Uint8Array; contentType: string } {
    return this.identity.getCaCert;
  }

  /** The GetNextCACert reply, signed by the current CA; undefined when no next CA is configured. */
  async getNextCaCert(): Promise<{ body: Uint8Array; contentType: string } | undefined> {
    const next = await this.depot.nextCaCertificates?.();
    if (!next || next.length === 0) return undefined;
    if (this.nextCaCache?.source !== next) {
      const body = await buildNextCaCert({ certificates: next, signer: this.identity.caSigner, digest: 'sha256', signingTime: this.clock.now() });
      this.nextCaCache = { source: next, body };
    }
    return { body: this.nextCaCache.body, contentType: CONTENT_TYPE.nextCaCert };
  }

  /** One PKIOperation: a CertRep, or an HTTP answer when no CertRep can be addressed (or a policy refuses so). */
  async pkiOperation(der: Uint8Array, peer: Peer): Promise<PkiOperationResult> {
    const details: ExchangeDetails = { timings: {} };
    const started = performance.now();
    let request: ParsedRequest;
    try {
      request = parseRequest(der, { recipients: this.identity.recipients, allowLegacyCiphers: this.allowLegacyCiphers });
    } catch (error) {
      details.timings.parseMs = performance.now() - started;
      return this.parseFailure(error, details);
    }
    details.timings.parseMs = performance.now() - started;
    Object.assign(details, {
      messageType: messageTypeName(request.messageType),
      transactionId: request.transactionId,
      cipher: request.cipher,
      legacyCipher: request.legacyCipher,
      digest: request.digest,
      keyTransport: keyTransportName(request.keyTransport),
    });

    const policyStarted = performance.now();
    let reply: Reply;
    try {
      reply = await this.dispatch(request, peer, details);
    } catch (error) {
      // Depot or CA trouble: the client still gets a signed answer it can show.
      reply = failure(FailInfo.badRequest, `the CA could not process the request: ${(error as Error)?.message ?? String(error)}`);
    }
    details.timings.policyMs = performance.now() - policyStarted;
    if (reply.status === 'http') {
      return { kind: 'http', status: reply.httpStatus, body: reply.body, contentType: reply.contentType, details };
    }
    const replyStarted = performance.now();
    const certRep = await this.certRep(request, reply, details);
    details.timings.replyMs = performance.now() - replyStarted;
    return { kind: 'certRep', der: certRep, details };
  }

  /** Approves a pending request: issues its certificate now; the next CertPoll gets it. */
  approve(transactionId: string): Promise<ScepTransaction> {
    return this.enrollments.approve(transactionId);
  }

  /** Rejects a pending request: the next CertPoll gets FAILURE with this text. */
  reject(transactionId: string, text?: string, failInfo?: FailInfo): Promise<ScepTransaction> {
    return this.enrollments.reject(transactionId, text, failInfo);
  }

  /** A FAILURE CertRep when the request could be read far enough to address one, else HTTP 400. */
  private async parseFailure(error: unknown, details: ExchangeDetails): Promise<PkiOperationResult> {
    const reason = (error as Error)?.message ?? String(error);
    const context = error instanceof ScepError ? error.context : undefined;
    if (error instanceof ScepError && context?.transactionId && context.senderNonce) {
      Object.assign(details, {
        ...(context.messageType !== undefined ? { messageType: messageTypeName(context.messageType) } : {}),
        transactionId: context.transactionId,
      });
      const started = performance.now();
      try {
        const der = await this.signedReply(context.transactionId, context.senderNonce, failure(error.failInfo, error.failInfoText), details);
        details.timings.replyMs = performance.now() - started;
        return { kind: 'certRep', der, details };
      } catch {
        // fall through to 400 (a transactionID that is no PrintableString, say)
      }
    }
    const what = error instanceof ScepError || error instanceof ScepMalformedError ? 'malformed pkiMessage' : 'unreadable pkiMessage';
    details.error = `${what}: ${reason}`;
    return { kind: 'http', status: 400, body: `Bad Request: ${what}: ${reason}\n`, contentType: 'text/plain; charset=utf-8', details };
  }

  private async dispatch(request: ParsedRequest, peer: Peer, details: ExchangeDetails): Promise<Reply> {
    const skew = this.options.maxSigningTimeSkewSeconds;
    if (skew !== undefined && request.signingTime) {
      const off = Math.abs(request.signingTime.getTime() - this.clock.now().getTime());
      if (off > skew * 1000) {
        return failure(FailInfo.badTime, `signingTime ${request.signingTime.toISOString()} is ${Math.round(off / 1000)} s from the CA clock`);
      }
    }
    const payload = request.payload;
    switch (payload.messageType) {
      case MessageType.PKCSReq:
      case MessageType.RenewalReq:
        return this.enrollments.enroll(request, payload.csr, peer, details);
      case MessageType.CertPoll:
        return this.enrollments.poll(request, details);
      case MessageType.GetCert:
      case MessageType.GetCRL: {
        if (Buffer.compare(payload.issuer, this.identity.ca.subjectDer) !== 0) {
          return failure(FailInfo.badCertId, 'the IssuerAndSerialNumber does not name this CA');
        }
        const serialHex = serialHexFromContent(payload.serialNumber);
        if (payload.messageType === MessageType.GetCert) {
          const certificate = await this.depot.getCertificate(serialHex);
          if (!certificate) return failure(FailInfo.badCertId, `this CA has no certificate with serial ${serialHex}`);
          details.serialHex = serialHex;
          return { status: PkiStatus.SUCCESS, certificates: [certificate] };
        }
        const crl = await this.depot.crl?.();
        if (!crl) return failure(FailInfo.badRequest, 'this CA publishes no CRL');
        return { status: PkiStatus.SUCCESS, crls: [crl] };
      }
    }
  }

  private async certRep(request: ParsedRequest, reply: CertRepReply, details: ExchangeDetails): Promise<Uint8Array> {
    try {
      return await this.signedReply(request.transactionId, request.senderNonce, reply, details, request);
    } catch (error) {
      if (reply.status !== PkiStatus.SUCCESS) throw error;
      // An EC signer certificate cannot receive an RSA key-transport envelope.
      const text = `the reply cannot be encrypted to the request's signer certificate: ${(error as Error).message}`;
      return this.signedReply(request.transactionId, request.senderNonce, failure(FailInfo.badAlg, text), details, request);
    }
  }

  private signedReply(
    transactionId: string,
    recipientNonce: Uint8Array,
    reply: CertRepReply,
    details: ExchangeDetails,
    request?: ParsedRequest,
  ): Promise<Uint8Array> {
    details.pkiStatus = pkiStatusName(reply.status) as ScepExchange['pkiStatus'];
    if (reply.status === PkiStatus.FAILURE) {
      details.failInfo = failInfoName(reply.failInfo);
      details.failInfoText = reply.text;
    } else {
      delete details.failInfo;
      delete details.failInfoText;
    }
    return buildCertRep({
      transactionId,
      recipientNonce,
      status: reply.status,
      ...(reply.status === PkiStatus.FAILURE ? { failInfo: reply.failInfo, failInfoText: reply.text } : {}),
      ...(reply.status === PkiStatus.SUCCESS
        ? { certificates: reply.certificates ?? [], crls: reply.crls ?? [], encryptTo: request!.signerCertificate }
        : {}),
      signer: this.identity.replySigner,
      digest: request?.digest ?? 'sha256',
      ...(request ? { cipher: request.cipher, keyTransport: request.keyTransport } : {}),
      allowLegacyCiphers: this.allowLegacyCiphers,
      clock: this.clock,
    });
  }
}
