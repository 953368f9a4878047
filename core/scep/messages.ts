/**
 * The typed SCEP messages the client and the server use: requests (PKCSReq, RenewalReq, CertPoll, GetCert,
 * GetCRL) and CertRep, each built to and parsed from pkiMessage DER with its envelope opened.
 */
import type { KeyObject } from 'node:crypto';
import { randomValue } from '../pki/random.js';
import type { Clock } from '../clock.js';
import type { HashName } from '../pki/algorithms.js';
import { encode, integerBytes, preEncoded, sequence } from './asn1-build.js';
import { buildCertsOnly, parseCertsOnly } from './certs-only.js';
import type { CipherPolicy, ContentCipherName } from './ciphers.js';
import { decode, IssuerAndSubject, RawIssuerAndSerialNumber } from './cms-schema.js';
import { FailInfo, MessageType, NONCE_LENGTH, PkiStatus, type RequestMessageType } from './constants.js';
import { buildEnvelope, type EnvelopeRecipient, openEnvelope } from './envelope.js';
import { ScepError, ScepMalformedError } from './errors.js';
import type { KeyTransport } from './key-transport.js';
import { buildPkiMessage, parsePkiMessage } from './pki-message.js';
import type { SignerIdentity } from './signed-data.js';

export type RequestPayload =
  | { messageType: MessageType.PKCSReq | MessageType.RenewalReq; csr: Uint8Array }
  /** IssuerAndSubject: the CA's Name DER and the requested subject Name DER. */
  | { messageType: MessageType.CertPoll; issuer: Uint8Array; subject: Uint8Array }
  /** IssuerAndSerialNumber: Name DER and the INTEGER content octets of the serial. */
  | { messageType: MessageType.GetCert | MessageType.GetCRL; issuer: Uint8Array; serialNumber: Uint8Array };

export interface EncryptionOptions extends CipherPolicy {
  /** Default aes-128-cbc. */
  cipher?: ContentCipherName;
  /** Default sha256. */
  digest?: HashName;
  /** Default RSAES-PKCS1-v1_5. */
  keyTransport?: KeyTransport;
  /** When given, signingTime is included from it. */
  clock?: Clock;
}

export interface BuildRequestInput extends EncryptionOptions {
  request: RequestPayload;
  transactionId: string;
  /** Default: 16 fresh random bytes. */
  senderNonce?: Uint8Array;
  signer: SignerIdentity;
  /** The CA or RA certificates to encrypt to. */
  recipients: readonly Uint8Array[];
}

function payloadDer(request: RequestPayload): Uint8Array {
  switch (request.messageType) {
    case MessageType.PKCSReq:
    case MessageType.RenewalReq:
      return request.csr;
    case MessageType.CertPoll:
      return encode(sequence(preEncoded(request.issuer), preEncoded(request.subject)));
    case MessageType.GetCert:
    case MessageType.GetCRL:
      return encode(sequence(preEncoded(request.issuer), integerBytes(request.serialNumber)));
  }
}

export async function buildRequest(input: BuildRequestInput): Promise<{ der: Uint8Array; senderNonce: Uint8Array }> {
  const senderNonce = input.senderNonce ?? randomValue(NONCE_LENGTH);
  const envelope = buildEnvelope(payloadDer(input.request), input.recipients, input);
  const der = await buildPkiMessage({
    messageType: input.request.messageType,
    transactionId: input.transactionId,
    senderNonce,
    envelope,
    signer: input.signer,
    digest: input.digest ?? 'sha256',
    ...(input.clock ? { signingTime: input.clock.now() } : {}),
  });
  return { der, senderNonce };
}

export interface ParseRequestOptions extends CipherPolicy {
  /** The CA's (or RA's) certificates and keys the request may be encrypted to. */
  recipients: readonly EnvelopeRecipient[];
  trustedSigners?: readonly Uint8Array[];
}

export interface ParsedRequest {
  messageType: RequestMessageType;
  transactionId: string;
  senderNonce: Uint8Array;
  signerCertificate: Uint8Array;
  signerPublicKey: KeyObject;
  digest: HashName;
  /** The content cipher the client chose; `cipher.legacy` flags 3DES and DES. */
  cipher: ContentCipherName;
  legacyCipher: boolean;
  keyTransport: KeyTransport;
  signingTime?: Date;
  payload: RequestPayload;
}

