/**
 * The RFC 8894 SCEP client: GetCACaps, GetCACert, GetNextCACert, and the PKIOperation transactions (PKCSReq and
 * RenewalReq with CertPoll for PENDING, GetCert, GetCRL). Algorithms and method come from the CA's caps
 * (caps.ts); legacy ciphers only under allowLegacyCiphers, and reported when used. HTTP is in
 * client-transport.ts, CertRep checks in client-response.ts, GetCACert roles in client-ca-certs.ts.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { type Clock, systemClock } from '../clock.js';
import { selfSignedCertificate } from '../pki/ca.js';
import { buildCsr, parseCsr } from '../pki/csr.js';
import { generateKeyPair } from '../pki/keys.js';
import { type CaCaps, chooseCipher, chooseDigest, chooseMethod, parseCaps } from './caps.js';
import { type CaCertificates, classify, NEXT_CA_CERT_CONTENT_TYPE, readCaCertificates } from './client-ca-certs.js';
import { ScepClientError, ScepLegacyCipherError } from './client-errors.js';
import { type CertRepReading, certificateHasKey, readCertRep, summarizeReply } from './client-response.js';
import { httpError, ScepTransport } from './client-transport.js';
import type {
  CaCapsResponse,
  EnrollOptions,
  EnrollResult,
  IssuerAndSerial,
  NextCaCertificates,
  PendingEnrollment,
  ScepClientOptions,
  Timings,
  TransactOptions,
  TransactResult,
} from './client-types.js';
import { parseNextCaCert } from './certs-only.js';
import { certificateFields } from './cert-fields.js';
import { CONTENT_CIPHERS, type ContentCipherName } from './ciphers.js';
import { MessageType, messageTypeName, PkiStatus, pkiStatusName } from './constants.js';
import { buildRequest, type RequestPayload } from './messages.js';
import type { SignerIdentity } from './signed-data.js';
import { transactionIdFor } from './transaction-id.js';
import type { HashName } from '../pki/algorithms.js';

export { ScepClientError, ScepLegacyCipherError } from './client-errors.js';
export type { ScepClientErrorCode } from './client-errors.js';
export type { ScepExchange, MessageSummary, FetchLike } from './client-transport.js';
export type { CaCertificates } from './client-ca-certs.js';
export type { CertRepReading } from './client-response.js';
export type * from './client-types.js';

const elapsed = (since: number) => performance.now() - since;
const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** IssuerAndSerial of a certificate. */
export function issuerAndSerialOf(certificate: Uint8Array): IssuerAndSerial {
  const fields = certificateFields(certificate);
  return { issuer: fields.issuer, serialNumber: fields.serialNumber };
}

export class ScepClient {
  readonly transport: ScepTransport;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private capsPromise: Promise<CaCaps> | undefined;
  private caPromise: Promise<CaCertificates> | undefined;

  constructor(readonly options: ScepClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? sleeper;
    this.transport = new ScepTransport({
      url: options.url,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      clock: this.clock,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxResponseBytes: options.maxResponseBytes ?? 4 * 1024 * 1024,
      macOsGetQuirk: options.macOsGetQuirk ?? false,
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
      ...(options.parties ? { parties: options.parties } : {}),
    });
  }

  private get identifier(): { message?: string } {
    return this.options.caIdentifier !== undefined ? { message: this.options.caIdentifier } : {};
  }

  /** GetCACaps with its HTTP facts. An HTTP error or empty body means no capabilities (RFC 8894 §3.5.2). */
  async getCaCapsResponse(): Promise<CaCapsResponse> {
    const response = await this.transport.send({ operation: 'GetCACaps', method: 'GET', ...this.identifier });
    this.transport.emit(response.exchange);
    const text = response.status === 200 ? Buffer.from(response.body).toString('utf8') : '';
    const caps = parseCaps(text);
    this.capsPromise = Promise.resolve(caps);
    return { caps, status: response.status, contentType: response.contentType, text };
  }

  async getCaCaps(): Promise<CaCaps> {
    return (await this.getCaCapsResponse()).caps;
  }

  /** The caps, fetched once (again after a failure). */
  caps(): Promise<CaCaps> {
    this.capsPromise ??= this.getCaCaps().catch((error: unknown) => {
      this.capsPromise = undefined;
      throw error;
    });
    return this.capsPromise;
  }

  async getCaCert(): Promise<CaCertificates> {
    const response = await this.transport.send({ operation: 'GetCACert', method: 'GET', ...this.identifier });
    this.transport.emit(response.exchange);
    if (response.status !== 200) throw httpError('GetCACert', response);
    const certificates = readCaCertificates(response.contentType, response.body);
    this.caPromise = Promise.resolve(certificates);
    return certificates;
  }

  /** The CA certificates, fetched once (again after a failure). */
  caCertificates(): Promise<CaCertificates> {
    this.caPromise ??= this.getCaCert().catch((error: unknown) => {
      this.caPromise = undefined;
      throw error;
    });
    return this.caPromise;
  }

