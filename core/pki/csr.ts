/**
 * PKCS#10 certification requests (RFC 2986): building them (the emulated devices, SCEP clients) and reading them
 * (every CA simulator, the SCEP server). Encoded and decoded with @peculiar/asn1-schema over a schema that keeps
 * the request info, subject and key as their original bytes: the signature covers the former, and a CA copies
 * the latter two into the certificate unchanged.
 */
import type { KeyObject } from 'node:crypto';
import { AsnConvert, AsnProp, AsnPropTypes } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Attribute, DirectoryString, Extension, Extensions, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { Attributes } from '@peculiar/asn1-csr';
import { OctetString } from '@peculiar/asn1-schema';
import {
  type HashName,
  parseSignatureAlgorithm,
  type SignatureScheme,
  sign,
  signatureAlgorithm,
  verifySignature,
} from './algorithms.js';
import {
  type ExtensionSpec,
  extendedKeyUsageExtension,
  type KeyUsageName,
  keyUsageExtension,
  type ParsedExtensions,
  parseExtensions,
  subjectAltNameExtension,
} from './extensions.js';
import type { GeneralNameEntry } from './general-names.js';
import { importPublicKey, keySpecOf, type KeySpec, publicKeyOf, spkiDer } from './keys.js';
import { representable } from './name-attributes.js';
import { decodeBerValue } from './name-der.js';
import { DistinguishedName, type DnInput } from './names.js';
import { derOrPem } from './pem.js';

export const CSR_OID = {
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

export class CsrError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CsrError';
  }
}

class CsrInfo {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: AsnPropTypes.Any }) subject = new ArrayBuffer(0);
  @AsnProp({ type: SubjectPublicKeyInfo, raw: true }) subjectPKInfo = new SubjectPublicKeyInfo();
  subjectPKInfoRaw?: ArrayBuffer;
  // Optional only to read the few clients that omit it; we always write it, empty or not.
  @AsnProp({ type: Attributes, implicit: true, context: 0, optional: true }) attributes?: Attributes;

  constructor(params: Partial<CsrInfo> = {}) {
    Object.assign(this, params);
  }
}

class Csr {
  @AsnProp({ type: CsrInfo, raw: true }) info = new CsrInfo();
  infoRaw?: ArrayBuffer;
  @AsnProp({ type: AlgorithmIdentifier }) signatureAlgorithm = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.BitString }) signature = new ArrayBuffer(0);

  constructor(params: Partial<Csr> = {}) {
    Object.assign(this, params);
  }
}

export interface CsrOptions {
  subject: DnInput;
  privateKey: KeyObject;
  /** Defaults to the private key's public half. */
  publicKey?: KeyObject;
  hash?: HashName;
  challengePassword?: string;
  subjectAltNames?: GeneralNameEntry[];
  keyUsage?: KeyUsageName[];
  extendedKeyUsage?: string[];
  extraExtensions?: ExtensionSpec[];
}

const buffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** PKCS#9 challengePassword: PrintableString when the password fits it, UTF8String otherwise. */
function challengePasswordValue(password: string): ArrayBuffer {
  const value = representable('printable', password) ? { printableString: password } : { utf8String: password };
  return AsnConvert.serialize(new DirectoryString(value));
}

/** Builds and signs a CSR; returns its DER. */
export async function buildCsr(options: CsrOptions): Promise<Uint8Array> {
  const hash = options.hash ?? 'sha256';
  const publicKey = options.publicKey ?? publicKeyOf(options.privateKey);
  const extensions: ExtensionSpec[] = [];
  if (options.subjectAltNames?.length) extensions.push(subjectAltNameExtension(options.subjectAltNames));
  if (options.keyUsage?.length) extensions.push(keyUsageExtension(options.keyUsage));
  if (options.extendedKeyUsage?.length) extensions.push(extendedKeyUsageExtension(options.extendedKeyUsage));
  extensions.push(...(options.extraExtensions ?? []));

  const attributes: Attribute[] = [];
  if (options.challengePassword !== undefined) {
    attributes.push(new Attribute({ type: CSR_OID.challengePassword, values: [challengePasswordValue(options.challengePassword)] }));
  }
  if (extensions.length) {
    const list = new Extensions(
      extensions.map((e) => new Extension({ extnID: e.oid, critical: e.critical, extnValue: new OctetString(e.value) })),
    );
    attributes.push(new Attribute({ type: CSR_OID.extensionRequest, values: [AsnConvert.serialize(list)] }));
  }
  // DER orders a SET OF by encoding; challengePassword (…9.7) sorts before extensionRequest (…9.14) by content.
  attributes.sort((a, b) => Buffer.compare(Buffer.from(AsnConvert.serialize(a)), Buffer.from(AsnConvert.serialize(b))));

  const info = new CsrInfo({
    subject: buffer(DistinguishedName.from(options.subject).der),
    subjectPKInfo: AsnConvert.parse(spkiDer(publicKey), SubjectPublicKeyInfo),
    attributes: new Attributes(attributes),
  });
  const infoDer = new Uint8Array(AsnConvert.serialize(info));
  const alg = signatureAlgorithm(options.privateKey, hash);
  const signature = await sign(options.privateKey, hash, infoDer);
  const csr = new Csr({
    info,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: alg.oid, ...(alg.nullParameters && { parameters: null }) }),
    signature: buffer(signature),
  });
  return new Uint8Array(AsnConvert.serialize(csr));
}

