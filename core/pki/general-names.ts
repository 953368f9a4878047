/**
 * GeneralNames (RFC 5280 §4.2.1.6) as simple {type, value} entries: the subjectAltName of certificates and CSRs,
 * and the URIs of CRL distribution points and AIA. A UPN is the Microsoft otherName 1.3.6.1.4.1.311.20.2.3 with
 * an explicit [0] UTF8String, which Exchange ActiveSync maps to an account; its DER is
 *   A0 L { 06 0A 2B0601040182371402 03 ; A0 L { 0C L utf8 } }.
 */
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralNames, Name, OtherName } from '@peculiar/asn1-x509';
import { type DerPart, encode, explicit, implicitPrimitive, oid, sequence, utf8String } from './der-writer.js';
import { DistinguishedName } from './names.js';

export const UPN_OID = '1.3.6.1.4.1.311.20.2.3';

/**
 * 'dn' values are RFC 4514 strings; 'other' is any other GeneralName (another otherName, registeredID, …)
 * kept as the hex of its DER so that copying it from a CSR loses nothing.
 */
export type GeneralNameType = 'email' | 'dns' | 'uri' | 'ip' | 'upn' | 'dn' | 'other';

export interface GeneralNameEntry {
  type: GeneralNameType;
  value: string;
}

export class GeneralNameError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GeneralNameError';
  }
}

export function toGeneralName(entry: GeneralNameEntry): GeneralName {
  const { type, value } = entry;
  switch (type) {
    case 'email':
      return new GeneralName({ rfc822Name: ia5(value, type) });
    case 'dns':
      return new GeneralName({ dNSName: ia5(value, type) });
    case 'uri':
      return new GeneralName({ uniformResourceIdentifier: ia5(value, type) });
    case 'ip':
      if (!isIp(value)) throw new GeneralNameError(`not an IP address: "${value}"`);
      return new GeneralName({ iPAddress: value });
    case 'upn':
      return new GeneralName({
        otherName: new OtherName({ typeId: UPN_OID, value: new asn1js.Utf8String({ value }).toBER() }),
      });
    case 'dn':
      return new GeneralName({ directoryName: AsnConvert.parse(DistinguishedName.parse(value).der, Name) });
    case 'other':
      return AsnConvert.parse(Buffer.from(value, 'hex'), GeneralName);
    default:
      throw new GeneralNameError(`unknown general name type "${type as string}"`);
  }
}

function ia5(value: string, type: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(value)) throw new GeneralNameError(`${type} name must be ASCII (IA5String): "${value}"`);
  return value;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIp(value: string): boolean {
  if (IPV4.test(value)) return true;
  // IPv6 with at most one '::' and hex groups; the library converts it to 16 octets.
  if (!/^[0-9a-fA-F:]+$/.test(value) || (value.match(/::/g)?.length ?? 0) > 1) return false;
  const groups = value.split('::').flatMap((half) => (half === '' ? [] : half.split(':')));
  return groups.every((g) => g.length >= 1 && g.length <= 4) && (value.includes('::') ? groups.length < 8 : groups.length === 8);
}

export function fromGeneralName(name: GeneralName): GeneralNameEntry {
  if (name.rfc822Name !== undefined) return { type: 'email', value: name.rfc822Name };
  if (name.dNSName !== undefined) return { type: 'dns', value: name.dNSName };
  if (name.uniformResourceIdentifier !== undefined) return { type: 'uri', value: name.uniformResourceIdentifier };
  if (name.iPAddress !== undefined) return { type: 'ip', value: name.iPAddress };
  if (name.directoryName !== undefined) {
    return { type: 'dn', value: DistinguishedName.fromDer(new Uint8Array(AsnConvert.serialize(name.directoryName))).toString() };
  }
  if (name.otherName?.typeId === UPN_OID) {
    const parsed = asn1js.fromBER(name.otherName.value);
    if (parsed.result instanceof asn1js.Utf8String) return { type: 'upn', value: parsed.result.getValue() };
  }
  return { type: 'other', value: Buffer.from(AsnConvert.serialize(name)).toString('hex') };
}

/** GeneralNames DER: the extnValue of a subjectAltName extension. */
export function encodeGeneralNames(entries: readonly GeneralNameEntry[]): Uint8Array {
  if (entries.length === 0) throw new GeneralNameError('GeneralNames must not be empty');
  const direct = entries.map(directGeneralName);
  if (direct.every((part) => part !== undefined)) return encode(sequence(...direct));
  return new Uint8Array(AsnConvert.serialize(new GeneralNames(entries.map(toGeneralName))));
}

const UPN_OID_DER = oid(UPN_OID);

/**
 * The forms a vendor simulator puts in a SAN per certificate (e-mail, DNS, URI, UPN), written with der-writer:
 * through the library they cost ~150 µs a certificate. The rest (IP, directoryName, other) go through the
 * library; general-names.test.ts checks both give the same bytes.
 */
function directGeneralName({ type, value }: GeneralNameEntry): DerPart | undefined {
  switch (type) {
    case 'email':
      return implicitPrimitive(1, Buffer.from(ia5(value, type), 'latin1'));
    case 'dns':
      return implicitPrimitive(2, Buffer.from(ia5(value, type), 'latin1'));
    case 'uri':
      return implicitPrimitive(6, Buffer.from(ia5(value, type), 'latin1'));
    case 'upn':
      // otherName [0] { type-id, value [0] EXPLICIT UTF8String }
      return explicit(0, [UPN_OID_DER, explicit(0, [utf8String(value)])]);
    default:
      return undefined;
  }
}

export function decodeGeneralNames(der: Uint8Array): GeneralNameEntry[] {
  try {
    return Array.from(AsnConvert.parse(der, GeneralNames), fromGeneralName);
  } catch (error) {
    throw new GeneralNameError(`malformed GeneralNames: ${(error as Error).message}`, { cause: error });
  }
}

const SAN_PREFIX: Record<string, GeneralNameType> = {
  email: 'email',
  dns: 'dns',
  uri: 'uri',
  ip: 'ip',
  upn: 'upn',
  dirname: 'dn',
  dn: 'dn',
};

/** Reads "DNS:host" / "email:a@b" / "UPN:u@d" / "IP:1.2.3.4" / "URI:…" / "dirName:CN=x" (OpenSSL's spelling). */
export function parseGeneralName(text: string): GeneralNameEntry {
  const colon = text.indexOf(':');
  const type = colon > 0 ? SAN_PREFIX[text.slice(0, colon).trim().toLowerCase()] : undefined;
  if (!type) throw new GeneralNameError(`expected TYPE:value with TYPE one of DNS, email, URI, IP, UPN, dirName: "${text}"`);
  return { type, value: text.slice(colon + 1) };
}
