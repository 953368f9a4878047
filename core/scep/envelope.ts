/**
 * pkcsPKIEnvelope (RFC 8894 §3.2.2): CMS EnvelopedData with one KeyTransRecipientInfo per RSA recipient
 * certificate, named by IssuerAndSerialNumber, around id-data content.
 */
import type { KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { encode, explicit, implicitPrimitive, integer, octetString, oid, sequence, setOf, smallInteger } from '../pki/der-writer.js';
import { type CertificateFields, certificateFields, type CertificateIdentifier, identifierOf, identifies, tryCertificateFields } from './cert-fields.js';
import {
  assertCipherAllowed,
  cipherByOid,
  type CipherPolicy,
  type ContentCipher,
  type ContentCipherName,
  CONTENT_CIPHERS,
  decryptContent,
  encryptContent,
} from './ciphers.js';
import { DerShapeError } from '../pki/der-reader.js';
import { type FastRecipient, readEnvelope } from './cms-reader.js';
import { decode, EnvelopedDataContentInfo } from './cms-schema.js';
import { CMS_OID, FailInfo } from './constants.js';
import { ScepError } from './errors.js';
import {
  decryptContentKey,
  encryptContentKey,
  type KeyTransport,
  keyTransportAlgorithmDer,
  keyTransportFromAlgorithm,
  PKCS1_V1_5,
} from './key-transport.js';

export interface BuildEnvelopeOptions extends CipherPolicy {
  /** Default aes-128-cbc, RFC 8894's mandatory cipher. */
  cipher?: ContentCipherName;
  /** Default RSAES-PKCS1-v1_5, what every SCEP client can open. */
  keyTransport?: KeyTransport;
}

const VERSION_0 = smallInteger(0);
const DATA_OID = oid(CMS_OID.data);
const ENVELOPED_DATA_OID = oid(CMS_OID.envelopedData);

const issuerAndSerialNumbers = new WeakMap<CertificateFields, Uint8Array>();

/** The rid of a recipient: a CertRep goes to a new requester certificate each time, so written here directly. */
function issuerAndSerialNumber(fields: CertificateFields): Uint8Array {
  let der = issuerAndSerialNumbers.get(fields);
  if (!der) issuerAndSerialNumbers.set(fields, (der = encode(sequence(fields.issuer, integer(fields.serialNumber)))));
  return der;
}

/** EnvelopedData ContentInfo DER around `content`, openable by each recipient certificate's key. */
export function buildEnvelope(
  content: Uint8Array,
  recipients: readonly Uint8Array[],
  options: BuildEnvelopeOptions = {},
): Uint8Array {
  if (recipients.length === 0) throw new Error('an envelope needs at least one recipient certificate');
  const cipher = CONTENT_CIPHERS[options.cipher ?? 'aes-128-cbc'];
  const transport = options.keyTransport ?? PKCS1_V1_5;
  const encrypted = encryptContent(cipher, content, options);
  const transportAlgorithm = keyTransportAlgorithmDer(transport);
  const recipientInfos = recipients.map((certificate) => {
    const fields = certificateFields(certificate);
    const encryptedKey = encryptContentKey(fields.publicKey, transport, encrypted.key);
    return encode(sequence(VERSION_0, issuerAndSerialNumber(fields), transportAlgorithm, octetString(encryptedKey)));
  });
  const envelopedData = sequence(
    VERSION_0,
    setOf(recipientInfos),
    sequence(DATA_OID, sequence(oid(cipher.oid), octetString(encrypted.iv)), implicitPrimitive(0, encrypted.ciphertext)),
  );
  return encode(sequence(ENVELOPED_DATA_OID, explicit(0, [envelopedData])));
}

export interface EnvelopeRecipient {
  certificate: Uint8Array;
  privateKey: KeyObject;
}

export interface OpenedEnvelope {
  content: Uint8Array;
  cipher: ContentCipher;
  keyTransport: KeyTransport;
  recipient: EnvelopeRecipient;
  /** 'fallback': no RecipientInfo named the recipient and its key was tried anyway (NDES-style RA quirk). */
  matchedBy: 'issuerAndSerialNumber' | 'subjectKeyIdentifier' | 'fallback';
}

interface Candidate {
  info: FastRecipient;
  id: CertificateIdentifier | undefined;
}

const envelopeError = (text: string, cause?: unknown) =>
  new ScepError(FailInfo.badMessageCheck, text, cause === undefined ? undefined : { cause });

/**
 * Opens an envelope with the first recipient a KeyTransRecipientInfo names. When none is named but there is a
 * single KeyTransRecipientInfo, the first given RSA key of the right size is tried anyway: some RAs (NDES) get
 * messages addressed to another certificate of theirs. Wrong keys surface as badMessageCheck, never earlier.
 */
export function openEnvelope(der: Uint8Array, recipients: readonly EnvelopeRecipient[], policy: CipherPolicy = {}): OpenedEnvelope {
  const envelope = readEnvelopeParts(der);
  const cipher = cipherByOid(envelope.contentEncryptionAlgorithm.algorithm);
  assertCipherAllowed(cipher, policy);
  const iv = readIv(envelope.contentEncryptionAlgorithm.parameters);
  const ciphertext = envelope.ciphertext();

  const candidates: Candidate[] = envelope.recipients.map((info) => ({ info, id: identifierOf(info.rid) }));
  if (candidates.length === 0) {
    throw new ScepError(FailInfo.badAlg, 'pkcsPKIEnvelope has no KeyTransRecipientInfo (only RSA key transport is supported)');
  }

  const chosen = chooseRecipient(candidates, recipients);
  const keyEncryption = chosen.candidate.info.keyEncryptionAlgorithm;
  const transport = keyTransportFromAlgorithm(keyEncryption.algorithm, keyEncryption.parameters);
  const key = decryptContentKey(chosen.recipient.privateKey, transport, chosen.candidate.info.encryptedKey, cipher.keyLength);
  const content = decryptContent(cipher, key, iv, ciphertext, policy);
  return { content, cipher, keyTransport: transport, recipient: chosen.recipient, matchedBy: chosen.matchedBy };
}

/** What openEnvelope needs of an EnvelopedData, from the fast walk (cms-reader.ts) or the schema decode. */
export interface EnvelopeParts {
  recipients: FastRecipient[];
  contentEncryptionAlgorithm: { algorithm: string; parameters?: ArrayBuffer | null };
  /** Deferred so that a missing encryptedContent is reported after the cipher checks, as it always was. */
  ciphertext(): Uint8Array;
}

export function readEnvelopeParts(der: Uint8Array): EnvelopeParts {
  try {
    const fast = readEnvelope(der);
    if (fast.contentType === CMS_OID.envelopedData) return { ...fast, ciphertext: () => fast.ciphertext };
  } catch (error) {
    if (!(error instanceof DerShapeError)) throw error;
  }
  return readEnvelopePartsWithSchema(der);
}

/** The schema decode of an envelope (exported for the differential test of the fast reader). */
export function readEnvelopePartsWithSchema(der: Uint8Array): EnvelopeParts {
  let parsed: EnvelopedDataContentInfo;
  try {
    parsed = decode(der, EnvelopedDataContentInfo, 'pkcsPKIEnvelope');
  } catch (error) {
    throw envelopeError('pkcsPKIEnvelope is not a CMS EnvelopedData', error);
  }
  if (parsed.contentType !== CMS_OID.envelopedData) throw envelopeError('pkcsPKIEnvelope is not a CMS EnvelopedData');
  const info = parsed.content.encryptedContentInfo;
  return {
    recipients: [...parsed.content.recipientInfos].flatMap((choice) =>
      choice.ktri
        ? [{ rid: choice.ktri.rid, keyEncryptionAlgorithm: choice.ktri.keyEncryptionAlgorithm, encryptedKey: new Uint8Array(choice.ktri.encryptedKey.buffer) }]
        : [],
    ),
    contentEncryptionAlgorithm: info.contentEncryptionAlgorithm,
    ciphertext: () => joinedContent(info.encryptedContent),
  };
}

function chooseRecipient(
  candidates: readonly Candidate[],
  recipients: readonly EnvelopeRecipient[],
): { candidate: Candidate; recipient: EnvelopeRecipient; matchedBy: OpenedEnvelope['matchedBy'] } {
  for (const recipient of recipients) {
    const fields = tryCertificateFields(recipient.certificate);
    if (!fields) continue;
    for (const candidate of candidates) {
      if (candidate.id && identifies(candidate.id, fields)) {
        const matchedBy = 'issuer' in candidate.id ? 'issuerAndSerialNumber' : 'subjectKeyIdentifier';
        return { candidate, recipient, matchedBy };
      }
    }
  }
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only) {
    const size = only.info.encryptedKey.byteLength;
    const recipient = recipients.find((r) => Math.ceil((r.privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8) === size);
    if (recipient) return { candidate: only, recipient, matchedBy: 'fallback' };
  }
  throw new ScepError(FailInfo.badCertId, 'pkcsPKIEnvelope is not encrypted to any certificate of this recipient');
}

function readIv(parameters: ArrayBuffer | null | undefined): Uint8Array {
  if (!parameters) throw new ScepError(FailInfo.badAlg, 'content-encryption algorithm has no IV');
  const bytes = new Uint8Array(parameters);
  // The usual short primitive OCTET STRING, read directly; anything else through the schema.
  if (bytes[0] === 0x04 && bytes.length >= 2 && bytes[1]! < 0x80 && bytes.length === bytes[1]! + 2) return bytes.slice(2);
  try {
    return new Uint8Array(AsnConvert.parse(parameters, OctetString).buffer);
  } catch (cause) {
    throw new ScepError(FailInfo.badAlg, 'content-encryption IV is not an OCTET STRING', { cause });
  }
}

function joinedContent(content: { value?: OctetString; constructedValue?: OctetString[] } | undefined): Uint8Array {
  if (content?.value) return new Uint8Array(content.value.buffer);
  if (content?.constructedValue) return new Uint8Array(Buffer.concat(content.constructedValue.map((part) => new Uint8Array(part.buffer))));
  throw envelopeError('pkcsPKIEnvelope has no encryptedContent');
}

/** The cipher, recipients and key transports of an envelope, without opening it (for reports and diagnostics). */
export function describeEnvelope(der: Uint8Array): { cipher: string; recipients: Array<CertificateIdentifier | undefined>; keyTransports: string[] } {
  const envelope = decode(der, EnvelopedDataContentInfo, 'pkcsPKIEnvelope').content;
  const infos = [...envelope.recipientInfos].flatMap((choice) => (choice.ktri ? [choice.ktri] : []));
  const algorithm = envelope.encryptedContentInfo.contentEncryptionAlgorithm.algorithm;
  let cipher = algorithm;
  try {
    cipher = cipherByOid(algorithm).name;
  } catch {
    // unknown cipher: report its OID
  }
  return {
    cipher,
    recipients: infos.map((ktri) => identifierOf(ktri.rid)),
    keyTransports: infos.map((ktri) => ktri.keyEncryptionAlgorithm.algorithm),
  };
}
