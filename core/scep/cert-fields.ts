/**
 * The few certificate fields the SCEP codec needs (issuer, serial, subject key identifier, public key), read
 * from certificate DER without depending on core/pki's certificate module. Results are cached by the identity
 * of the DER array (callers must not mutate it afterwards), so a CA certificate passed on every request, or the
 * signer certificate a parsed request returned and the CertRep is then encrypted to, is read once.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Extensions, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { ECParameters } from '@peculiar/asn1-ecc';
import { OID } from '../pki/algorithms.js';
import { encode, integerBytes, preEncoded, sequence } from './asn1-build.js';
import { CertificateFieldsSchema, decode, type RawIdentifier } from './cms-schema.js';
import { ScepMalformedError } from './errors.js';

export interface CertificateFields {
  readonly der: Uint8Array;
  /** Name DER. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  /** INTEGER content octets, as encoded. */
  readonly serialNumber: Uint8Array;
  readonly spki: Uint8Array;
  /** The subjectKeyIdentifier extension, if present. */
  readonly subjectKeyIdentifier?: Uint8Array;
  readonly publicKey: KeyObject;
  /** IssuerAndSerialNumber DER (RFC 5652 §10.2.4), the sid and rid this certificate is named by. */
  readonly issuerAndSerialNumber: Uint8Array;
}

const SKI_OID = '2.5.29.14';
const cache = new WeakMap<Uint8Array, CertificateFields>();

/** Reads a certificate; ScepMalformedError when it is not one. */
export function certificateFields(der: Uint8Array): CertificateFields {
  return cache.get(der) ?? fieldsOf(der, decode(der, CertificateFieldsSchema, 'certificate'));
}

/** The fields of a certificate the caller already decoded (inside a SignedData); cached under `der`. */
export function fieldsOf(der: Uint8Array, certificate: CertificateFieldsSchema): CertificateFields {
  const cached = cache.get(der);
  if (cached) return cached;
  const tbs = certificate.tbsCertificate;
  const issuer = new Uint8Array(tbs.issuer);
  const serialNumber = new Uint8Array(tbs.serialNumber);
  const spki = new Uint8Array(tbs.subjectPublicKeyInfoRaw ?? new ArrayBuffer(0));
  const publicKey = importKey(tbs.subjectPublicKeyInfo, spki);
  // Computed on first use: most certificates in a message are only ever compared, never named.
  let ski: { value: Uint8Array | undefined } | undefined;
  let issuerAndSerialNumber: Uint8Array | undefined;
  const fields: CertificateFields = {
    der,
    issuer,
    subject: new Uint8Array(tbs.subject),
    serialNumber,
    spki,
    publicKey,
    get issuerAndSerialNumber() {
      return (issuerAndSerialNumber ??= encode(sequence(preEncoded(issuer), integerBytes(serialNumber))));
    },
    get subjectKeyIdentifier() {
      ski ??= { value: tbs.extensions ? readSubjectKeyIdentifier(tbs.extensions) : undefined };
      return ski.value;
    },
  };
  cache.set(der, fields);
  return fields;
}

const JWK_CURVES: Record<string, { crv: string; size: number }> = {
  '1.2.840.10045.3.1.7': { crv: 'P-256', size: 32 },
  '1.3.132.0.34': { crv: 'P-384', size: 48 },
};

/**
 * Imports the certificate key. OpenSSL 3 takes ~130 µs to decode an RSA SubjectPublicKeyInfo but ~5 µs for the
 * same key as PKCS#1 or JWK, and a SCEP server imports a new requester key per message.
 */
function importKey(info: SubjectPublicKeyInfo, spki: Uint8Array): KeyObject {
  try {
    const bits = Buffer.from(info.subjectPublicKey);
    if (info.algorithm.algorithm === OID.rsaEncryption) return createPublicKey({ key: bits, format: 'der', type: 'pkcs1' });
    const curve = info.algorithm.algorithm === OID.ecPublicKey && info.algorithm.parameters
      ? JWK_CURVES[AsnConvert.parse(info.algorithm.parameters, ECParameters).namedCurve ?? '']
      : undefined;
    if (curve && bits[0] === 0x04 && bits.byteLength === 1 + 2 * curve.size) {
      const coordinate = (from: number) => bits.subarray(from, from + curve.size).toString('base64url');
      return createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: coordinate(1), y: coordinate(1 + curve.size) }, format: 'jwk' });
    }
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new ScepMalformedError('certificate has an unreadable public key', { cause });
  }
}

function readSubjectKeyIdentifier(extensions: ArrayBuffer): Uint8Array | undefined {
  try {
    const extension = AsnConvert.parse(extensions, Extensions).find((item) => item.extnID === SKI_OID);
    return extension ? new Uint8Array(AsnConvert.parse(extension.extnValue.buffer, OctetString).buffer) : undefined;
  } catch (cause) {
    throw new ScepMalformedError('certificate has unreadable extensions', { cause });
  }
}

/** The certificate fields, or undefined when `der` is not a readable certificate (for candidates in a message). */
export function tryCertificateFields(der: Uint8Array): CertificateFields | undefined {
  try {
    return certificateFields(der);
  } catch {
    return undefined;
  }
}

/** The value of the subjectPublicKey BIT STRING (for RSA, the PKCS#1 RSAPublicKey DER). */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  return new Uint8Array(AsnConvert.parse(spki, SubjectPublicKeyInfo).subjectPublicKey);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/** The identifier of a SignerInfo sid or KeyTransRecipientInfo rid. */
export type CertificateIdentifier =
  | { issuer: Uint8Array; serialNumber: Uint8Array }
  | { subjectKeyIdentifier: Uint8Array };

/**
 * Whether `fields` is the certificate `id` names. Issuer names compare byte for byte (signers copy them from the
 * certificate). A key identifier also matches the RFC 5280 method-1 value when the certificate has no SKI.
 */
export function identifies(id: CertificateIdentifier, fields: CertificateFields): boolean {
  if ('issuer' in id) return bytesEqual(id.serialNumber, fields.serialNumber) && bytesEqual(id.issuer, fields.issuer);
  if (fields.subjectKeyIdentifier) return bytesEqual(id.subjectKeyIdentifier, fields.subjectKeyIdentifier);
  const method1 = createHash('sha1').update(subjectPublicKeyBits(fields.spki)).digest();
  return bytesEqual(id.subjectKeyIdentifier, method1);
}

export function describeIdentifier(id: CertificateIdentifier): string {
  if ('issuer' in id) return `serial ${Buffer.from(id.serialNumber).toString('hex')}`;
  return `subjectKeyIdentifier ${Buffer.from(id.subjectKeyIdentifier).toString('hex')}`;
}

/** A decoded sid or rid as a CertificateIdentifier; undefined when it is neither choice. */
export function identifierOf(raw: RawIdentifier): CertificateIdentifier | undefined {
  if (raw.issuerAndSerialNumber) {
    return {
      issuer: new Uint8Array(raw.issuerAndSerialNumber.issuer),
      serialNumber: new Uint8Array(raw.issuerAndSerialNumber.serialNumber),
    };
  }
  if (raw.subjectKeyIdentifier) return { subjectKeyIdentifier: new Uint8Array(raw.subjectKeyIdentifier.buffer) };
  return undefined;
}
