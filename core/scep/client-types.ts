/**
 * The shapes of the SCEP client's API (client.ts): options, per-operation inputs and results, step timings.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { HashName } from '../pki/algorithms.js';
import type { GeneralNameEntry } from '../pki/general-names.js';
import type { KeySpec } from '../pki/keys.js';
import type { DnInput } from '../pki/names.js';
import type { CaCaps } from './caps.js';
import type { CaCertificates } from './client-ca-certs.js';
import type { CertRepReading } from './client-response.js';
import type { FetchLike, ScepExchange } from './client-transport.js';
import type { ContentCipherName } from './ciphers.js';
import type { FailInfo, MessageType, PkiStatus } from './constants.js';
import type { SignerIdentity } from './signed-data.js';

export type MethodPreference = 'auto' | 'POST' | 'GET';

export interface ScepClientOptions {
  /** The SCEP URL, e.g. http://127.0.0.1:8080/scep or …/cgi-bin/pkiclient.exe. */
  url: string;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Called once per HTTP exchange, after its answer is decoded; the exchange fits suites/model.ts Exchange. */
  onExchange?: (exchange: ScepExchange) => void;
  /** Party names in recorded exchanges; default 'scep client' and the URL's host. */
  parties?: { from: string; to: string };
  /** Permit 3DES and single DES in either direction. Default false. */
  allowLegacyCiphers?: boolean;
  /** How PKIOperation is sent; 'auto' (default) follows POSTPKIOperation in the caps (RFC 8894 §4.1). */
  method?: MethodPreference;
  /** Send GET messages as macOS does: `+` and `/` unescaped, only `=` as %3D. */
  macOsGetQuirk?: boolean;
  /** Per HTTP exchange. Default 30 000. */
  timeoutMs?: number;
  /** The `message=` of GetCACaps, GetCACert and GetNextCACert (Apple's payload Name, NDES, EJBCA CA mode). */
  caIdentifier?: string;
  /** Default 4 MiB. */
  maxResponseBytes?: number;
  /** Refuse CertReps signed by a certificate GetCACert did not return. Default true. */
  requireKnownSigner?: boolean;
  clock?: Clock;
  /** Waits between polls; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface CaCapsResponse {
  caps: CaCaps;
  status: number;
  contentType: string;
  text: string;
}

export interface NextCaCertificates extends Omit<CaCertificates, 'form' | 'contentTypeMatches'> {
  /** The current CA certificate that signed the reply. */
  signedBy: Uint8Array;
}

export interface Timings {
  keygenMs?: number;
  buildMs: number;
  httpMs: number;
  parseMs: number;
  totalMs: number;
}

export interface TransactOptions {
  signer: SignerIdentity;
  /** Default: fresh random hex. */
  transactionId?: string;
  cipher?: ContentCipherName;
  digest?: HashName;
  method?: 'POST' | 'GET';
}

export interface TransactResult {
  reply: CertRepReading;
  senderNonce: Uint8Array;
  transactionId: string;
  method: 'POST' | 'GET';
  cipher: ContentCipherName;
  digest: HashName;
  /** A legacy cipher was used in either direction. */
  legacyCipherUsed: boolean;
  timings: Timings;
}

export interface EnrollOptions {
  /** The CSR DER; else one is made from subject (and a fresh key unless privateKey is given). */
  csr?: Uint8Array;
  /** The CSR's key. Needed to make the CSR or the self-signed signer. */
  privateKey?: KeyObject;
  subject?: DnInput;
  /** Default RSA-2048. */
  keySpec?: KeySpec;
  subjectAltNames?: GeneralNameEntry[];
  challenge?: string;
  /** Default: a self-signed certificate for the CSR's key and subject (RFC 8894 §2.3). Renewal: the old identity. */
  signer?: SignerIdentity;
  /** Default PKCSReq. */
  messageType?: MessageType.PKCSReq | MessageType.RenewalReq;
  cipher?: ContentCipherName;
  digest?: HashName;
  method?: 'POST' | 'GET';
  /** Default: derived from the public key (transaction-id.ts, 'mdmca' style), so a retry keeps it. */
  transactionId?: string;
  /** On PENDING, send CertPoll up to maxAttempts times, intervalMs apart. */
  poll?: { intervalMs: number; maxAttempts: number };
}

/** What a PENDING enrolment needs to be polled later. */
export interface PendingEnrollment {
  transactionId: string;
  signer: SignerIdentity;
  /** CertPoll's IssuerAndSubject. */
  issuer: Uint8Array;
  subject: Uint8Array;
  cipher: ContentCipherName;
  digest: HashName;
  method: 'POST' | 'GET';
}

export interface EnrollResult {
  status: PkiStatus;
  statusName: string;
  /** SUCCESS: the issued certificate (the one holding the CSR's key, RFC 8894 §3.3.2). */
  certificate?: Uint8Array;
  /** SUCCESS: the other certificates of the reply. */
  chain: Uint8Array[];
  failInfo?: FailInfo;
  failInfoText?: string;
  transactionId: string;
  /** CertPolls sent. */
  pollCount: number;
  /** The request's content cipher; the CertRep's is reply.cipher. */
  cipher: ContentCipherName;
  digest: HashName;
  method: 'POST' | 'GET';
  legacyCipherUsed: boolean;
  csr: Uint8Array;
  privateKey?: KeyObject;
  signer: SignerIdentity;
  /** The last CertRep. */
  reply: CertRepReading;
  /** The last request's senderNonce. */
  senderNonce: Uint8Array;
  /** PENDING: what poll() needs. */
  pending?: PendingEnrollment;
  timings: Timings;
}

export interface IssuerAndSerial {
  /** Name DER of the issuer. */
  issuer: Uint8Array;
  /** INTEGER content octets of the serial. */
  serialNumber: Uint8Array;
}
