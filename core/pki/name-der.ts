/**
 * Distinguished names to and from DER (RFC 5280 Name), through @peculiar/asn1-x509's Name. String types the
 * library's AttributeValue does not model (NumericString, VisibleString, …) go through asn1js, and anything that
 * is not a string stays as its BER bytes.
 */
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { assertWellFormed, childrenOf, DerShapeError, expectTlv, latin1, readOid, TAGS } from './der-reader.js';
import { der, encode, oid, sequence, setOf } from './der-writer.js';
import { type DnAttribute, type DnStringType, DnError, type Rdn, representable } from './name-attributes.js';

/** Decodes one BER value: a string of a known type, or the hex of bytes we keep as they are. */
export function decodeBerValue(ber: Uint8Array): { value: string; stringType: DnStringType | 'ber' } {
  const parsed = asn1js.fromBER(ber);
  if (parsed.offset !== ber.byteLength || parsed.result.error) {
    throw new DnError(`malformed BER attribute value ${Buffer.from(ber).toString('hex')}`);
  }
  const block = parsed.result;
  const stringType = STRING_CLASSES.find(([cls]) => block instanceof cls)?.[1];
  if (stringType && block instanceof asn1js.BaseStringBlock) return { value: block.getValue(), stringType };
  return { value: Buffer.from(ber).toString('hex'), stringType: 'ber' };
}

const STRING_CLASSES: [abstract new (...args: never[]) => asn1js.BaseBlock, DnStringType][] = [
  [asn1js.Utf8String, 'utf8'],
  [asn1js.PrintableString, 'printable'],
  [asn1js.IA5String, 'ia5'],
  [asn1js.TeletexString, 'teletex'],
  [asn1js.BmpString, 'bmp'],
  [asn1js.UniversalString, 'universal'],
  [asn1js.NumericString, 'numeric'],
  [asn1js.VisibleString, 'visible'],
];

function toAttributeValue(attr: DnAttribute): AttributeValue {
  const { value, stringType } = attr;
  if (stringType === 'ber') return new AttributeValue({ anyValue: new Uint8Array(Buffer.from(value, 'hex')).buffer });
  if (!representable(stringType, value)) {
    throw new DnError(`"${value}" cannot be written as ${stringType} string (attribute ${attr.type})`);
  }
  switch (stringType) {
    case 'utf8':
      return new AttributeValue({ utf8String: value });
    case 'printable':
      return new AttributeValue({ printableString: value });
    case 'ia5':
      return new AttributeValue({ ia5String: value });
    case 'teletex':
      return new AttributeValue({ teletexString: value });
    case 'bmp':
      return new AttributeValue({ bmpString: value });
    case 'universal':
      return new AttributeValue({ universalString: value });
    case 'numeric':
      return new AttributeValue({ anyValue: new asn1js.NumericString({ value }).toBER() });
    case 'visible':
      return new AttributeValue({ anyValue: new asn1js.VisibleString({ value }).toBER() });
  }
}

/** The BER of one attribute value (for RFC 4514's '#' form). */
export function encodeAttributeValue(attr: DnAttribute): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(toAttributeValue(attr)));
}

function fromAttributeValue(value: AttributeValue): { value: string; stringType: DnStringType | 'ber' } {
  if (value.utf8String !== undefined) return { value: value.utf8String, stringType: 'utf8' };
  if (value.printableString !== undefined) return { value: value.printableString, stringType: 'printable' };
  if (value.ia5String !== undefined) return { value: value.ia5String, stringType: 'ia5' };
  if (value.teletexString !== undefined) return { value: value.teletexString, stringType: 'teletex' };
  if (value.bmpString !== undefined) return { value: value.bmpString, stringType: 'bmp' };
  if (value.universalString !== undefined) return { value: value.universalString, stringType: 'universal' };
  if (value.anyValue !== undefined) return decodeBerValue(new Uint8Array(value.anyValue));
  throw new DnError('attribute value of no known type');
}

/**
 * Encodes RDNs (in ASN.1 order). The attributes of a multi-valued RDN are sorted by their encodings, as DER
 * requires of a SET OF.
 */
export function encodeName(rdns: readonly Rdn[]): Uint8Array {
  return encodeNameFast(rdns) ?? encodeNameWithSchema(rdns);
}

