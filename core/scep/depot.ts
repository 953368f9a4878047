/**
 * What the SCEP server keeps between requests, behind one small interface in the manner of micromdm's depot:
 * the certificates it issued (GetCert, renewal checks), its transactions (CertPoll, manual approval, a repeated
 * PKCSReq answered with the same certificate), its CRL (GetCRL) and the next CA (GetNextCACert). The SCEP CA
 * simulator stands a Store behind it; MemoryScepDepot serves tests and embedded use.
 *
 * Every method may answer synchronously or with a promise, so a database depot fits as well as a Map.
 */
import type { FailInfo } from './constants.js';

export type MaybePromise<T> = T | Promise<T>;

export type ScepTransactionStatus = 'pending' | 'issued' | 'rejected';

/** One enrolment (PKCSReq or RenewalReq) and where it stands; JSON-serialisable so any Store can keep it. */
export interface ScepTransaction {
  transactionId: string;
  status: ScepTransactionStatus;
  messageType: 'PKCSReq' | 'RenewalReq';
  /** RFC 4514 subject of the CSR. */
  subject: string;
  /** Lower-case hex SHA-256 of the CSR's SubjectPublicKeyInfo: a repeated request must carry the same key. */
  keyHash: string;
  /** Lower-case hex SHA-256 of the request signer's SubjectPublicKeyInfo: who may poll. */
  signerKeyHash: string;
  /** Base64 DER of the CSR, kept while pending (approval issues from it). */
  csr?: string;
  /** Base64 DER of the request's signer certificate, kept while pending. */
  signerCertificate?: string;
  /** Why it is pending (a policy's reason). */
  reason?: string;
  /** Set when issued. */
  serialHex?: string;
  /** Set when rejected. */
  failInfo?: FailInfo;
  failInfoText?: string;
  /** Serial of the certificate that signed a renewal. */
  renewalOf?: string;
  requester?: string;
  createdAt: string;
  updatedAt: string;
}

export interface IssuedCertificateRecord {
  der: Uint8Array;
  serialHex: string;
  /** RFC 4514. */
  subject: string;
  notBefore: Date;
  notAfter: Date;
  transactionId: string;
  requester?: string;
  renewalOf?: string;
}

export interface ScepDepot {
  /** Records an issued certificate together with its transaction (status 'issued'); atomically where it can. */
  recordIssued(certificate: IssuedCertificateRecord, transaction: ScepTransaction): MaybePromise<void>;
  /** A certificate this CA issued, by canonical serial hex (GetCert, repeated requests). */
  getCertificate(serialHex: string): MaybePromise<Uint8Array | undefined>;
  /** Whether a certificate this CA issued is revoked or on hold; a renewal signed by one is refused. */
  isRevoked?(serialHex: string): MaybePromise<boolean>;
  getTransaction(transactionId: string): MaybePromise<ScepTransaction | undefined>;
  /** Insert or replace. */
  putTransaction(transaction: ScepTransaction): MaybePromise<void>;
  /** The current CRL DER (GetCRL); without this method GetCRL is refused. */
  crl?(): MaybePromise<Uint8Array | undefined>;
  /**
   * The next CA certificate (and next RA certificates) for GetNextCACert. When a depot has this method the
   * default capabilities advertise GetNextCACert.
   */
  nextCaCertificates?(): MaybePromise<readonly Uint8Array[] | undefined>;
}

/** A depot in memory: for unit tests, benchmarks and an embedded server without persistence. */
export class MemoryScepDepot implements ScepDepot {
  readonly certificates = new Map<string, IssuedCertificateRecord>();
  readonly transactions = new Map<string, ScepTransaction>();
  readonly revoked = new Set<string>();
  crlDer: Uint8Array | undefined;

  constructor(options: { nextCa?: readonly Uint8Array[] } = {}) {
    if (options.nextCa) {
      const next = options.nextCa;
      this.nextCaCertificates = () => next;
    }
  }

  recordIssued(certificate: IssuedCertificateRecord, transaction: ScepTransaction): void {
    this.certificates.set(certificate.serialHex, certificate);
    this.transactions.set(transaction.transactionId, { ...transaction });
  }

  getCertificate(serialHex: string): Uint8Array | undefined {
    return this.certificates.get(serialHex)?.der;
  }

  isRevoked(serialHex: string): boolean {
    return this.revoked.has(serialHex);
  }

  getTransaction(transactionId: string): ScepTransaction | undefined {
    const found = this.transactions.get(transactionId);
    return found ? { ...found } : undefined;
  }

  putTransaction(transaction: ScepTransaction): void {
    this.transactions.set(transaction.transactionId, { ...transaction });
  }

  crl(): Uint8Array | undefined {
    return this.crlDer;
  }

  nextCaCertificates?: () => readonly Uint8Array[] | undefined;
}
