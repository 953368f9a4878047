/**
 * The pkiMessage (RFC 8894 §3): SignedData over id-data whose content is the pkcsPKIEnvelope (absent in FAILURE
 * and PENDING CertReps), with the SCEP signed attributes. This layer signs and verifies and applies the RFC's
 * per-kind rules; the envelope is opened by the typed layer (messages.ts).
 */
import type { KeyObject } from 'node:crypto';
import type { HashName } from '../pki/algorithms.js';
import { CMS_OID, FailInfo, MessageType, PkiStatus, REQUEST_MESSAGE_TYPES } from './constants.js';
import { ScepError, type ScepErrorContext, ScepMalformedError } from './errors.js';
import { encodeScepAttributes, readScepAttributes, type ReceivedScepAttributes, type ScepAttributes } from './signed-attributes.js';
import { buildSignedData, parseSignedData, type SignerIdentity, verifySignedData } from './signed-data.js';

export interface BuildPkiMessageInput extends ScepAttributes {
  /** The pkcsPKIEnvelope DER; leave undefined for FAILURE and PENDING CertReps. */
  envelope?: Uint8Array;
  signer: SignerIdentity;
  digest: HashName;
  signingTime?: Date;
  extraCertificates?: readonly Uint8Array[];
}

export function buildPkiMessage(input: BuildPkiMessageInput): Promise<Uint8Array> {
  return buildSignedData({
    ...(input.envelope ? { content: input.envelope } : {}),
    signer: input.signer,
    digest: input.digest,
    attributes: encodeScepAttributes(input),
    ...(input.signingTime ? { signingTime: input.signingTime } : {}),
    ...(input.extraCertificates ? { extraCertificates: input.extraCertificates } : {}),
  });
}

export interface PkiMessage {
  messageType: MessageType;
  transactionId: string;
  senderNonce?: Uint8Array;
  recipientNonce?: Uint8Array;
  pkiStatus?: PkiStatus;
  failInfo?: FailInfo;
  failInfoText?: string;
  signingTime?: Date;
  digest: HashName;
  /** The pkcsPKIEnvelope DER (eContent), when present. */
  envelope?: Uint8Array;
  signerCertificate: Uint8Array;
  signerPublicKey: KeyObject;
  /** Every certificate the message carried. */
  certificates: Uint8Array[];
}

export interface ParsePkiMessageOptions {
  /** Signer certificates to use when the message does not carry its own (micromdm's NoCertificatesForSigners). */
  trustedSigners?: readonly Uint8Array[];
}

const REQUEST_TYPES = new Set<number>(REQUEST_MESSAGE_TYPES);

function contextOf(received: ReceivedScepAttributes, signerCertificate?: Uint8Array): ScepErrorContext {
  return {
    ...(received.messageType !== undefined ? { messageType: received.messageType } : {}),
    ...(received.transactionId !== undefined ? { transactionId: received.transactionId } : {}),
    ...(received.senderNonce ? { senderNonce: received.senderNonce } : {}),
    ...(signerCertificate ? { signerCertificate } : {}),
  };
}

/**
 * Parses and verifies a pkiMessage. ScepMalformedError when it is not a SignedData with one signer; otherwise
 * ScepError (badAlg, badCertId, badMessageCheck, badRequest) carrying in `context` what could be read, so a
 * server can still address a FAILURE reply.
 */
export function parsePkiMessage(der: Uint8Array, options: ParsePkiMessageOptions = {}): PkiMessage {
  const data = parseSignedData(der, 'pkiMessage');
  if (data.signerInfos.length !== 1) {
    throw new ScepMalformedError(`pkiMessage must have one SignerInfo, found ${data.signerInfos.length}`);
  }
  let unverified: ReceivedScepAttributes = {};
  try {
    unverified = readScepAttributes(data.signerInfos[0]?.signedAttrs ?? []);
  } catch {
    // reported after the signature check, which comes first
  }
  let signerCertificate: Uint8Array | undefined;
  try {
    const signer = verifySignedData(data, options.trustedSigners);
    signerCertificate = signer.certificate;
    const received = readScepAttributes(signer.attributes);
    const message = applyKindRules(received, data.eContentType, data.content);
    return {
      ...message,
      ...(received.signingTime ? { signingTime: received.signingTime } : {}),
      digest: signer.digest,
      signerCertificate: signer.certificate,
      signerPublicKey: signer.publicKey,
      certificates: data.certificates,
    };
  } catch (error) {
    if (error instanceof ScepError) error.context = contextOf(unverified, signerCertificate);
    throw error;
  }
}

type KindFields = Pick<
  PkiMessage,
  'messageType' | 'transactionId' | 'senderNonce' | 'recipientNonce' | 'pkiStatus' | 'failInfo' | 'failInfoText' | 'envelope'
>;

const badRequest = (text: string) => new ScepError(FailInfo.badRequest, text);

/** RFC 8894 §3.2.1 and §3.3: which attributes and content each kind of message must have. */
function applyKindRules(received: ReceivedScepAttributes, eContentType: string, content: Uint8Array | undefined): KindFields {
  const { messageType, transactionId } = received;
  if (messageType === undefined) throw badRequest('messageType attribute is missing');
  if (messageType !== MessageType.CertRep && !REQUEST_TYPES.has(messageType)) {
    throw badRequest(`unsupported messageType ${messageType}`);
  }
  if (transactionId === undefined || transactionId === '') throw badRequest('transactionID attribute is missing');
  if (eContentType !== CMS_OID.data) throw badRequest(`pkiMessage content type is ${eContentType}, not id-data`);
  const base: KindFields = { messageType, transactionId };
  if (received.senderNonce) base.senderNonce = received.senderNonce;
  if (received.recipientNonce) base.recipientNonce = received.recipientNonce;

  if (messageType !== MessageType.CertRep) {
    if (!received.senderNonce) throw badRequest('senderNonce attribute is missing');
    if (!content || content.byteLength === 0) throw badRequest('request has no pkcsPKIEnvelope');
    return { ...base, envelope: content };
  }

  const status = received.pkiStatus;
  if (status === undefined) throw badRequest('CertRep has no pkiStatus');
  if (status !== PkiStatus.SUCCESS && status !== PkiStatus.FAILURE && status !== PkiStatus.PENDING) {
    throw badRequest(`unknown pkiStatus ${status}`);
  }
  // micromdm's CertRep has no senderNonce, so only the recipientNonce is required of a CertRep.
  if (!received.recipientNonce) throw badRequest('CertRep has no recipientNonce');
  base.pkiStatus = status;
  if (status === PkiStatus.SUCCESS) {
    if (!content || content.byteLength === 0) throw badRequest('SUCCESS CertRep has no pkcsPKIEnvelope');
    base.envelope = content;
  }
  if (status === PkiStatus.FAILURE) {
    if (received.failInfo === undefined) throw badRequest('FAILURE CertRep has no failInfo');
    base.failInfo = received.failInfo;
    if (received.failInfoText !== undefined) base.failInfoText = received.failInfoText;
  }
  return base;
}
