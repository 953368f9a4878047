/**
 * Reading certificates. One parse with @peculiar/asn1-schema over a light schema that keeps issuer, subject and
 * SubjectPublicKeyInfo as their original bytes (CMS and SCEP match them byte for byte); names, extensions, the
 * public key and fingerprints are decoded on first use, since the SCEP codec reads a certificate per request and
 * most often needs only its IssuerAndSerialNumber and key.
 */
import { createHash, type KeyObject } from 'node:crypto';
import {
  AsnConvert,
  AsnIntegerArrayBufferConverter,
  AsnProp,
  AsnPropTypes,
} from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Extensions, SubjectPublicKeyInfo, Validity } from '@peculiar/asn1-x509';
import { parseSignatureAlgorithm, type SignatureScheme, verifySignature } from './algorithms.js';
import { type ExtensionSpec, keyIdentifierOfSpki, type ParsedExtensions, parseExtensions } from './extensions.js';
import { importPublicKey, keySpecOf, type KeySpec } from './keys.js';
import { DistinguishedName } from './names.js';
import { derOrPem, toPem } from './pem.js';
import { serialHexFromContent } from './serial.js';

export class CertificateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
  }
}

class LightTbsCertificate {
  @AsnProp({ type: AsnPropTypes.Integer, context: 0, defaultValue: 0 }) version = 0;
  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter }) serialNumber = new ArrayBuffer(0);
  @AsnProp({ type: AlgorithmIdentifier }) signature = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.Any }) issuer = new ArrayBuffer(0);
  @AsnProp({ type: Validity }) validity = new Validity();
  @AsnProp({ type: AsnPropTypes.Any }) subject = new ArrayBuffer(0);
  @AsnProp({ type: SubjectPublicKeyInfo, raw: true }) subjectPublicKeyInfo = new SubjectPublicKeyInfo();
  subjectPublicKeyInfoRaw?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.BitString, context: 1, implicit: true, optional: true }) issuerUniqueID?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.BitString, context: 2, implicit: true, optional: true }) subjectUniqueID?: ArrayBuffer;
  @AsnProp({ type: Extensions, context: 3, optional: true }) extensions?: Extensions;
}

class LightCertificate {
  @AsnProp({ type: LightTbsCertificate, raw: true }) tbsCertificate = new LightTbsCertificate();
  tbsCertificateRaw?: ArrayBuffer;
  @AsnProp({ type: AlgorithmIdentifier }) signatureAlgorithm = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.BitString }) signatureValue = new ArrayBuffer(0);
}

/** What CMS SignerInfo and RecipientInfo (and SCEP's IssuerAndSerial) identify a certificate by. */
export interface IssuerAndSerialNumber {
  /** The issuer Name DER, exactly as in the certificate. */
  issuer: Uint8Array;
  /** The serial INTEGER content octets, exactly as in the certificate. */
  serialNumber: Uint8Array;
}

const view = (buffer: ArrayBuffer | undefined) => new Uint8Array(buffer ?? new ArrayBuffer(0));

export class ParsedCertificate {
  readonly der: Uint8Array;
  /** TBSCertificate DER: what the signature covers. */
  readonly tbsDer: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  readonly serialBytes: Uint8Array;
  /** Lower-case hex of the serial, without redundant leading zeros but with the sign octet ("00ff…"). */
  readonly serialHex: string;
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spkiDer: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly signatureValue: Uint8Array;
  private readonly signatureParameters: ArrayBuffer | null | undefined;
  private readonly rawExtensions: ExtensionSpec[];
  private cache: {
    issuer?: DistinguishedName;
    subject?: DistinguishedName;
    publicKey?: KeyObject;
    extensions?: ParsedExtensions;
  } = {};

