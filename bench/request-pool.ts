/**
 * Pre-built PKCSReq pkiMessages for a load run (RFC 8894; RSA-2048 client keys, AES-128-CBC, SHA-256), so the
 * load generator only sends bytes. Each request has its own subject, transactionID, senderNonce and CSR, so a
 * CA issues for every one (a repeated transactionID is a resend, answered from the record without signing; a
 * repeated subject is refused by micromdm).
 *
 * Keys: RSA-2048 generation takes 50-100 ms, so a run uses a small pool of client keys (default 32), each with its
 * self-signed signer certificate, and spreads the requests over them; neither our CA nor micromdm ties anything to
 * the key across transactions. The pool is per target: the envelope is encrypted to that target's certificate.
 * Signing runs on libuv's pool (both cores); the JavaScript part on the calling thread.
 */
import { randomBytes } from 'node:crypto';
import { systemClock } from '../core/clock.js';
import { selfSignedCertificate } from '../core/pki/ca.js';
import { buildCsr } from '../core/pki/csr.js';
import { generateKeyPair, type KeyPair } from '../core/pki/keys.js';
import { readCaCertificates } from '../core/scep/client-ca-certs.js';
import { MessageType, NONCE_LENGTH } from '../core/scep/constants.js';
import { buildRequest } from '../core/scep/messages.js';
import type { SignerIdentity } from '../core/scep/signed-data.js';

export interface ClientKey extends KeyPair {
  /** Self-signed certificate (DER) that signs this key's pkiMessages and receives the CertRep envelope. */
  certificate: Uint8Array;
}

export interface PooledRequest {
  body: Uint8Array;
  transactionId: string;
  senderNonce: Uint8Array;
  /** Index into the key pool. */
  key: number;
  subject: string;
}

export interface RequestPool {
  requests: PooledRequest[];
  keys: readonly ClientKey[];
  /** The certificate the envelopes are encrypted to (the target's RA, else its CA). */
  recipient: Uint8Array;
  /** Expected signer of the CertReps, from GetCACert. */
  replySigner: Uint8Array;
  buildMs: number;
}

/** Generates `count` RSA-2048 client keys concurrently, each with a self-signed signer certificate. */
export async function generateClientKeys(count: number, runId: string): Promise<ClientKey[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const keys = await generateKeyPair({ type: 'rsa', bits: 2048 });
      const issued = await selfSignedCertificate({
        subject: `CN=mdmca-bench-signer-${runId}-${index},O=mdmca bench`,
        privateKey: keys.privateKey,
        publicKey: keys.publicKey,
        clock: systemClock,
        validityDays: 2,
      });
      return { ...keys, certificate: issued.der };
    }),
  );
}

export interface BuildPoolOptions {
  /** The target's GetCACert answer. */
  caCert: { contentType: string; body: Uint8Array };
  keys: readonly ClientKey[];
  count: number;
  challenge?: string;
  /** Subjects are `CN=<subjectPrefix>-<index>,O=mdmca bench`; make it unique per run. */
  subjectPrefix: string;
  /** Requests built concurrently (their signatures fill libuv's pool). Default 64. */
  concurrency?: number;
  onProgress?: (built: number, total: number) => void;
}

/**
 * Builds requests in batches as a run needs them (the warm-up first, then as many as its rate calls for), so a
 * slow target does not cost tens of thousands of unused requests. `bodies` grows in place.
 */
export class PoolBuilder {
  readonly pool: RequestPool;
  /** The request bodies in order: what the load generator sends. */
  readonly bodies: Uint8Array[] = [];
  private readonly recipients: Uint8Array[];

  constructor(private readonly options: Omit<BuildPoolOptions, 'count'>) {
    if (options.keys.length === 0) throw new Error('the request pool needs at least one client key');
    const ca = readCaCertificates(options.caCert.contentType, options.caCert.body);
    this.recipients = [ca.encryptionCertificate];
    this.pool = { requests: [], keys: options.keys, recipient: ca.encryptionCertificate, replySigner: ca.signerCertificate, buildMs: 0 };
  }

  get size(): number {
    return this.pool.requests.length;
  }

  /** Adds `count` requests. */
  async add(count: number): Promise<void> {
    const started = performance.now();
    const first = this.pool.requests.length;
    const total = first + count;
    const requests = this.pool.requests;
    let next = first;
    let built = 0;
    const worker = async () => {
      for (let index = next++; index < total; index = next++) {
        requests[index] = await buildOne(this.options.keys[index % this.options.keys.length]!, index, this.recipients, this.options);
        if (++built % 1000 === 0) this.options.onProgress?.(built, count);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 64, count) }, worker));
    for (let index = first; index < total; index++) this.bodies.push(requests[index]!.body);
    this.pool.buildMs += performance.now() - started;
  }
}

export async function buildPkcsReqPool(options: BuildPoolOptions): Promise<RequestPool> {
  const builder = new PoolBuilder(options);
  await builder.add(options.count);
  return builder.pool;
}

async function buildOne(client: ClientKey, index: number, recipients: Uint8Array[], options: Omit<BuildPoolOptions, 'count'>): Promise<PooledRequest> {
  const subject = `CN=${options.subjectPrefix}-${index},O=mdmca bench`;
  const csr = await buildCsr({
    subject,
    privateKey: client.privateKey,
    publicKey: client.publicKey,
    ...(options.challenge !== undefined ? { challengePassword: options.challenge } : {}),
  });
  const transactionId = `${options.subjectPrefix}-${index}`;
  const senderNonce = new Uint8Array(randomBytes(NONCE_LENGTH));
  const signer: SignerIdentity = { certificate: client.certificate, privateKey: client.privateKey };
  const { der } = await buildRequest({
    request: { messageType: MessageType.PKCSReq, csr },
    transactionId,
    senderNonce,
    signer,
    recipients,
    cipher: 'aes-128-cbc',
    digest: 'sha256',
  });
  return { body: der, transactionId, senderNonce, key: index % Math.max(1, options.keys.length), subject };
}
