/**
 * ASN.1 schemas that PKCS#12 needs and @peculiar/asn1-* does not ship, or ships unusably: the PFX itself,
 * PKCS#5 PBES2/PBKDF2 parameters (RFC 8018), PKCS#12 PBE parameters (RFC 7292 Appendix C) and CMS EncryptedData
 * (RFC 5652 §8). Everything else comes from @peculiar/asn1-pfx, -pkcs8 and -cms. Also the one safe way in:
 * decode() turns every parser failure into Pkcs12Error.
 */
import * as asn1js from 'asn1js';
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { Attribute, ContentInfo, EncryptedContentInfo } from '@peculiar/asn1-cms';
import { MacData } from '@peculiar/asn1-pfx';
import { Pkcs12Error } from './pkcs12-errors.js';

export const PKCS12_OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
} as const;

/**
 * asn1js by default also tries to parse the inside of every OCTET STRING, which in a PFX (octets within octets)
 * costs more than the rest of the work together; each layer is decoded explicitly here instead.
 */
const BER_OPTIONS: asn1js.FromBerOptions = { parseEmbedded: false };

/** The PFX of RFC 7292 §4. @peculiar/asn1-pfx's PFX defaults macData to an empty MacData, hiding its absence. */
export class Pfx {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 3;
  @AsnProp({ type: ContentInfo }) authSafe = new ContentInfo();
  @AsnProp({ type: MacData, optional: true }) macData?: MacData;
}

/** PBES1 and PKCS#12 algorithms carry a salt and an iteration count. */
export class PbeParams {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterations = 0;
}

export class Pbkdf2Params {
  // The otherSource CHOICE of RFC 8018 is never used in practice; it fails to parse as a malformed parameter.
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterationCount = 0;
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) keyLength?: number;
  /** Absent means hmacWithSHA1. */
  @AsnProp({ type: AlgorithmIdentifier, optional: true }) prf?: AlgorithmIdentifier;
}

export class Pbes2Params {
  @AsnProp({ type: AlgorithmIdentifier }) keyDerivationFunc = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) encryptionScheme = new AlgorithmIdentifier();
}

export class EncryptedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: EncryptedContentInfo }) encryptedContentInfo = new EncryptedContentInfo();
  @AsnProp({ type: Attribute, context: 1, implicit: true, repeated: 'set', optional: true }) unprotectedAttrs?: Attribute[];
}

type Schema<T> = new () => T;

/** Parses `der` as `type`; any failure (asn1js, schema mismatch, TypeError) becomes "malformed <what>". */
export function decode<T>(der: ArrayBuffer | Uint8Array, type: Schema<T>, what: string): T {
  try {
    return AsnConvert.parse(der, type, { berOptions: BER_OPTIONS });
  } catch (error) {
    throw new Pkcs12Error(`malformed ${what}: ${reason(error)}`, { cause: error });
  }
}

export function encode(value: unknown): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(value));
}

/** The value of an OCTET STRING, primitive or constructed (BER from Windows and Java may split it). */
export function decodeOctetString(der: ArrayBuffer | Uint8Array, what: string): Uint8Array {
  const node = parseBer(der, what);
  if (!(node instanceof asn1js.OctetString)) throw new Pkcs12Error(`malformed ${what}: expected an OCTET STRING`);
  try {
    return new Uint8Array(node.getValue());
  } catch (error) {
    throw new Pkcs12Error(`malformed ${what}: ${reason(error)}`, { cause: error });
  }
}

export function encodeOctetString(value: Uint8Array): Uint8Array {
  return encode(new OctetString(value));
}

export function encodeBmpString(text: string): Uint8Array {
  return new Uint8Array(new asn1js.BmpString({ value: text }).toBER());
}

/** A friendlyName attribute value; undefined when it is not a BMPString. */
export function decodeBmpString(der: ArrayBuffer | Uint8Array): string | undefined {
  const node = parseBer(der, 'friendlyName');
  return node instanceof asn1js.BmpString ? node.valueBlock.value : undefined;
}

/** A standalone ArrayBuffer of `bytes`, which the schema classes want for ANY values. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function parseBer(der: ArrayBuffer | Uint8Array, what: string): asn1js.AsnType {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  const parsed = asn1js.fromBER(bytes, BER_OPTIONS);
  if (parsed.offset === -1 || parsed.result.error) {
    throw new Pkcs12Error(`malformed ${what}: ${parsed.result.error || 'not BER'}`);
  }
  return parsed.result;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