  constructor(der: Uint8Array) {
    let cert: LightCertificate;
    try {
      cert = AsnConvert.parse(der, LightCertificate);
    } catch (error) {
      throw new CertificateError(`malformed certificate: ${(error as Error).message}`, { cause: error });
    }
    const tbs = cert.tbsCertificate;
    this.der = der;
    this.tbsDer = view(cert.tbsCertificateRaw);
    this.version = tbs.version + 1;
    this.serialBytes = view(tbs.serialNumber);
    this.serialHex = serialHexFromContent(this.serialBytes);
    this.issuerDer = view(tbs.issuer);
    this.subjectDer = view(tbs.subject);
    this.notBefore = tbs.validity.notBefore.getTime();
    this.notAfter = tbs.validity.notAfter.getTime();
    this.spkiDer = view(tbs.subjectPublicKeyInfoRaw);
    this.signatureAlgorithmOid = cert.signatureAlgorithm.algorithm;
    this.signatureParameters = cert.signatureAlgorithm.parameters;
    this.signatureValue = view(cert.signatureValue);
    this.rawExtensions = Array.from(tbs.extensions ?? [], (e) => ({
      oid: e.extnID,
      critical: e.critical,
      value: new Uint8Array(e.extnValue.buffer),
    }));
  }

  get issuer(): DistinguishedName {
    return (this.cache.issuer ??= DistinguishedName.fromDer(this.issuerDer));
  }

  get subject(): DistinguishedName {
    return (this.cache.subject ??= DistinguishedName.fromDer(this.subjectDer));
  }

  get publicKey(): KeyObject {
    return (this.cache.publicKey ??= importPublicKey(this.spkiDer));
  }

  get keySpec(): KeySpec {
    return keySpecOf(this.publicKey);
  }

  /** Throws UnsupportedAlgorithmError for MD5 and unknown algorithms. */
  get signatureScheme(): SignatureScheme {
    return parseSignatureAlgorithm(this.signatureAlgorithmOid, this.signatureParameters);
  }

  /** Decoded on first use; throws ExtensionError when a known extension is malformed. */
  get extensions(): ParsedExtensions {
    return (this.cache.extensions ??= parseExtensions(this.rawExtensions));
  }

  get isCa(): boolean {
    return this.extensions.basicConstraints?.ca === true;
  }

  /** The SKI extension, or the RFC 5280 method-1 key identifier when the certificate has none. */
  get keyIdentifier(): Uint8Array {
    return this.extensions.subjectKeyIdentifier ?? keyIdentifierOfSpki(this.spkiDer);
  }

  get issuerAndSerialNumber(): IssuerAndSerialNumber {
    return { issuer: this.issuerDer, serialNumber: this.serialBytes };
  }

  fingerprint(hash: 'sha1' | 'sha256' = 'sha256'): string {
    return createHash(hash).update(this.der).digest('hex');
  }

  get sha256Fingerprint(): string {
    return this.fingerprint('sha256');
  }

  get sha1Fingerprint(): string {
    return this.fingerprint('sha1');
  }

  /** Issuer and subject are the same name and the certificate's own key verifies its signature. */
  get isSelfSigned(): boolean {
    return this.issuer.equals(this.subject) && this.verifySignedBy(this.publicKey);
  }

  /** Whether `issuer` (a certificate or its public key) signed this certificate. */
  verifySignedBy(issuer: ParsedCertificate | Uint8Array | KeyObject): boolean {
    let key: KeyObject;
    let scheme: SignatureScheme;
    try {
      key = issuer instanceof ParsedCertificate ? issuer.publicKey : issuer instanceof Uint8Array ? parseCertificate(issuer).publicKey : issuer;
      scheme = this.signatureScheme;
    } catch {
      return false;
    }
    return verifySignature(key, scheme, this.tbsDer, this.signatureValue);
  }

  isValidAt(date: Date): boolean {
    return date >= this.notBefore && date <= this.notAfter;
  }

  toPem(): string {
    return toPem('CERTIFICATE', this.der);
  }
}

/** Parses a certificate from DER or PEM; throws CertificateError when it is malformed. */
export function parseCertificate(input: Uint8Array | string): ParsedCertificate {
  let der: Uint8Array;
  try {
    der = derOrPem(input, 'CERTIFICATE');
  } catch (error) {
    throw new CertificateError((error as Error).message, { cause: error });
  }
  return new ParsedCertificate(der);
}
