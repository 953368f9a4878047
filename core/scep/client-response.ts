/**
 * Reading a PKIOperation answer as the requester (RFC 8894 §3.3.2, §3.2.1.5): an HTTP 200 CertRep whose
 * signature verifies, whose recipientNonce is our senderNonce and whose transactionID is ours, signed by a
 * certificate GetCACert named, and, for SUCCESS, whose envelope opens with our key. Each failure is a
 * ScepClientError with its own code, so a conformance check can say which rule broke.
 */
import { Buffer } from 'node:buffer';
import type { HashName } from '../pki/algorithms.js';
import { parseCertsOnly } from './certs-only.js';
import { certificateFields, tryCertificateFields } from './cert-fields.js';
import { CONTENT_CIPHERS, type ContentCipherName } from './ciphers.js';
import { bodySnippet, ScepClientError, ScepLegacyCipherError } from './client-errors.js';
import { httpError, type MessageSummary, type ScepHttpResponse } from './client-transport.js';
import { failInfoName, type FailInfo, MessageType, messageTypeName, PkiStatus, pkiStatusName } from './constants.js';
import { describeEnvelope, type EnvelopeRecipient, openEnvelope } from './envelope.js';
import { ScepError, ScepMalformedError } from './errors.js';
import { type PkiMessage, parsePkiMessage } from './pki-message.js';

export interface CertRepExpectation {
  senderNonce: Uint8Array;
  transactionId: string;
  /** Our certificate and key: the SUCCESS envelope is encrypted to the request's signer. */
  decryptWith: EnvelopeRecipient;
  allowLegacyCiphers: boolean;
  /** The GetCACert certificates; also used as the signer when the CertRep carries none. */
  knownSigners: readonly Uint8Array[];
  /** Refuse a CertRep signed by anyone else (default in the client: true). */
  requireKnownSigner: boolean;
}

export interface CertRepReading {
  status: PkiStatus;
  failInfo?: FailInfo;
  failInfoText?: string;
  /** SUCCESS: the degenerate SignedData's certificates, issued certificate first. */
  certificates: Uint8Array[];
  crls: Uint8Array[];
  /** SUCCESS: the content cipher the CA encrypted with. */
  cipher?: ContentCipherName;
  legacyCipher: boolean;
  transactionId: string;
  senderNonce?: Uint8Array;
  recipientNonce: Uint8Array;
  signerCertificate: Uint8Array;
  signerKnown: boolean;
  digest: HashName;
  signingTime?: Date;
  /** The media type the CertRep came with (RFC 8894 §4.3: application/x-pki-message). */
  contentType: string;
}

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) => !!a && !!b && Buffer.compare(a, b) === 0;

/** The summary of an answer body for the exchange record; never throws. */
export function summarizeReply(body: Uint8Array, knownSigners: readonly Uint8Array[]): MessageSummary | undefined {
  try {
    return summarize(parsePkiMessage(body, { trustedSigners: knownSigners }));
  } catch {
    return undefined;
  }
}

export function summarize(message: PkiMessage): MessageSummary {
  const summary: MessageSummary = { messageType: messageTypeName(message.messageType), transactionId: message.transactionId };
  if (message.pkiStatus !== undefined) summary.pkiStatus = pkiStatusName(message.pkiStatus);
  if (message.failInfo !== undefined) summary.failInfo = failInfoName(message.failInfo);
  if (message.failInfoText !== undefined) summary.failInfoText = message.failInfoText;
  if (message.envelope) {
    try {
      summary.cipher = describeEnvelope(message.envelope).cipher;
    } catch {
      // not an EnvelopedData: reported when the envelope is opened
    }
  }
  return summary;
}

