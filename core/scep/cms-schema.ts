/**
 * The CMS structures SCEP reads (RFC 5652 SignedData and EnvelopedData), as @peculiar/asn1-schema classes shaped
 * for the hot path: each message is decoded by the library once, the inner ContentInfo types are typed in place
 * (no second decode), certificates, names and other opaque parts stay as their original bytes, and the signed
 * attributes keep their original encoding for the signature check. BER (indefinite lengths, constructed
 * OCTET STRINGs from BouncyCastle and Android) is accepted because asn1js decodes BER.
 */
import {
  AsnArray,
  AsnIntegerArrayBufferConverter,
  AsnParser,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  type IAsnConverter,
  type IAsnConvertible,
  OctetString,
} from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { EncryptedContentInfo } from '@peculiar/asn1-cms';
import { ScepMalformedError } from './errors.js';

/** A SET OF anything, each element kept as its DER (CRLs, digest algorithms, unsigned attributes). */
@AsnType({ type: AsnTypeTypes.Set, itemType: AsnPropTypes.Any })
export class RawSet extends AsnArray<ArrayBuffer> {
  constructor(items?: ArrayBuffer[]) {
    super(items);
    Object.setPrototypeOf(this, RawSet.prototype);
  }
}

/** The TBSCertificate fields SCEP needs; names stay bytes, the key is mapped for a fast import. */
export class TbsCertificateFields {
  @AsnProp({ type: AsnPropTypes.Integer, context: 0, optional: true }) version?: number;
  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter }) serialNumber = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Any }) signature = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Any }) issuer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Any }) validity = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Any }) subject = new ArrayBuffer(0);
  @AsnProp({ type: SubjectPublicKeyInfo, raw: true }) subjectPublicKeyInfo = new SubjectPublicKeyInfo();
  subjectPublicKeyInfoRaw?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.BitString, context: 1, implicit: true, optional: true }) issuerUniqueID?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.BitString, context: 2, implicit: true, optional: true }) subjectUniqueID?: ArrayBuffer;
  // Kept as bytes and read only when a key identifier is needed: mapping every extension costs more than the rest.
  @AsnProp({ type: AsnPropTypes.Any, context: 3, optional: true }) extensions?: ArrayBuffer;
}

export class CertificateFieldsSchema {
  @AsnProp({ type: TbsCertificateFields }) tbsCertificate = new TbsCertificateFields();
  @AsnProp({ type: AsnPropTypes.Any }) signatureAlgorithm = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.BitString }) signatureValue = new ArrayBuffer(0);
}

/**
 * CertificateChoices: an X.509 certificate is mapped in the message's own decode (with its bytes kept), anything
 * else ([0]-[3]: extended, attribute and other certificates) is kept as bytes and ignored.
 */
@AsnType({ type: AsnTypeTypes.Choice })
export class CertificateChoice {
  @AsnProp({ type: CertificateFieldsSchema, raw: true }) certificate?: CertificateFieldsSchema;
  certificateRaw?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.Any }) other?: ArrayBuffer;
}

@AsnType({ type: AsnTypeTypes.Set, itemType: CertificateChoice })
export class CertificateSet extends AsnArray<CertificateChoice> {
  constructor(items?: CertificateChoice[]) {
    super(items);
    Object.setPrototypeOf(this, CertificateSet.prototype);
  }
}

/** IssuerAndSerialNumber with the issuer Name as its bytes: compared byte for byte, never re-encoded. */
export class RawIssuerAndSerialNumber {
  @AsnProp({ type: AsnPropTypes.Any }) issuer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter }) serialNumber = new ArrayBuffer(0);
}

/** SignerIdentifier and RecipientIdentifier have the same shape. */
@AsnType({ type: AsnTypeTypes.Choice })
export class RawIdentifier {
  @AsnProp({ type: OctetString, context: 0, implicit: true }) subjectKeyIdentifier?: OctetString;
  @AsnProp({ type: RawIssuerAndSerialNumber }) issuerAndSerialNumber?: RawIssuerAndSerialNumber;
}

/**
 * UTCTime read from its text, because old Go clients and servers wrote the non-DER offset form
 * ("160531073014-0400", micromdm's CertRep fixture) that asn1js turns into a wrong date.
 */
const utcTimeConverter: IAsnConverter<Date> = {
  fromASN(value) {
    const octets = (value as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView;
    const text = Buffer.from(octets).toString('latin1');
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
  },
  toASN() {
    throw new Error('encode UTCTime with asn1js directly');
  },
};

/** The value types SCEP and CMS attributes use, with everything else kept as bytes. */
@AsnType({ type: AsnTypeTypes.Choice })
export class AttributeValue {
  @AsnProp({ type: AsnPropTypes.PrintableString }) printable?: string;
  @AsnProp({ type: AsnPropTypes.Utf8String }) utf8?: string;
  @AsnProp({ type: AsnPropTypes.OctetString }) octets?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) oid?: string;
  @AsnProp({ type: AsnPropTypes.UTCTime, converter: utcTimeConverter }) utcTime?: Date;
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) generalizedTime?: Date;
  @AsnProp({ type: AsnPropTypes.Any }) other?: ArrayBuffer;
}

export class Attribute {
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) attrType = '';
  @AsnProp({ type: AttributeValue, repeated: 'set' }) attrValues: AttributeValue[] = [];
}

// A class rather than `repeated: 'set'`: the library keeps the raw bytes of single items only.
@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
export class Attributes extends AsnArray<Attribute> {
  constructor(items?: Attribute[]) {
    super(items);
    Object.setPrototypeOf(this, Attributes.prototype);
  }
}