  /** GetNextCACert (RFC 8894 §4.7): verified against the current CA certificate. */
  async getNextCaCert(): Promise<NextCaCertificates & { contentTypeMatches: boolean }> {
    const current = await this.caCertificates();
    const response = await this.transport.send({ operation: 'GetNextCACert', method: 'GET', ...this.identifier });
    this.transport.emit(response.exchange);
    if (response.status !== 200) throw httpError('GetNextCACert', response);
    let next;
    try {
      next = parseNextCaCert(response.body, current.issuingCa);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ScepClientError('bad-response', `GetNextCACert answer is not a SignedData by the current CA: ${reason}`, {
        status: response.status,
        contentType: response.rawContentType,
        cause: error,
      });
    }
    return {
      ...classify(next.certificates),
      contentType: response.contentType,
      contentTypeMatches: response.contentType === NEXT_CA_CERT_CONTENT_TYPE,
      signedBy: next.signerCertificate,
    };
  }

  /** The cipher, digest and method the caps (and the caller) choose; refuses a legacy cipher unless allowed. */
  async choose(options: { cipher?: ContentCipherName; digest?: HashName; method?: 'POST' | 'GET' }) {
    const preference = options.method ?? this.options.method ?? 'auto';
    const needCaps = !options.cipher || !options.digest || preference === 'auto';
    const caps = needCaps ? await this.caps() : undefined;
    const cipher = options.cipher ?? chooseCipher(caps!);
    if (CONTENT_CIPHERS[cipher].legacy && !this.options.allowLegacyCiphers) throw new ScepLegacyCipherError(cipher, 'request');
    const digest = options.digest ?? chooseDigest(caps!);
    const method = preference === 'auto' ? chooseMethod(caps!) : preference;
    return { cipher, digest, method };
  }

  /**
   * One PKIOperation: builds, signs and encrypts the request, sends it, and reads and checks the CertRep. A
   * FAILURE or PENDING CertRep is a result, not an error.
   */
  async transact(request: RequestPayload, options: TransactOptions): Promise<TransactResult> {
    const started = performance.now();
    const ca = await this.caCertificates();
    const { cipher, digest, method } = await this.choose(options);
    const transactionId = options.transactionId ?? randomBytes(16).toString('hex');
    const buildStarted = performance.now();
    const built = await buildRequest({
      request,
      transactionId,
      signer: options.signer,
      recipients: [ca.encryptionCertificate],
      cipher,
      digest,
      allowLegacyCiphers: this.options.allowLegacyCiphers ?? false,
      clock: this.clock,
    });
    const buildMs = elapsed(buildStarted);
    const response = await this.transport.send({
      operation: 'PKIOperation',
      method,
      der: built.der,
      request: { messageType: messageTypeName(request.messageType), transactionId, cipher },
    });
    const parseStarted = performance.now();
    let reply: CertRepReading;
    try {
      reply = readCertRep('PKIOperation', response, {
        senderNonce: built.senderNonce,
        transactionId,
        decryptWith: options.signer,
        allowLegacyCiphers: this.options.allowLegacyCiphers ?? false,
        knownSigners: ca.certificates,
        requireKnownSigner: this.options.requireKnownSigner ?? true,
      });
    } catch (error) {
      response.exchange.response ??= summarizeReply(response.body, ca.certificates);
      throw error;
    } finally {
      this.transport.emit(response.exchange);
    }
    const parseMs = elapsed(parseStarted);
    return {
      reply,
      senderNonce: built.senderNonce,
      transactionId,
      method,
      cipher,
      digest,
      legacyCipherUsed: CONTENT_CIPHERS[cipher].legacy || reply.legacyCipher,
      timings: { buildMs, httpMs: response.exchange.durationMs, parseMs, totalMs: elapsed(started) },
    };
  }

  /** PKCSReq or RenewalReq (RFC 8894 §3.3.1), polling on PENDING when asked. */
  async enroll(options: EnrollOptions): Promise<EnrollResult> {
    const started = performance.now();
    let keygenMs: number | undefined;
    let privateKey = options.privateKey;
    if (!options.csr && !privateKey) {
      const keygenStarted = performance.now();
      privateKey = (await generateKeyPair(options.keySpec ?? { type: 'rsa', bits: 2048 })).privateKey;
      keygenMs = elapsed(keygenStarted);
    }
    const buildStarted = performance.now();
    const csr = options.csr ?? (await this.makeCsr(options, privateKey!));
    let parsedCsr;
    try {
      parsedCsr = parseCsr(csr);
    } catch (cause) {
      throw new ScepClientError('usage', `enroll() got a CSR that does not parse: ${(cause as Error).message}`, { cause });
    }
    let signer = options.signer;
    if (!signer) {
      if (!privateKey) throw new ScepClientError('usage', 'enroll() with a CSR needs its privateKey or a signer');
      const self = await selfSignedCertificate({
        subject: parsedCsr.subject,
        privateKey,
        clock: this.clock,
        validityDays: 30,
        keyUsage: ['digitalSignature', 'keyEncipherment'],
      });
      signer = { certificate: self.der, privateKey };
    }
    const setupMs = elapsed(buildStarted);
    const messageType = options.messageType ?? MessageType.PKCSReq;
    const transactionId = options.transactionId ?? transactionIdFor(parsedCsr.spkiDer);
    const first = await this.transact(
      { messageType, csr },
      { signer, transactionId, ...pick(options, 'cipher', 'digest', 'method') },
    );
    const ca = await this.caCertificates();
    const pending: PendingEnrollment = {
      transactionId,
      signer,
      issuer: certificateFields(ca.issuingCa).subject,
      subject: parsedCsr.subject.der,
      cipher: first.cipher,
      digest: first.digest,
      method: first.method,
    };
    let last = first;
    const timings: Timings = { ...first.timings, buildMs: first.timings.buildMs + setupMs };
    let pollCount = 0;
    let legacy = first.legacyCipherUsed;
    while (last.reply.status === PkiStatus.PENDING && options.poll && pollCount < options.poll.maxAttempts) {
      await this.sleep(options.poll.intervalMs);
      last = await this.certPoll(pending);
      pollCount++;
      legacy ||= last.legacyCipherUsed;
      timings.buildMs += last.timings.buildMs;
      timings.httpMs += last.timings.httpMs;
      timings.parseMs += last.timings.parseMs;
    }
    if (keygenMs !== undefined) timings.keygenMs = keygenMs;
    timings.totalMs = elapsed(started);
    return this.enrollResult(last, { csr, signer, pollCount, legacy, timings, pending, spki: parsedCsr.spkiDer, ...(privateKey ? { privateKey } : {}) });
  }

