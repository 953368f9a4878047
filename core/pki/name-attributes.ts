/**
 * The attribute types a distinguished name may use by name, and which ASN.1 string type each is written in.
 * The string types follow OpenSSL's defaults (string_mask utf8only) so that our DER matches `openssl req -subj`
 * byte for byte: countryName, serialNumber and dnQualifier as PrintableString, emailAddress and
 * domainComponent as IA5String, everything else as UTF8String.
 */

/** ASN.1 string types an attribute value can have; 'ber' marks a value kept as its raw BER encoding. */
export type DnStringType = 'utf8' | 'printable' | 'ia5' | 'teletex' | 'bmp' | 'universal' | 'numeric' | 'visible';

/** One attribute of an RDN. For stringType 'ber', value is the lower-case hex of the value's whole BER encoding. */
export interface DnAttribute {
  readonly type: string;
  readonly value: string;
  readonly stringType: DnStringType | 'ber';
}

/** A relative distinguished name: usually one attribute, several when multi-valued ("CN=x+UID=y"). */
export type Rdn = readonly DnAttribute[];

export class DnError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnError';
  }
}

interface AttributeInfo {
  oid: string;
  /** Names accepted on input, case-insensitively; the first is the RFC 4514 output name. */
  names: readonly string[];
  /** The short name OpenSSL prints and accepts in `-subj`. */
  openssl: string;
  preferred: 'utf8' | 'printable' | 'ia5';
}

const ATTRIBUTES: readonly AttributeInfo[] = [
  { oid: '2.5.4.3', names: ['CN', 'commonName'], openssl: 'CN', preferred: 'utf8' },
  { oid: '2.5.4.4', names: ['SN', 'surname'], openssl: 'SN', preferred: 'utf8' },
  { oid: '2.5.4.5', names: ['serialNumber'], openssl: 'serialNumber', preferred: 'printable' },
  { oid: '2.5.4.6', names: ['C', 'countryName'], openssl: 'C', preferred: 'printable' },
  { oid: '2.5.4.7', names: ['L', 'localityName'], openssl: 'L', preferred: 'utf8' },
  { oid: '2.5.4.8', names: ['ST', 'stateOrProvinceName', 'S'], openssl: 'ST', preferred: 'utf8' },
  { oid: '2.5.4.9', names: ['STREET', 'streetAddress'], openssl: 'street', preferred: 'utf8' },
  { oid: '2.5.4.10', names: ['O', 'organizationName'], openssl: 'O', preferred: 'utf8' },
  { oid: '2.5.4.11', names: ['OU', 'organizationalUnitName'], openssl: 'OU', preferred: 'utf8' },
  { oid: '2.5.4.12', names: ['title'], openssl: 'title', preferred: 'utf8' },
  { oid: '2.5.4.17', names: ['postalCode'], openssl: 'postalCode', preferred: 'utf8' },
  { oid: '2.5.4.42', names: ['GN', 'givenName', 'G'], openssl: 'GN', preferred: 'utf8' },
  { oid: '2.5.4.43', names: ['initials'], openssl: 'initials', preferred: 'utf8' },
  { oid: '2.5.4.44', names: ['generationQualifier'], openssl: 'generationQualifier', preferred: 'utf8' },
  { oid: '2.5.4.46', names: ['dnQualifier'], openssl: 'dnQualifier', preferred: 'printable' },
  { oid: '2.5.4.65', names: ['pseudonym'], openssl: 'pseudonym', preferred: 'utf8' },
  { oid: '2.5.4.97', names: ['organizationIdentifier'], openssl: 'organizationIdentifier', preferred: 'utf8' },
  { oid: '0.9.2342.19200300.100.1.1', names: ['UID', 'userId'], openssl: 'UID', preferred: 'utf8' },
  { oid: '0.9.2342.19200300.100.1.25', names: ['DC', 'domainComponent'], openssl: 'DC', preferred: 'ia5' },
  { oid: '1.2.840.113549.1.9.1', names: ['emailAddress', 'E', 'email'], openssl: 'emailAddress', preferred: 'ia5' },
  // SCEP clients (micromdm, Cisco) put these PKCS#9 attributes in request subjects.
  { oid: '1.2.840.113549.1.9.2', names: ['unstructuredName'], openssl: 'unstructuredName', preferred: 'utf8' },
  { oid: '1.2.840.113549.1.9.8', names: ['unstructuredAddress'], openssl: 'unstructuredAddress', preferred: 'utf8' },
];

const BY_OID = new Map(ATTRIBUTES.map((a) => [a.oid, a]));
const BY_NAME = new Map(ATTRIBUTES.flatMap((a) => a.names.map((n) => [n.toLowerCase(), a] as const)));

const NUMERIC_OID = /^(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))+$/;

/** The OID for a short name (CN, emailAddress, …) or a dotted OID (optionally prefixed "OID."). */
export function attributeTypeOid(name: string): string {
  const trimmed = name.trim();
  const info = BY_NAME.get(trimmed.toLowerCase());
  if (info) return info.oid;
  const dotted = trimmed.replace(/^oid\./i, '');
  if (NUMERIC_OID.test(dotted)) return dotted;
  throw new DnError(`unknown attribute type "${name}"`);
}

/** The RFC 4514 name for an OID, or undefined when it has none (it is then written dotted). */
export function attributeShortName(oid: string): string | undefined {
  return BY_OID.get(oid)?.names[0];
}

export function opensslAttributeName(oid: string): string {
  return BY_OID.get(oid)?.openssl ?? oid;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
// eslint-disable-next-line no-control-regex
const IA5 = /^[\x00-\x7f]*$/;
const NUMERIC = /^[0-9 ]*$/;
const VISIBLE = /^[\x20-\x7e]*$/;

/** Whether `value` can be written in `type`. */
export function representable(type: DnStringType, value: string): boolean {
  switch (type) {
    case 'printable':
      return PRINTABLE.test(value);
    case 'ia5':
      return IA5.test(value);
    case 'numeric':
      return NUMERIC.test(value);
    case 'visible':
      return VISIBLE.test(value);
    case 'teletex': // asn1js maps T.61 octets one to one onto Latin-1
      return [...value].every((c) => c.codePointAt(0)! <= 0xff);
    case 'bmp':
      return [...value].every((c) => c.codePointAt(0)! <= 0xffff);
    default:
      return true;
  }
}

/** The string type an attribute value is written in when none is given; UTF8String when the preferred type cannot hold it. */
export function defaultStringType(oid: string, value: string): DnStringType {
  const preferred = BY_OID.get(oid)?.preferred ?? 'utf8';
  return representable(preferred, value) ? preferred : 'utf8';
}
