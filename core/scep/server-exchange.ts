/**
 * One request/response of the SCEP server as data, handed to `onExchange`: what a suite records, what the
 * simulator lists under /__mdmca/scep-ca/exchanges, and where legacy cipher use is reported.
 */
export interface ScepExchange {
  /** Server clock, ISO-8601. */
  at: string;
  method: string;
  /** GetCACaps, GetCACert, GetNextCACert, PKIOperation, or what the client sent. */
  operation: string;
  httpStatus: number;
  contentType?: string;
  peer: string;
  messageType?: string;
  transactionId?: string;
  pkiStatus?: 'SUCCESS' | 'FAILURE' | 'PENDING';
  failInfo?: string;
  failInfoText?: string;
  /** The request's content cipher, mirrored in the reply. */
  cipher?: string;
  /** True when the request (and so the reply) used 3DES or single DES. */
  legacyCipher?: boolean;
  digest?: string;
  keyTransport?: string;
  serialHex?: string;
  subject?: string;
  /** What authenticated an enrolment: 'challenge', 'one-time challenge', 'renewal', … */
  authenticatedBy?: string;
  notes?: string[];
  /** Why the request got an HTTP error instead of a CertRep. */
  error?: string;
  timings: ExchangeTimings;
}

export interface ExchangeTimings {
  totalMs: number;
  /** Reading the POST body or decoding the GET message. */
  readMs?: number;
  /** Verify the signature, open the envelope, read the payload. */
  parseMs?: number;
  /** The policy chain, issuing included. */
  policyMs?: number;
  /** Building and signing the certificate. */
  issueMs?: number;
  /** Building, encrypting and signing the CertRep. */
  replyMs?: number;
}

/** What the service knows of a PKIOperation, before the transport adds the HTTP facts. */
export type ExchangeDetails = Omit<Partial<ScepExchange>, 'timings'> & { timings: Omit<ExchangeTimings, 'totalMs'> };