export class SignerInfo {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: RawIdentifier }) sid = new RawIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) digestAlgorithm = new AlgorithmIdentifier();
  @AsnProp({ type: Attributes, context: 0, implicit: true, optional: true, raw: true })
  signedAttrs?: Attributes;
  /** The [0] IMPLICIT element as received; the signature covers it re-tagged as SET (0x31). */
  signedAttrsRaw?: ArrayBuffer;
  @AsnProp({ type: AlgorithmIdentifier }) signatureAlgorithm = new AlgorithmIdentifier();
  @AsnProp({ type: OctetString }) signature = new OctetString();
  @AsnProp({ type: RawSet, context: 1, implicit: true, optional: true }) unsignedAttrs?: RawSet;
}

@AsnType({ type: AsnTypeTypes.Set, itemType: SignerInfo })
export class SignerInfos extends AsnArray<SignerInfo> {
  constructor(items?: SignerInfo[]) {
    super(items);
    Object.setPrototypeOf(this, SignerInfos.prototype);
  }
}

export class EncapsulatedContentInfo {
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) eContentType = '';
  /** The OCTET STRING element as received, primitive or constructed (BER): read it with octetStringContent(). */
  @AsnProp({ type: AsnPropTypes.Any, context: 0, optional: true }) eContent?: ArrayBuffer;
}

/** Reads an OCTET STRING element, joining the segments of a constructed (BER) one. */
class OctetStringContent implements IAsnConvertible {
  bytes = new Uint8Array(0);

  fromASN(asn: unknown): this {
    const node = asn as { idBlock: { tagClass: number; tagNumber: number }; getValue?: () => ArrayBuffer };
    if (node.idBlock.tagClass !== 1 || node.idBlock.tagNumber !== 4 || !node.getValue) throw new Error('expected an OCTET STRING');
    this.bytes = new Uint8Array(node.getValue());
    return this;
  }

  toASN(): never {
    throw new Error('OctetStringContent is read-only');
  }

  toSchema(): never {
    throw new Error('OctetStringContent is read-only');
  }
}

export function octetStringContent(element: ArrayBuffer, what: string): Uint8Array {
  return decode(element, OctetStringContent, what).bytes;
}

export class SignedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: RawSet }) digestAlgorithms = new RawSet();
  @AsnProp({ type: EncapsulatedContentInfo }) encapContentInfo = new EncapsulatedContentInfo();
  @AsnProp({ type: CertificateSet, context: 0, implicit: true, optional: true }) certificates?: CertificateSet;
  @AsnProp({ type: RawSet, context: 1, implicit: true, optional: true }) crls?: RawSet;
  @AsnProp({ type: SignerInfos }) signerInfos = new SignerInfos();
}

/** ContentInfo typed as SignedData, so the whole pkiMessage is one decode. */
export class SignedDataContentInfo {
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) contentType = '';
  @AsnProp({ type: SignedData, context: 0 }) content = new SignedData();
}

export class KeyTransRecipientInfo {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: RawIdentifier }) rid = new RawIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) keyEncryptionAlgorithm = new AlgorithmIdentifier();
  @AsnProp({ type: OctetString }) encryptedKey = new OctetString();
}

/** RecipientInfo: KeyTransRecipientInfo (the one untagged choice) is mapped; kari, kekri, pwri, ori are not supported. */
@AsnType({ type: AsnTypeTypes.Choice })
export class RecipientInfoChoice {
  @AsnProp({ type: KeyTransRecipientInfo }) ktri?: KeyTransRecipientInfo;
  @AsnProp({ type: AsnPropTypes.Any }) other?: ArrayBuffer;
}

@AsnType({ type: AsnTypeTypes.Set, itemType: RecipientInfoChoice })
export class RecipientInfos extends AsnArray<RecipientInfoChoice> {
  constructor(items?: RecipientInfoChoice[]) {
    super(items);
    Object.setPrototypeOf(this, RecipientInfos.prototype);
  }
}

export class EnvelopedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: AsnPropTypes.Any, context: 0, implicit: true, optional: true }) originatorInfo?: ArrayBuffer;
  @AsnProp({ type: RecipientInfos }) recipientInfos = new RecipientInfos();
  @AsnProp({ type: EncryptedContentInfo }) encryptedContentInfo = new EncryptedContentInfo();
  @AsnProp({ type: RawSet, context: 1, implicit: true, optional: true }) unprotectedAttrs?: RawSet;
}

export class EnvelopedDataContentInfo {
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) contentType = '';
  @AsnProp({ type: EnvelopedData, context: 0 }) content = new EnvelopedData();
}

/** RFC 8894 §3.3.3: CertPoll's body. */
export class IssuerAndSubject {
  @AsnProp({ type: AsnPropTypes.Any }) issuer = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Any }) subject = new ArrayBuffer(0);
}

// Limits for hostile input: a pkiMessage is a few kilobytes; asn1js must not build huge trees for it.
// parseEmbedded: false stops asn1js from speculatively decoding every OCTET and BIT STRING (signatures, keys,
// the envelope inside eContent), which is most of its work on a SCEP message.
const BER_OPTIONS = { parseEmbedded: false, maxDepth: 64, maxNodes: 20_000 } as const;

/** Decodes `der` as `type` with the library; any failure is ScepMalformedError naming `what`. */
export function decode<T>(der: Uint8Array | ArrayBuffer, type: new () => T, what: string): T {
  try {
    return AsnParser.parse(der, type, { berOptions: BER_OPTIONS });
  } catch (cause) {
    throw new ScepMalformedError(`${what} is not valid BER/DER`, { cause });
  }
}