const FAST_STRING_TAGS: Partial<Record<DnStringType | 'ber', number>> = { utf8: 0x0c, printable: 0x13, ia5: 0x16 };

/**
 * UTF8String, PrintableString and IA5String values written with der-writer (devices and benchmarks build a
 * name per CSR); undefined when an attribute needs the schema library (other string types, BER values).
 */
function encodeNameFast(rdns: readonly Rdn[]): Uint8Array | undefined {
  const sets: Uint8Array[] = [];
  for (const rdn of rdns) {
    const atvs: Uint8Array[] = [];
    for (const attr of rdn) {
      const tag = FAST_STRING_TAGS[attr.stringType];
      if (tag === undefined) return undefined;
      if (!representable(attr.stringType as DnStringType, attr.value)) {
        throw new DnError(`"${attr.value}" cannot be written as ${attr.stringType} string (attribute ${attr.type})`);
      }
      const value = der(tag, [Buffer.from(attr.value, tag === 0x0c ? 'utf8' : 'latin1')]);
      atvs.push(encode(sequence(oid(attr.type), value)));
    }
    sets.push(encode(setOf(atvs)));
  }
  return encode(sequence(...sets));
}

/** The schema library's encoding (exported for the differential test of the fast writer). */
export function encodeNameWithSchema(rdns: readonly Rdn[]): Uint8Array {
  const name = new Name(
    rdns.map((rdn) => {
      const atvs = rdn.map((attr) => new AttributeTypeAndValue({ type: attr.type, value: toAttributeValue(attr) }));
      if (atvs.length > 1) {
        const keyed = atvs.map((atv) => ({ atv, der: Buffer.from(AsnConvert.serialize(atv)) }));
        keyed.sort((a, b) => Buffer.compare(a.der, b.der));
        return new RelativeDistinguishedName(keyed.map((k) => k.atv));
      }
      return new RelativeDistinguishedName(atvs);
    }),
  );
  return new Uint8Array(AsnConvert.serialize(name));
}

export function decodeName(der: Uint8Array): Rdn[] {
  try {
    return decodeNameFast(der);
  } catch (error) {
    if (!(error instanceof DerShapeError)) throw error;
  }
  return decodeNameWithSchema(der);
}

const FAST_STRING_TYPES = new Map<number, DnStringType>([
  [TAGS.printableString, 'printable'],
  [TAGS.utf8String, 'utf8'],
  [TAGS.ia5String, 'ia5'],
]);

/**
 * The common case read directly (a CA decodes the subject of every CSR): DER with ASCII PrintableString,
 * UTF8String or IA5String values. DerShapeError for anything else, which the schema decode then reads.
 */
function decodeNameFast(der: Uint8Array): Rdn[] {
  const name = expectTlv(der, 0, der.length, TAGS.sequence);
  if (name.end !== der.length) throw new DerShapeError();
  assertWellFormed(der, name);
  return childrenOf(der, name).map((rdn) => {
    if (rdn.tag !== TAGS.set) throw new DerShapeError();
    const atvs = childrenOf(der, rdn);
    if (atvs.length === 0) throw new DerShapeError();
    return atvs.map((atv) => {
      const [type, value, ...rest] = atv.tag === TAGS.sequence ? childrenOf(der, atv) : [];
      const stringType = value && FAST_STRING_TYPES.get(value.tag);
      if (!type || !value || !stringType || rest.length) throw new DerShapeError();
      for (let i = value.start; i < value.end; i++) if (der[i]! >= 0x80) throw new DerShapeError();
      return { type: readOid(der, type), value: latin1(der, value.start, value.end), stringType };
    });
  });
}

/** The schema library's decode (exported for the differential test of the fast reader). */
export function decodeNameWithSchema(der: Uint8Array): Rdn[] {
  let name: Name;
  try {
    name = AsnConvert.parse(der, Name);
  } catch (error) {
    throw new DnError(`malformed Name: ${(error as Error).message}`, { cause: error });
  }
  return name.map((rdn) => {
    if (rdn.length === 0) throw new DnError('malformed Name: empty RDN');
    return rdn.map((atv) => ({ type: atv.type, ...fromAttributeValue(atv.value) }));
  });
}