  /** One CertPoll (RFC 8894 §3.3.3) for a PENDING enrolment. */
  certPoll(pending: PendingEnrollment): Promise<TransactResult> {
    return this.transact(
      { messageType: MessageType.CertPoll, issuer: pending.issuer, subject: pending.subject },
      { signer: pending.signer, transactionId: pending.transactionId, cipher: pending.cipher, digest: pending.digest, method: pending.method },
    );
  }

  /** Polls a PENDING enrolment once more (e.g. after an administrator approved it). */
  async poll(pending: PendingEnrollment, csr: Uint8Array): Promise<EnrollResult> {
    const result = await this.certPoll(pending);
    const spki = parseCsr(csr).spkiDer;
    return this.enrollResult(result, { csr, signer: pending.signer, pollCount: 1, legacy: result.legacyCipherUsed, timings: result.timings, pending, spki });
  }

  /** GetCert (RFC 8894 §3.3.4): a certificate by issuer and serial. */
  async getCert(target: IssuerAndSerial, options: TransactOptions): Promise<TransactResult & { certificate?: Uint8Array }> {
    const result = await this.transact({ messageType: MessageType.GetCert, ...target }, options);
    const certificate = result.reply.certificates[0];
    return { ...result, ...(certificate ? { certificate } : {}) };
  }

  /** GetCRL (RFC 8894 §3.3.4): the CRL covering the certificate named by issuer and serial. */
  async getCrl(target: IssuerAndSerial, options: TransactOptions): Promise<TransactResult & { crl?: Uint8Array }> {
    const result = await this.transact({ messageType: MessageType.GetCRL, ...target }, options);
    const crl = result.reply.crls[0];
    return { ...result, ...(crl ? { crl } : {}) };
  }

  private makeCsr(options: EnrollOptions, privateKey: KeyObject): Promise<Uint8Array> {
    if (options.subject === undefined) throw new ScepClientError('usage', 'enroll() needs a csr or a subject');
    return buildCsr({
      subject: options.subject,
      privateKey,
      ...(options.challenge !== undefined ? { challengePassword: options.challenge } : {}),
      ...(options.subjectAltNames ? { subjectAltNames: options.subjectAltNames } : {}),
    });
  }

  private enrollResult(
    last: TransactResult,
    context: {
      csr: Uint8Array;
      signer: SignerIdentity;
      privateKey?: KeyObject;
      pollCount: number;
      legacy: boolean;
      timings: Timings;
      pending: PendingEnrollment;
      spki: Uint8Array;
    },
  ): EnrollResult {
    const { reply } = last;
    const certificates = reply.certificates;
    // RFC 8894 §3.3.2: the issued certificate is the leaf; find it by key rather than trust the order.
    const issued = certificates.find((c) => certificateHasKey(c, context.spki)) ?? certificates[0];
    return {
      status: reply.status,
      statusName: pkiStatusName(reply.status),
      ...(issued ? { certificate: issued } : {}),
      chain: certificates.filter((c) => c !== issued),
      ...(reply.failInfo !== undefined ? { failInfo: reply.failInfo } : {}),
      ...(reply.failInfoText !== undefined ? { failInfoText: reply.failInfoText } : {}),
      transactionId: last.transactionId,
      pollCount: context.pollCount,
      cipher: last.cipher,
      digest: last.digest,
      method: last.method,
      legacyCipherUsed: context.legacy,
      csr: context.csr,
      ...(context.privateKey ? { privateKey: context.privateKey } : {}),
      signer: context.signer,
      reply,
      senderNonce: last.senderNonce,
      ...(reply.status === PkiStatus.PENDING ? { pending: context.pending } : {}),
      timings: context.timings,
    };
  }
}

function pick<T extends object, K extends keyof T>(source: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
