/**
 * Enrolments: PKCSReq and RenewalReq through the policy chain to a certificate, the transactions they leave in
 * the depot (PENDING, issued, rejected), CertPoll against those, and the operator's approve/reject. The service
 * (server-service.ts) parses and replies; this decides what the reply says.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Peer } from '../http.js';
import type { CertificateAuthority, IssuedCertificate } from '../pki/ca.js';
import { type ParsedCertificate, parseCertificate } from '../pki/certificate.js';
import { parseCsr, type ParsedCsr } from '../pki/csr.js';
import type { CertificateProfile } from '../pki/profile.js';
import { certificateFields } from './cert-fields.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';
import type { ScepDepot, ScepTransaction } from './depot.js';
import type { ParsedRequest } from './messages.js';
import { composePolicies, type EnrollmentContext, type EnrollmentPolicy, type PolicyResult } from './policy.js';
import { renewalPolicy } from './policy-renewal.js';
import type { ExchangeDetails } from './server-exchange.js';

export type Failure = { status: PkiStatus.FAILURE; failInfo: FailInfo; text: string };
export type CertRepReply = { status: PkiStatus.SUCCESS; certificates?: Uint8Array[]; crls?: Uint8Array[] } | Failure | { status: PkiStatus.PENDING };
/** What the service answers: a CertRep's contents, or a plain HTTP answer a policy chose. */
export type Reply = CertRepReply | { status: 'http'; httpStatus: number; body: string; contentType: string };

export const failure = (failInfo: FailInfo, text: string): Failure => ({ status: PkiStatus.FAILURE, failInfo, text });

export class ScepAdminError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_state',
    message: string,
  ) {
    super(message);
    this.name = 'ScepAdminError';
  }
}

const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const base64 = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export interface EnrollmentsOptions {
  ca: CertificateAuthority;
  caCertificate: ParsedCertificate;
  depot: ScepDepot;
  clock: Clock;
  profile: () => CertificateProfile;
  policies: readonly EnrollmentPolicy[];
  /** Sent after the issued certificate in a SUCCESS. */
  extraCertificates: readonly Uint8Array[];
}

export class Enrollments {
  private readonly ca: CertificateAuthority;
  private readonly depot: ScepDepot;
  private readonly clock: Clock;
  private readonly profile: () => CertificateProfile;
  private readonly extraCertificates: readonly Uint8Array[];
  private readonly caSubject: Uint8Array;
  private readonly chain: (context: EnrollmentContext) => Promise<PolicyResult>;
  private readonly inFlight = new Map<string, Promise<Reply>>();
  /** Issue time of a request, measured by the signing link. */
  private readonly issueMs = new WeakMap<EnrollmentContext, number>();

  constructor(options: EnrollmentsOptions) {
    this.ca = options.ca;
    this.depot = options.depot;
    this.clock = options.clock;
    this.profile = options.profile;
    this.extraCertificates = options.extraCertificates;
    this.caSubject = options.caCertificate.subjectDer;
    const depot = this.depot;
    const renewal = renewalPolicy({
      caCertificate: options.caCertificate,
      ...(depot.isRevoked ? { isRevoked: (serial: string) => depot.isRevoked!(serial) } : {}),
    });
    this.chain = composePolicies([renewal, ...options.policies], (context) => this.sign(context));
  }

  /** Approves a pending request: issues its certificate now; the next CertPoll gets it. */
  async approve(transactionId: string): Promise<ScepTransaction> {
    const transaction = await this.pendingTransaction(transactionId);
    const csr = parseCsr(fromBase64(transaction.csr!));
    const issued = await this.ca.issueFromCsr(csr, this.profile());
    const updated: ScepTransaction = {
      ...transaction,
      status: 'issued',
      serialHex: issued.serialHex,
      updatedAt: this.clock.now().toISOString(),
    };
    delete updated.csr;
    await this.record(issued, updated);
    return updated;
  }

  /** Rejects a pending request: the next CertPoll gets FAILURE with this text. */
  async reject(transactionId: string, text = 'the request was rejected by the CA operator', failInfo = FailInfo.badRequest): Promise<ScepTransaction> {
    const transaction = await this.pendingTransaction(transactionId);
    const updated: ScepTransaction = { ...transaction, status: 'rejected', failInfo, failInfoText: text, updatedAt: this.clock.now().toISOString() };
    delete updated.csr;
    await this.depot.putTransaction(updated);
    return updated;
  }