/**
 * Parses, verifies and decrypts a request. Throws ScepMalformedError (answer with HTTP 400) or ScepError, whose
 * `context` has the transactionID and senderNonce when they could be read (answer with a FAILURE CertRep).
 */
export function parseRequest(der: Uint8Array, options: ParseRequestOptions): ParsedRequest {
  const message = parsePkiMessage(der, options.trustedSigners ? { trustedSigners: options.trustedSigners } : {});
  try {
    if (message.messageType === MessageType.CertRep) throw new ScepError(FailInfo.badRequest, 'a CertRep is not a request');
    const opened = openEnvelope(message.envelope as Uint8Array, options.recipients, options);
    return {
      messageType: message.messageType,
      transactionId: message.transactionId,
      senderNonce: message.senderNonce as Uint8Array,
      signerCertificate: message.signerCertificate,
      signerPublicKey: message.signerPublicKey,
      digest: message.digest,
      cipher: opened.cipher.name,
      legacyCipher: opened.cipher.legacy,
      keyTransport: opened.keyTransport,
      ...(message.signingTime ? { signingTime: message.signingTime } : {}),
      payload: readPayload(message.messageType, opened.content),
    };
  } catch (error) {
    if (error instanceof ScepError) {
      error.context = {
        messageType: message.messageType,
        transactionId: message.transactionId,
        ...(message.senderNonce ? { senderNonce: message.senderNonce } : {}),
        signerCertificate: message.signerCertificate,
      };
    }
    throw error;
  }
}

/** True when `der` is exactly one DER/BER element with a SEQUENCE tag (a cheap check that decryption produced DER). */
function looksLikeSequence(der: Uint8Array): boolean {
  const first = der[1];
  if (der[0] !== 0x30 || first === undefined) return false;
  if (first === 0x80) return true; // indefinite length: BER from some clients
  const lengthOctets = first < 0x80 ? 0 : first & 0x7f;
  if (lengthOctets > 4) return false;
  let length = lengthOctets === 0 ? first : 0;
  for (let i = 0; i < lengthOctets; i++) length = length * 256 + (der[2 + i] ?? 0);
  return 2 + lengthOctets + length === der.byteLength;
}

function readPayload(messageType: RequestMessageType, content: Uint8Array): RequestPayload {
  // A wrong content key decrypts to garbage with a valid padding 1 time in 256: the same answer as a bad key then.
  if (!looksLikeSequence(content)) throw new ScepError(FailInfo.badMessageCheck, 'pkcsPKIEnvelope could not be decrypted');
  try {
    switch (messageType) {
      case MessageType.PKCSReq:
      case MessageType.RenewalReq:
        return { messageType, csr: content };
      case MessageType.CertPoll: {
        const body = decode(content, IssuerAndSubject, 'IssuerAndSubject');
        return { messageType, issuer: new Uint8Array(body.issuer), subject: new Uint8Array(body.subject) };
      }
      case MessageType.GetCert:
      case MessageType.GetCRL: {
        const body = decode(content, RawIssuerAndSerialNumber, 'IssuerAndSerialNumber');
        return { messageType, issuer: new Uint8Array(body.issuer), serialNumber: new Uint8Array(body.serialNumber) };
      }
    }
  } catch (error) {
    if (error instanceof ScepMalformedError) throw new ScepError(FailInfo.badRequest, error.message, { cause: error });
    throw error;
  }
}

export interface BuildCertRepInput extends EncryptionOptions {
  transactionId: string;
  /** Default: 16 fresh random bytes. */
  senderNonce?: Uint8Array;
  /** The request's senderNonce. */
  recipientNonce: Uint8Array;
  status: PkiStatus;
  failInfo?: FailInfo;
  failInfoText?: string;
  /** SUCCESS: the issued certificate first, then any others. */
  certificates?: readonly Uint8Array[];
  /** SUCCESS to GetCRL: the CRL. */
  crls?: readonly Uint8Array[];
  /** SUCCESS: the certificate(s) to encrypt to, normally the request's signer certificate. */
  encryptTo?: Uint8Array | readonly Uint8Array[];
  /** The CA or RA certificate and key. */
  signer: SignerIdentity;
  extraCertificates?: readonly Uint8Array[];
}

