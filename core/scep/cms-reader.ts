/**
 * The fast reading of the CMS a SCEP server receives (DESIGN.md, "The signing path"): SignedData pkiMessages,
 * their certificates and EnvelopedData pkcsPKIEnvelopes, walked with core/pki/der-reader.ts into the same
 * cms-schema.ts classes the schema decode produces. Decoding a PKCSReq with @peculiar/asn1-schema costs about
 * a millisecond of JavaScript, four times the RSA decryption it leads to; walking it costs a few tens of µs.
 *
 * Definite-length DER of the usual shape only: anything else (BER from BouncyCastle or Android, constructed
 * OCTET STRINGs, GeneralizedTime signing times, unknown alternatives) throws DerShapeError, and the caller
 * decodes with the schema, which stays the authority on odd input and on error messages.
 */
import { OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import {
  assertWellFormed,
  childrenOf,
  contentBuffer,
  contentBytes,
  DerShapeError,
  elementBuffer,
  elementBytes,
  expectTlv,
  latin1,
  readOid,
  smallInteger,
  TAGS,
  type Tlv,
} from '../pki/der-reader.js';
import {
  Attribute,
  Attributes,
  AttributeValue,
  type CertificateFieldsSchema,
  RawIdentifier,
  RawIssuerAndSerialNumber,
  SignerInfo,
} from './cms-schema.js';

export interface FastSignedData {
  contentType: string;
  eContentType: string;
  content?: Uint8Array;
  certificates: Array<{ der: Uint8Array; fields: CertificateFieldsSchema }>;
  crls: Uint8Array[];
  signerInfos: SignerInfo[];
}

const only = <T>(items: T[], count: number): T[] => {
  if (items.length !== count) throw new DerShapeError();
  return items;
};

function algorithmOf(der: Uint8Array, element: Tlv): AlgorithmIdentifier {
  if (element.tag !== TAGS.sequence) throw new DerShapeError();
  const [oid, parameters, ...rest] = childrenOf(der, element);
  if (!oid || rest.length) throw new DerShapeError();
  const algorithm = new AlgorithmIdentifier({ algorithm: readOid(der, oid) });
  // The schema's ANY converter maps NULL to null and keeps anything else as the element's bytes.
  if (parameters) algorithm.parameters = parameters.tag === TAGS.null && parameters.end === parameters.start ? null : elementBuffer(der, parameters);
  return algorithm;
}

function identifierOf(der: Uint8Array, element: Tlv): RawIdentifier {
  const id = new RawIdentifier();
  if (element.tag === TAGS.contextPrimitive(0)) {
    id.subjectKeyIdentifier = new OctetString(contentBytes(der, element));
  } else if (element.tag === TAGS.sequence) {
    const [issuer, serial] = only(childrenOf(der, element), 2) as [Tlv, Tlv];
    if (issuer.tag !== TAGS.sequence || serial.tag !== TAGS.integer) throw new DerShapeError();
    const pair = new RawIssuerAndSerialNumber();
    pair.issuer = elementBuffer(der, issuer);
    pair.serialNumber = contentBuffer(der, serial);
    id.issuerAndSerialNumber = pair;
  } else {
    throw new DerShapeError();
  }
  return id;
}

/** UTCTime from its text, accepting the non-DER offset form old Go code writes (as cms-schema.ts does). */
function utcTime(text: string): Date {
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/.exec(text);
  if (!match) return new Date(Number.NaN);
  const [, yy, mo, dd, hh, mi, ss, zone] = match as unknown as string[];
  const year = Number(yy) < 50 ? 2000 + Number(yy) : 1900 + Number(yy);
  let ms = Date.UTC(year, Number(mo) - 1, Number(dd), Number(hh), Number(mi), Number(ss ?? 0));
  if (zone && zone !== 'Z') {
    const offset = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
    ms += zone.startsWith('+') ? -offset : offset;
  }
  return new Date(ms);
}

function isAscii(der: Uint8Array, element: Tlv): boolean {
  for (let i = element.start; i < element.end; i++) if (der[i]! >= 0x80) return false;
  return true;
}

function attributeValue(der: Uint8Array, element: Tlv): AttributeValue {
  const value = new AttributeValue();
  switch (element.tag) {
    case TAGS.printableString:
      if (!isAscii(der, element)) throw new DerShapeError();
      value.printable = latin1(der, element.start, element.end);
      break;
    case TAGS.utf8String:
      if (!isAscii(der, element)) throw new DerShapeError();
      value.utf8 = latin1(der, element.start, element.end);
      break;
    case TAGS.octetString:
      value.octets = contentBuffer(der, element);
      break;
    case TAGS.oid:
      value.oid = readOid(der, element);
      break;
    case TAGS.utcTime:
      value.utcTime = utcTime(latin1(der, element.start, element.end));
      break;
    default:
      // GeneralizedTime, constructed strings and the rest: the schema's choice logic decides.
      if (element.tag !== TAGS.sequence && element.tag !== TAGS.set && element.tag !== TAGS.integer) throw new DerShapeError();
      value.other = elementBuffer(der, element);
  }
  return value;
}

function attributesOf(der: Uint8Array, element: Tlv): Attributes {
  const out = new Attributes();
  for (const item of childrenOf(der, element)) {
    if (item.tag !== TAGS.sequence) throw new DerShapeError();
    const [type, values] = only(childrenOf(der, item), 2) as [Tlv, Tlv];
    if (values.tag !== TAGS.set) throw new DerShapeError();
    const attribute = new Attribute();
    attribute.attrType = readOid(der, type);
    attribute.attrValues = childrenOf(der, values).map((value) => attributeValue(der, value));
    out.push(attribute);
  }
  return out;
}

function signerInfoOf(der: Uint8Array, element: Tlv): SignerInfo {
  if (element.tag !== TAGS.sequence) throw new DerShapeError();
  const items = childrenOf(der, element);
  let i = 0;
  const info = new SignerInfo();
  info.version = smallInteger(der, items[i++] ?? fail());
  info.sid = identifierOf(der, items[i++] ?? fail());
  info.digestAlgorithm = algorithmOf(der, items[i++] ?? fail());
  if (items[i]?.tag === TAGS.context(0)) {
    const signed = items[i++]!;
    info.signedAttrs = attributesOf(der, signed);
    info.signedAttrsRaw = elementBuffer(der, signed);
  }
  info.signatureAlgorithm = algorithmOf(der, items[i++] ?? fail());
  const signature = items[i++] ?? fail();
  if (signature.tag !== TAGS.octetString) throw new DerShapeError();
  info.signature = new OctetString(contentBytes(der, signature));
  if (i !== items.length) throw new DerShapeError(); // unsignedAttrs: the schema path keeps them
  return info;
}

function fail(): never {
  throw new DerShapeError();
}

/** The fields cert-fields.ts reads of an X.509 certificate, in the shape of CertificateFieldsSchema. */
export function readCertificateFields(der: Uint8Array, element?: Tlv): CertificateFieldsSchema {
  const certificate = element ?? expectTlv(der, 0, der.length, TAGS.sequence);
  if (!element && certificate.end !== der.length) throw new DerShapeError();
  const [tbs, outerAlgorithm, signatureValue] = only(childrenOf(der, certificate), 3) as [Tlv, Tlv, Tlv];
  if (tbs.tag !== TAGS.sequence || outerAlgorithm.tag !== TAGS.sequence || signatureValue.tag !== TAGS.bitString) throw new DerShapeError();
  const items = childrenOf(der, tbs);
  let i = 0;
  if (items[0]?.tag === TAGS.context(0)) {
    const [version] = only(childrenOf(der, items[0]), 1) as [Tlv];
    smallInteger(der, version);
    i = 1;
  }
  const serial = items[i++] ?? fail();
  const signature = items[i++] ?? fail();
  const issuer = items[i++] ?? fail();
  const validity = items[i++] ?? fail();
  const subject = items[i++] ?? fail();
  const spki = items[i++] ?? fail();
  for (const part of [signature, issuer, validity, subject, spki]) if (part.tag !== TAGS.sequence) throw new DerShapeError();
  if (serial.tag !== TAGS.integer) throw new DerShapeError();
  if (items[i]?.tag === TAGS.contextPrimitive(1)) i++;
  if (items[i]?.tag === TAGS.contextPrimitive(2)) i++;
  let extensions: ArrayBuffer | undefined;
  if (items[i]?.tag === TAGS.context(3)) {
    const [inner] = only(childrenOf(der, items[i++]!), 1) as [Tlv];
    if (inner.tag !== TAGS.sequence) throw new DerShapeError();
    extensions = elementBuffer(der, inner);
  }
  if (i !== items.length) throw new DerShapeError();
  const [algorithm, bits] = only(childrenOf(der, spki), 2) as [Tlv, Tlv];
  if (bits.tag !== TAGS.bitString || bits.end <= bits.start || der[bits.start] !== 0) throw new DerShapeError();
  const publicKeyInfo = new SubjectPublicKeyInfo({
    algorithm: algorithmOf(der, algorithm),
    subjectPublicKey: der.buffer.slice(der.byteOffset + bits.start + 1, der.byteOffset + bits.end) as ArrayBuffer,
  });
  return {
    tbsCertificate: {
      serialNumber: contentBuffer(der, serial),
      signature: elementBuffer(der, signature),
      issuer: elementBuffer(der, issuer),
      validity: elementBuffer(der, validity),
      subject: elementBuffer(der, subject),
      subjectPublicKeyInfo: publicKeyInfo,
      subjectPublicKeyInfoRaw: elementBuffer(der, spki),
      ...(extensions ? { extensions } : {}),
    },
    signatureAlgorithm: new ArrayBuffer(0),
    signatureValue: new ArrayBuffer(0),
  } as CertificateFieldsSchema;
}

/** ContentInfo { contentType, [0] content } of a whole message: the content type and the inner element. */
export function readContentInfo(der: Uint8Array): { contentType: string; content: Tlv } {
  const outer = expectTlv(der, 0, der.length, TAGS.sequence);
  if (outer.end !== der.length) throw new DerShapeError();
  assertWellFormed(der, outer);
  const [type, explicit] = only(childrenOf(der, outer), 2) as [Tlv, Tlv];
  if (explicit.tag !== TAGS.context(0)) throw new DerShapeError();
  const [content] = only(childrenOf(der, explicit), 1) as [Tlv];
  if (content.tag !== TAGS.sequence) throw new DerShapeError();
  return { contentType: readOid(der, type), content };
}

export function readSignedData(der: Uint8Array): FastSignedData {
  const { contentType, content } = readContentInfo(der);
  const items = childrenOf(der, content);
  let i = 0;
  smallInteger(der, items[i++] ?? fail());
  if (items[i++]?.tag !== TAGS.set) throw new DerShapeError();
  const encap = items[i++] ?? fail();
  if (encap.tag !== TAGS.sequence) throw new DerShapeError();
  const [eType, eExplicit, ...extra] = childrenOf(der, encap);
  if (!eType || extra.length) throw new DerShapeError();
  let eContent: Uint8Array | undefined;
  if (eExplicit) {
    if (eExplicit.tag !== TAGS.context(0)) throw new DerShapeError();
    const [octets] = only(childrenOf(der, eExplicit), 1) as [Tlv];
    if (octets.tag !== TAGS.octetString) throw new DerShapeError(); // constructed (BER) OCTET STRING: schema path
    eContent = contentBytes(der, octets);
  }
  const certificates: FastSignedData['certificates'] = [];
  if (items[i]?.tag === TAGS.context(0)) {
    for (const choice of childrenOf(der, items[i++]!)) {
      if (choice.tag !== TAGS.sequence) throw new DerShapeError(); // other certificate formats: the schema decides
      certificates.push({ der: elementBytes(der, choice), fields: readCertificateFields(der, choice) });
    }
  }
  const crls: Uint8Array[] = [];
  if (items[i]?.tag === TAGS.context(1)) for (const crl of childrenOf(der, items[i++]!)) crls.push(elementBytes(der, crl));
  const signers = items[i++] ?? fail();
  if (signers.tag !== TAGS.set || i !== items.length) throw new DerShapeError();
  return {
    contentType,
    eContentType: readOid(der, eType),
    ...(eContent ? { content: eContent } : {}),
    certificates,
    crls,
    signerInfos: childrenOf(der, signers).map((signer) => signerInfoOf(der, signer)),
  };
}

export interface FastRecipient {
  rid: RawIdentifier;
  keyEncryptionAlgorithm: AlgorithmIdentifier;
  encryptedKey: Uint8Array;
}

export interface FastEnvelope {
  contentType: string;
  recipients: FastRecipient[];
  contentEncryptionAlgorithm: AlgorithmIdentifier;
  ciphertext: Uint8Array;
}

export function readEnvelope(der: Uint8Array): FastEnvelope {
  const { contentType, content } = readContentInfo(der);
  const items = childrenOf(der, content);
  let i = 0;
  smallInteger(der, items[i++] ?? fail());
  if (items[i]?.tag === TAGS.context(0)) throw new DerShapeError(); // originatorInfo: schema path
  const infos = items[i++] ?? fail();
  if (infos.tag !== TAGS.set) throw new DerShapeError();
  const recipients: FastRecipient[] = [];
  for (const info of childrenOf(der, infos)) {
    if (info.tag !== TAGS.sequence) throw new DerShapeError(); // kari, kekri, pwri, ori: the schema decides
    const [version, rid, algorithm, key] = only(childrenOf(der, info), 4) as [Tlv, Tlv, Tlv, Tlv];
    smallInteger(der, version);
    if (key.tag !== TAGS.octetString) throw new DerShapeError();
    recipients.push({ rid: identifierOf(der, rid), keyEncryptionAlgorithm: algorithmOf(der, algorithm), encryptedKey: contentBytes(der, key) });
  }
  const encrypted = items[i++] ?? fail();
  if (encrypted.tag !== TAGS.sequence || i !== items.length) throw new DerShapeError(); // unprotectedAttrs: schema path
  const [type, algorithm, ciphertext] = only(childrenOf(der, encrypted), 3) as [Tlv, Tlv, Tlv];
  readOid(der, type);
  if (ciphertext.tag !== TAGS.contextPrimitive(0)) throw new DerShapeError(); // constructed [0]: schema path
  return { contentType, recipients, contentEncryptionAlgorithm: algorithmOf(der, algorithm), ciphertext: contentBytes(der, ciphertext) };
}