  private async pendingTransaction(transactionId: string): Promise<ScepTransaction> {
    const transaction = await this.depot.getTransaction(transactionId);
    if (!transaction) throw new ScepAdminError('not_found', `no transaction ${transactionId}`);
    if (transaction.status !== 'pending' || !transaction.csr) {
      throw new ScepAdminError('invalid_state', `transaction ${transactionId} is ${transaction.status}, not pending`);
    }
    return transaction;
  }

  /** One enrolment per transactionID at a time: a concurrent duplicate waits for the first and gets its answer. */
  async enroll(request: ParsedRequest, csrDer: Uint8Array, peer: Peer, details: ExchangeDetails): Promise<Reply> {
    const id = request.transactionId;
    const running = this.inFlight.get(id);
    if (running) {
      await running.catch(() => undefined);
      return this.enrollNow(request, csrDer, peer, details);
    }
    const work = this.enrollNow(request, csrDer, peer, details);
    this.inFlight.set(id, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(id);
    }
  }

  private async enrollNow(request: ParsedRequest, csrDer: Uint8Array, peer: Peer, details: ExchangeDetails): Promise<Reply> {
    let csr: ParsedCsr;
    try {
      csr = parseCsr(csrDer);
    } catch (error) {
      return failure(FailInfo.badRequest, `the CSR cannot be read: ${(error as Error).message}`);
    }
    details.subject = csr.subject.toString();
    if (!csr.verify()) return failure(FailInfo.badMessageCheck, 'the CSR signature does not verify');
    const keyHash = sha256Hex(csr.spkiDer);
    const existing = await this.depot.getTransaction(request.transactionId);
    if (existing) {
      const replay = await this.replay(existing, keyHash, details);
      if (replay) return replay;
    }

    const signer = certificateFields(request.signerCertificate);
    const selfSigned = Buffer.compare(signer.issuer, signer.subject) === 0;
    const namesThisCa = Buffer.compare(signer.issuer, this.caSubject) === 0;
    const context: EnrollmentContext = {
      messageType: request.messageType as MessageType.PKCSReq | MessageType.RenewalReq,
      transactionId: request.transactionId,
      request,
      csr,
      now: this.clock.now(),
      peer,
      kind: request.messageType === MessageType.RenewalReq || (namesThisCa && !selfSigned) ? 'renewal' : 'enrollment',
      overrides: {},
      notes: [],
    };
    const result = await this.runChain(context, details);
    if (context.authenticatedBy) details.authenticatedBy = context.authenticatedBy;
    if (context.notes.length) details.notes = context.notes;
    switch (result.kind) {
      case 'issued':
        details.serialHex = result.certificate.serialHex;
        return { status: PkiStatus.SUCCESS, certificates: [result.certificate.der, ...this.extraCertificates] };
      case 'rejected':
        // Not recorded: clients derive the transactionID from the key, and must be able to retry (a typo in a challenge).
        return failure(result.failInfo, result.text);
      case 'pending': {
        const now = this.clock.now().toISOString();
        await this.depot.putTransaction({
          ...this.transactionBase(context, keyHash),
          status: 'pending',
          csr: base64(csrDer),
          signerCertificate: base64(request.signerCertificate),
          ...(result.reason !== undefined ? { reason: result.reason } : {}),
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        });
        return { status: PkiStatus.PENDING };
      }
      case 'http':
        details.error = `policy answered HTTP ${result.status}`;
        return { status: 'http', httpStatus: result.status, body: result.body, contentType: result.contentType ?? 'text/plain; charset=utf-8' };
    }
  }

  private async runChain(context: EnrollmentContext, details: ExchangeDetails): Promise<PolicyResult> {
    try {
      const result = await this.chain(context);
      const issueMs = this.issueMs.get(context);
      if (issueMs !== undefined) details.timings.issueMs = issueMs;
      return result;
    } catch (error) {
      return { kind: 'rejected', failInfo: FailInfo.badRequest, text: `the CA could not process the enrolment: ${(error as Error)?.message ?? String(error)}` };
    }
  }