export async function buildCertRep(input: BuildCertRepInput): Promise<Uint8Array> {
  let envelope: Uint8Array | undefined;
  if (input.status === PkiStatus.SUCCESS) {
    const recipients = input.encryptTo instanceof Uint8Array ? [input.encryptTo] : [...(input.encryptTo ?? [])];
    if (recipients.length === 0) throw new Error('a SUCCESS CertRep needs encryptTo');
    const payload = buildCertsOnly({ certificates: [...(input.certificates ?? [])], crls: [...(input.crls ?? [])] });
    envelope = buildEnvelope(payload, recipients, input);
  } else if (input.status === PkiStatus.FAILURE && input.failInfo === undefined) {
    throw new Error('a FAILURE CertRep needs failInfo');
  }
  const failure = input.status === PkiStatus.FAILURE;
  return buildPkiMessage({
    messageType: MessageType.CertRep,
    transactionId: input.transactionId,
    senderNonce: input.senderNonce ?? randomValue(NONCE_LENGTH),
    recipientNonce: input.recipientNonce,
    pkiStatus: input.status,
    ...(failure ? { failInfo: input.failInfo } : {}),
    ...(failure && input.failInfoText !== undefined ? { failInfoText: input.failInfoText } : {}),
    ...(envelope ? { envelope } : {}),
    signer: input.signer,
    digest: input.digest ?? 'sha256',
    ...(input.clock ? { signingTime: input.clock.now() } : {}),
    ...(input.extraCertificates ? { extraCertificates: input.extraCertificates } : {}),
  });
}

export interface ParseCertRepOptions extends CipherPolicy {
  /** The senderNonce of the request this answers: RFC 8894 §3.2.1.5 says the requester MUST check it. */
  expectedRecipientNonce: Uint8Array;
  expectedTransactionId?: string;
  /** The requester's certificate and key the SUCCESS envelope is encrypted to. */
  decryptWith: EnvelopeRecipient;
  trustedSigners?: readonly Uint8Array[];
}

export interface ParsedCertRep {
  status: PkiStatus;
  failInfo?: FailInfo;
  failInfoText?: string;
  /** SUCCESS: the certificates of the degenerate SignedData, issued certificate first. */
  certificates: Uint8Array[];
  crls: Uint8Array[];
  cipher?: ContentCipherName;
  keyTransport?: KeyTransport;
  digest: HashName;
  transactionId: string;
  senderNonce?: Uint8Array;
  recipientNonce: Uint8Array;
  signerCertificate: Uint8Array;
  signingTime?: Date;
}

export function parseCertRep(der: Uint8Array, options: ParseCertRepOptions): ParsedCertRep {
  const message = parsePkiMessage(der, options.trustedSigners ? { trustedSigners: options.trustedSigners } : {});
  if (message.messageType !== MessageType.CertRep) {
    throw new ScepError(FailInfo.badRequest, `expected a CertRep, got messageType ${message.messageType}`);
  }
  const recipientNonce = message.recipientNonce as Uint8Array;
  if (Buffer.compare(recipientNonce, options.expectedRecipientNonce) !== 0) {
    throw new ScepError(FailInfo.badMessageCheck, 'recipientNonce does not match the request senderNonce');
  }
  if (options.expectedTransactionId !== undefined && message.transactionId !== options.expectedTransactionId) {
    throw new ScepError(FailInfo.badMessageCheck, 'transactionID does not match the request');
  }
  const status = message.pkiStatus as PkiStatus;
  const reply: ParsedCertRep = {
    status,
    certificates: [],
    crls: [],
    digest: message.digest,
    transactionId: message.transactionId,
    recipientNonce,
    signerCertificate: message.signerCertificate,
    ...(message.senderNonce ? { senderNonce: message.senderNonce } : {}),
    ...(message.signingTime ? { signingTime: message.signingTime } : {}),
    ...(message.failInfo !== undefined ? { failInfo: message.failInfo } : {}),
    ...(message.failInfoText !== undefined ? { failInfoText: message.failInfoText } : {}),
  };
  if (status !== PkiStatus.SUCCESS) return reply;
  const opened = openEnvelope(message.envelope as Uint8Array, [options.decryptWith], options);
  let contents;
  try {
    contents = parseCertsOnly(opened.content);
  } catch (cause) {
    throw new ScepError(FailInfo.badMessageCheck, 'pkcsPKIEnvelope could not be decrypted', { cause });
  }
  return { ...reply, ...contents, cipher: opened.cipher.name, keyTransport: opened.keyTransport };
}
