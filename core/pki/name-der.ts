/**
 * Distinguished names to and from DER (RFC 5280 Name), through @peculiar/asn1-x509's Name. String types the
 * library's AttributeValue does not model (NumericString, VisibleString, …) go through asn1js, and anything that
 * is not a string stays as its BER bytes.
 */
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
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