export interface CsrAttribute {
  type: string;
  /** Each value's DER. */
  values: Uint8Array[];
}

export interface ParsedCsr {
  der: Uint8Array;
  /** The version field: 0 per RFC 2986; some clients write other values. */
  version: number;
  /** CertificationRequestInfo DER: what the signature covers. */
  infoDer: Uint8Array;
  /** The subject, keeping its original DER. */
  subject: DistinguishedName;
  spkiDer: Uint8Array;
  /** The subjectPublicKey BIT STRING value (the input of RFC 5280 key identifiers). */
  subjectPublicKey: Uint8Array;
  publicKey: KeyObject;
  keySpec: KeySpec;
  signatureScheme: SignatureScheme;
  signature: Uint8Array;
  challengePassword?: string;
  /** The extensionRequest's extensions, parsed where known; empty when there is none. */
  extensions: ParsedExtensions;
  attributes: CsrAttribute[];
  /** Whether the request is signed by its own key. */
  verify(): boolean;
}

/** Parses a CSR from DER or PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST"). Throws only CsrError. */
export function parseCsr(input: Uint8Array | string): ParsedCsr {
  try {
    return parse(readDer(input));
  } catch (error) {
    if (error instanceof CsrError) throw error;
    throw new CsrError(`malformed CSR: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

function readDer(input: Uint8Array | string): Uint8Array {
  if (typeof input === 'string' && input.includes('-----BEGIN NEW CERTIFICATE REQUEST-----')) {
    return derOrPem(input, 'NEW CERTIFICATE REQUEST');
  }
  return derOrPem(input, 'CERTIFICATE REQUEST');
}

function parse(der: Uint8Array): ParsedCsr {
  const csr = AsnConvert.parse(der, Csr);
  const info = csr.info;
  // RFC 2986 knows only version 0, but real iOS-style requests (micromdm's fixture) carry 2, and OpenSSL
  // accepts them: so do we, and report it.
  const infoDer = new Uint8Array(csr.infoRaw!);
  const subject = DistinguishedName.fromDer(new Uint8Array(info.subject));
  void subject.rdns; // decode now, so that a malformed subject is a CsrError here rather than a surprise later
  const spki = new Uint8Array(info.subjectPKInfoRaw!);
  const publicKey = importPublicKey(spki);
  let keySpec: KeySpec;
  try {
    keySpec = keySpecOf(publicKey);
  } catch (error) {
    throw new CsrError((error as Error).message, { cause: error });
  }
  const signatureScheme = parseSignatureAlgorithm(csr.signatureAlgorithm.algorithm, csr.signatureAlgorithm.parameters);
  const signature = new Uint8Array(csr.signature);

  const attributes: CsrAttribute[] = Array.from(info.attributes ?? [], (a) => ({
    type: a.type,
    values: a.values.map((v) => new Uint8Array(v)),
  }));
  let challengePassword: string | undefined;
  let requested: ExtensionSpec[] = [];
  for (const attribute of attributes) {
    const first = attribute.values[0];
    if (!first) continue;
    if (attribute.type === CSR_OID.challengePassword) {
      const decoded = decodeBerValue(first);
      if (decoded.stringType === 'ber') throw new CsrError('challengePassword is not a string');
      challengePassword = decoded.value;
    } else if (attribute.type === CSR_OID.extensionRequest) {
      requested = Array.from(AsnConvert.parse(first, Extensions), (e) => ({
        oid: e.extnID,
        critical: e.critical,
        value: new Uint8Array(e.extnValue.buffer),
      }));
    }
  }
  return {
    der,
    version: info.version,
    infoDer,
    subject,
    spkiDer: spki,
    subjectPublicKey: new Uint8Array(info.subjectPKInfo.subjectPublicKey),
    publicKey,
    keySpec,
    signatureScheme,
    signature,
    ...(challengePassword !== undefined && { challengePassword }),
    extensions: parseExtensions(requested),
    attributes,
    verify: () => verifySignature(publicKey, signatureScheme, infoDer, signature),
  };
}