/** Reads and checks a CertRep; fills `response.exchange.response` with its summary as soon as it is known. */
export function readCertRep(operation: string, response: ScepHttpResponse, expect: CertRepExpectation): CertRepReading {
  if (response.status !== 200) throw httpError(operation, response);
  const detail = { status: response.status, contentType: response.rawContentType, body: bodySnippet(response.body) };
  let message: PkiMessage;
  try {
    message = parsePkiMessage(response.body, { trustedSigners: expect.knownSigners });
  } catch (error) {
    if (error instanceof ScepError || error instanceof ScepMalformedError) {
      throw new ScepClientError('bad-response', `${operation} answer is not a valid pkiMessage: ${error.message}`, { ...detail, cause: error });
    }
    throw error;
  }
  const summary = summarize(message);
  response.exchange.response = summary;
  if (message.messageType !== MessageType.CertRep) {
    throw new ScepClientError('bad-response', `${operation} answer is a ${summary.messageType}, not a CertRep`, detail);
  }
  if (!same(message.recipientNonce, expect.senderNonce)) {
    throw new ScepClientError('nonce-mismatch', 'CertRep recipientNonce does not match our senderNonce (RFC 8894 §3.2.1.5)', detail);
  }
  if (message.transactionId !== expect.transactionId) {
    throw new ScepClientError(
      'transaction-mismatch',
      `CertRep transactionID "${message.transactionId}" is not ours ("${expect.transactionId}") (RFC 8894 §3.2.1.1)`,
      detail,
    );
  }
  const signerSpki = tryCertificateFields(message.signerCertificate)?.spki;
  const signerKnown = expect.knownSigners.some((known) => same(tryCertificateFields(known)?.spki, signerSpki));
  if (expect.requireKnownSigner && !signerKnown) {
    throw new ScepClientError('untrusted-signer', 'CertRep is signed by a certificate that GetCACert did not return', detail);
  }

  const reading: CertRepReading = {
    status: message.pkiStatus as PkiStatus,
    certificates: [],
    crls: [],
    legacyCipher: false,
    transactionId: message.transactionId,
    recipientNonce: message.recipientNonce as Uint8Array,
    signerCertificate: message.signerCertificate,
    signerKnown,
    digest: message.digest,
    contentType: response.contentType,
    ...(message.senderNonce ? { senderNonce: message.senderNonce } : {}),
    ...(message.signingTime ? { signingTime: message.signingTime } : {}),
    ...(message.failInfo !== undefined ? { failInfo: message.failInfo } : {}),
    ...(message.failInfoText !== undefined ? { failInfoText: message.failInfoText } : {}),
  };
  if (reading.status !== PkiStatus.SUCCESS) return reading;
  return { ...reading, ...openReply(message.envelope as Uint8Array, summary.cipher, expect, detail) };
}

/** Opens a SUCCESS envelope; `cipherName` is what summarize() read from it, if anything. */
function openReply(
  envelope: Uint8Array,
  cipherName: string | undefined,
  expect: CertRepExpectation,
  detail: { status: number; contentType: string; body: string },
): Pick<CertRepReading, 'certificates' | 'crls' | 'cipher' | 'legacyCipher'> {
  const cipher = cipherName && cipherName in CONTENT_CIPHERS ? CONTENT_CIPHERS[cipherName as ContentCipherName] : undefined;
  if (cipher?.legacy && !expect.allowLegacyCiphers) throw new ScepLegacyCipherError(cipher.name, 'response');
  try {
    const opened = openEnvelope(envelope, [expect.decryptWith], { allowLegacyCiphers: expect.allowLegacyCiphers });
    const contents = parseCertsOnly(opened.content);
    return { ...contents, cipher: opened.cipher.name, legacyCipher: opened.cipher.legacy };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScepClientError('bad-response', `SUCCESS CertRep envelope does not open: ${reason}`, { ...detail, cause: error });
  }
}

/** Whether `certificate` holds the public key of `spki` (the CSR's SubjectPublicKeyInfo DER). */
export function certificateHasKey(certificate: Uint8Array, spki: Uint8Array): boolean {
  try {
    return same(certificateFields(certificate).spki, spki);
  } catch {
    return false;
  }
}