  /**
   * A PKCSReq repeating a known transactionID (RFC 8894 §3.3.1: a resend is answered as the original was).
   * ASSUMPTION: an issued certificate is sent again only while it is valid and not revoked; otherwise the request
   * is treated as new. A different key under the same transactionID is refused.
   */
  private async replay(existing: ScepTransaction, keyHash: string, details: ExchangeDetails): Promise<Reply | undefined> {
    if (existing.keyHash !== keyHash) {
      return failure(FailInfo.badRequest, `transactionID ${existing.transactionId} is already in use for another key`);
    }
    if (existing.status === 'pending') return { status: PkiStatus.PENDING };
    if (existing.status === 'rejected') return failure(existing.failInfo ?? FailInfo.badRequest, existing.failInfoText ?? 'the request was rejected');
    const certificate = existing.serialHex ? await this.depot.getCertificate(existing.serialHex) : undefined;
    if (!certificate) return undefined;
    const now = this.clock.now();
    const parsed = parseCertificate(certificate);
    if (!parsed.isValidAt(now) || (await this.depot.isRevoked?.(parsed.serialHex))) return undefined;
    details.serialHex = parsed.serialHex;
    details.notes = [...(details.notes ?? []), 'repeated transactionID: the certificate issued before is sent again'];
    return { status: PkiStatus.SUCCESS, certificates: [certificate, ...this.extraCertificates] };
  }

  private transactionBase(context: EnrollmentContext, keyHash: string) {
    return {
      transactionId: context.transactionId,
      messageType: context.messageType === MessageType.RenewalReq ? ('RenewalReq' as const) : ('PKCSReq' as const),
      subject: context.csr.subject.toString(),
      keyHash,
      signerKeyHash: sha256Hex(certificateFields(context.request.signerCertificate).spki),
      requester: context.peer.address,
      ...(context.renewalOf ? { renewalOf: context.renewalOf.serialHex } : {}),
    };
  }

  /** The last link of the chain: issue and record. */
  private async sign(context: EnrollmentContext): Promise<PolicyResult> {
    const started = performance.now();
    const issued = await this.ca.issueFromCsr(context.csr, context.profile ?? this.profile(), context.overrides);
    this.issueMs.set(context, performance.now() - started);
    const now = this.clock.now().toISOString();
    await this.record(issued, {
      ...this.transactionBase(context, sha256Hex(context.csr.spkiDer)),
      status: 'issued',
      serialHex: issued.serialHex,
      createdAt: now,
      updatedAt: now,
    });
    return { kind: 'issued', certificate: issued };
  }

  private record(issued: IssuedCertificate, transaction: ScepTransaction) {
    return this.depot.recordIssued(
      {
        der: issued.der,
        serialHex: issued.serialHex,
        subject: issued.subject.toString(),
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        transactionId: transaction.transactionId,
        ...(transaction.requester !== undefined ? { requester: transaction.requester } : {}),
        ...(transaction.renewalOf !== undefined ? { renewalOf: transaction.renewalOf } : {}),
      },
      transaction,
    );
  }

  /** CertPoll: keyed by transactionID (RFC 8894 §3.3.3), and only for the key that asked. */
  async poll(request: ParsedRequest, details: ExchangeDetails): Promise<Reply> {
    const transaction = await this.depot.getTransaction(request.transactionId);
    if (!transaction) return failure(FailInfo.badCertId, `no enrolment with transactionID ${request.transactionId}`);
    const signerKey = sha256Hex(certificateFields(request.signerCertificate).spki);
    if (signerKey !== transaction.signerKeyHash && signerKey !== transaction.keyHash) {
      return failure(FailInfo.badCertId, 'the CertPoll is not signed with the key of the original request');
    }
    details.subject = transaction.subject;
    if (transaction.status === 'pending') return { status: PkiStatus.PENDING };
    if (transaction.status === 'rejected') {
      return failure(transaction.failInfo ?? FailInfo.badRequest, transaction.failInfoText ?? 'the request was rejected');
    }
    const certificate = transaction.serialHex ? await this.depot.getCertificate(transaction.serialHex) : undefined;
    if (!certificate) return failure(FailInfo.badCertId, `the certificate of transaction ${request.transactionId} is not on record`);
    details.serialHex = transaction.serialHex!;
    return { status: PkiStatus.SUCCESS, certificates: [certificate, ...this.extraCertificates] };
  }
}
