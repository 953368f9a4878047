/**
 * The SCEP CA simulator's depot: issued certificates in the shared CertificateRepository (what the admin surface
 * lists and the CRL is built from) and transactions in a Store collection, so pending requests survive a restart
 * when the Store is SQLite. An issuance writes the certificate and its transaction in one Store transaction (grouped with the other
 * issuances of the same event-loop turn where the Store can, answered only after it commits).
 */
import type { IssuedCertificateRecord, ScepDepot, ScepTransaction, ScepTransactionStatus } from '../../core/scep/depot.js';
import type { CertificateRepository } from '../store/certificates.js';
import { type Collection, type Store, writeBatched } from '../store/index.js';

export interface StoreScepDepotOptions {
  store: Store;
  repository: CertificateRepository;
  /** The issuer id recorded with each certificate (the simulator name). */
  issuer: string;
  /** Collection name prefix, e.g. 'scep-ca'. */
  prefix: string;
  crl?: () => Promise<Uint8Array>;
  nextCa?: readonly Uint8Array[];
}

export class StoreScepDepot implements ScepDepot {
  private readonly store: Store;
  private readonly repository: CertificateRepository;
  private readonly issuer: string;
  readonly transactions: Collection<ScepTransaction>;
  crl?: () => Promise<Uint8Array>;
  nextCaCertificates?: () => readonly Uint8Array[];

  constructor(options: StoreScepDepotOptions) {
    this.store = options.store;
    this.repository = options.repository;
    this.issuer = options.issuer;
    this.transactions = options.store.collection<ScepTransaction>(`${options.prefix}:transactions`);
    if (options.crl) this.crl = options.crl;
    const next = options.nextCa;
    if (next?.length) this.nextCaCertificates = () => next;
  }

  /** Resolves once the certificate and its transaction are committed (group commit: Store.batch). */
  recordIssued(certificate: IssuedCertificateRecord, transaction: ScepTransaction): Promise<void> {
    return writeBatched(this.store, () => {
      this.repository.add({
        serialHex: certificate.serialHex,
        issuer: this.issuer,
        subject: certificate.subject,
        notBefore: certificate.notBefore.toISOString(),
        notAfter: certificate.notAfter.toISOString(),
        der: Buffer.from(certificate.der.buffer, certificate.der.byteOffset, certificate.der.byteLength).toString('base64'),
        transactionId: certificate.transactionId,
        ...(certificate.requester !== undefined ? { requester: certificate.requester } : {}),
        ...(certificate.renewalOf !== undefined ? { profile: `renewal of ${certificate.renewalOf}` } : {}),
      });
      this.transactions.put(transaction.transactionId, transaction);
    });
  }

  getCertificate(serialHex: string): Uint8Array | undefined {
    const record = this.find(serialHex);
    return record ? new Uint8Array(Buffer.from(record.der, 'base64')) : undefined;
  }

  isRevoked(serialHex: string): boolean {
    const record = this.find(serialHex);
    return record !== undefined && record.status !== 'valid';
  }

  getTransaction(transactionId: string): ScepTransaction | undefined {
    return this.transactions.get(transactionId);
  }

  putTransaction(transaction: ScepTransaction): void {
    this.transactions.put(transaction.transactionId, transaction);
  }

  listTransactions(status?: ScepTransactionStatus): ScepTransaction[] {
    return this.transactions.list(status ? { where: (t) => t.status === status } : {});
  }

  private find(serialHex: string) {
    try {
      const record = this.repository.get(serialHex);
      return record?.issuer === this.issuer ? record : undefined;
    } catch {
      return undefined; // not a hex serial: no such certificate
    }
  }
}
