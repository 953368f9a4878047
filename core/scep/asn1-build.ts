/**
 * Writing CMS with asn1js. Everything that does not change per message (certificates, issuer-and-serial
 * identifiers, algorithm identifiers) is encoded once and embedded here as bytes, and the per-message parts are
 * small asn1js trees; asn1js computes every length. asn1js's RawData cannot be nested (it ignores the writer of
 * its parent), so a pre-encoded element is embedded as a Primitive carrying its content octets under its own tag.
 */
import * as asn1js from 'asn1js';

export type Block = asn1js.BaseBlock;

export function encode(block: Block): Uint8Array {
  return new Uint8Array(block.toBER(false));
}

/** Tag class, number and header size of a DER element with a low tag number (< 31) and definite length. */
function derHeader(der: Uint8Array): { tagClass: number; tagNumber: number; constructed: boolean; headerLength: number } {
  const tag = der[0];
  const first = der[1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f || first === 0x80) {
    throw new Error('embedded element is not DER with a low tag number');
  }
  const lengthOctets = first < 0x80 ? 0 : first & 0x7f;
  let length = lengthOctets === 0 ? first : 0;
  for (let i = 0; i < lengthOctets; i++) length = length * 256 + (der[2 + i] ?? 0);
  const headerLength = 2 + lengthOctets;
  if (lengthOctets > 4 || headerLength + length !== der.byteLength) throw new Error('embedded element length mismatch');
  return { tagClass: (tag >> 6) + 1, tagNumber: tag & 0x1f, constructed: (tag & 0x20) !== 0, headerLength };
}

/** A pre-encoded DER element, written back unchanged. */
export function preEncoded(der: Uint8Array): Block {
  const header = derHeader(der);
  return primitiveWithTag(header.tagClass, header.tagNumber, header.constructed, der.subarray(header.headerLength));
}

/** The same content octets under another tag: a SET written as [0] IMPLICIT (signedAttrs), and the like. */
export function retagged(der: Uint8Array, tagClass: number, tagNumber: number): Block {
  const header = derHeader(der);
  return primitiveWithTag(tagClass, tagNumber, header.constructed, der.subarray(header.headerLength));
}

function primitiveWithTag(tagClass: number, tagNumber: number, constructed: boolean, content: Uint8Array): Block {
  const block = new asn1js.Primitive({ idBlock: { tagClass, tagNumber }, valueHex: content });
  block.idBlock.isConstructed = constructed;
  return block;
}

export const CONTEXT = 3;

/** [n] EXPLICIT, or [n] IMPLICIT over a SET OF / SEQUENCE OF: a constructed context tag around `children`. */
export function context(tagNumber: number, children: Block[]): Block {
  return new asn1js.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber }, value: children });
}

/** [n] IMPLICIT OCTET STRING (encryptedContent). */
export function contextPrimitive(tagNumber: number, content: Uint8Array): Block {
  return new asn1js.Primitive({ idBlock: { tagClass: CONTEXT, tagNumber }, valueHex: content });
}

export const sequence = (...value: Block[]): Block => new asn1js.Sequence({ value });
/** A SET of one element, or of elements already in DER order. */
export const set = (...value: Block[]): Block => new asn1js.Set({ value });
export const integer = (value: number): Block => new asn1js.Integer({ value });
export const integerBytes = (content: Uint8Array): Block => new asn1js.Integer({ valueHex: content });
export const oid = (value: string): Block => new asn1js.ObjectIdentifier({ value });
export const octetString = (content: Uint8Array): Block => new asn1js.OctetString({ valueHex: content });
export const printableString = (value: string): Block => new asn1js.PrintableString({ value });
export const utf8String = (value: string): Block => new asn1js.Utf8String({ value });
export const nullValue = (): Block => new asn1js.Null();

/** RFC 5652 §11.3 (via RFC 5280): UTCTime through 2049, GeneralizedTime after. */
export function time(date: Date): Block {
  const withoutMs = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const year = withoutMs.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? new asn1js.UTCTime({ valueDate: withoutMs })
    : new asn1js.GeneralizedTime({ valueDate: withoutMs });
}

/** DER SET OF: the encoded elements sorted as octet strings (X.690 §11.6). */
export function setOf(elements: readonly Uint8Array[]): Block {
  const sorted = [...elements].sort((a, b) => Buffer.compare(a, b));
  return new asn1js.Set({ value: sorted.map(preEncoded) });
}

/** AlgorithmIdentifier DER, with NULL parameters or none. */
export function algorithmIdentifier(algorithm: string, parameters: 'null' | 'absent' | Block): Uint8Array {
  if (parameters === 'absent') return encode(sequence(oid(algorithm)));
  return encode(sequence(oid(algorithm), parameters === 'null' ? nullValue() : parameters));
}
