/**
 * PKCS#10 certification requests (RFC 2986): building them (the emulated devices, SCEP clients) and reading them
 * (every CA simulator, the SCEP server). Encoded and decoded with @peculiar/asn1-schema over a schema that keeps
 * the request info, subject and key as their original bytes: the signature covers the former, and a CA copies
 * the latter two into the certificate unchanged.
 */
import type { KeyObject } from 'node:crypto';
import { AsnConvert, AsnProp, AsnPropTypes } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Extension, Extensions, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
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
import { bitString, der, type DerPart, encode, NULL, oid, sequence, set, smallInteger as derInteger, TAG } from './der-writer.js';
import { assertWellFormed, childrenOf, DerShapeError, elementBuffer, elementBytes, expectTlv, readOid, smallInteger, TAGS, type Tlv } from './der-reader.js';
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
function challengePasswordValue(password: string): DerPart {
  return representable('printable', password) ? der(0x13, [Buffer.from(password, 'latin1')]) : der(0x0c, [Buffer.from(password, 'utf8')]);
}

/**
 * Builds and signs a CSR; returns its DER. Written with der-writer (a device or a benchmark signs one CSR per
 * enrolment; the schema library took ~0.4 ms of JavaScript for it); only requested extensions go through the
 * library.
 */
export async function buildCsr(options: CsrOptions): Promise<Uint8Array> {
  const hash = options.hash ?? 'sha256';
  const publicKey = options.publicKey ?? publicKeyOf(options.privateKey);
  const extensions: ExtensionSpec[] = [];
  if (options.subjectAltNames?.length) extensions.push(subjectAltNameExtension(options.subjectAltNames));
  if (options.keyUsage?.length) extensions.push(keyUsageExtension(options.keyUsage));
  if (options.extendedKeyUsage?.length) extensions.push(extendedKeyUsageExtension(options.extendedKeyUsage));
  extensions.push(...(options.extraExtensions ?? []));

  const attributes: Uint8Array[] = [];
  if (options.challengePassword !== undefined) {
    attributes.push(encode(sequence(oid(CSR_OID.challengePassword), set(challengePasswordValue(options.challengePassword)))));
  }
  if (extensions.length) {
    const list = new Extensions(
      extensions.map((e) => new Extension({ extnID: e.oid, critical: e.critical, extnValue: new OctetString(e.value) })),
    );
    attributes.push(encode(sequence(oid(CSR_OID.extensionRequest), set(new Uint8Array(AsnConvert.serialize(list))))));
  }
  // DER orders a SET OF by encoding (challengePassword, …9.7, sorts before extensionRequest, …9.14).
  const infoDer = encode(
    sequence(CSR_VERSION, DistinguishedName.from(options.subject).der, spkiDer(publicKey), der(TAG.explicit(0), [...attributes].sort(Buffer.compare))),
  );
  const alg = signatureAlgorithm(options.privateKey, hash);
  const signature = await sign(options.privateKey, hash, infoDer);
  const algorithm = alg.nullParameters ? sequence(oid(alg.oid), NULL) : sequence(oid(alg.oid));
  return encode(sequence(infoDer, algorithm, bitString(signature)));
}

const CSR_VERSION = derInteger(0);

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
  let fields: CsrFields;
  try {
    fields = readCsrFields(der);
  } catch (error) {
    if (!(error instanceof DerShapeError)) throw error;
    fields = readCsrFieldsWithSchema(der);
  }
  return complete(der, fields);
}

/** What both readers extract; complete() derives the rest. */
interface CsrFields {
  version: number;
  infoDer: Uint8Array;
  subjectDer: Uint8Array;
  spki: Uint8Array;
  subjectPublicKey: Uint8Array;
  signatureOid: string;
  signatureParameters?: ArrayBuffer | null;
  signature: Uint8Array;
  attributes: CsrAttribute[];
}

/** The schema library's reading: any BER it accepts (exported for the differential test of the fast reader). */
export function readCsrFieldsWithSchema(der: Uint8Array): CsrFields {
  const csr = AsnConvert.parse(der, Csr);
  const info = csr.info;
  return {
    version: info.version,
    infoDer: new Uint8Array(csr.infoRaw!),
    subjectDer: new Uint8Array(info.subject),
    spki: new Uint8Array(info.subjectPKInfoRaw!),
    subjectPublicKey: new Uint8Array(info.subjectPKInfo.subjectPublicKey),
    signatureOid: csr.signatureAlgorithm.algorithm,
    signatureParameters: csr.signatureAlgorithm.parameters,
    signature: new Uint8Array(csr.signature),
    attributes: Array.from(info.attributes ?? [], (a) => ({ type: a.type, values: a.values.map((v) => new Uint8Array(v)) })),
  };
}

/** A BIT STRING of whole bytes: its content after the unused-bits octet. */
function wholeBytes(der: Uint8Array, element: Tlv): Uint8Array {
  if (element.tag !== TAGS.bitString || element.end <= element.start || der[element.start] !== 0) throw new DerShapeError();
  return der.slice(element.start + 1, element.end);
}

/** The fast reading of a DER CSR (der-reader.ts); DerShapeError for anything it does not expect. */
export function readCsrFields(der: Uint8Array): CsrFields {
  const outer = expectTlv(der, 0, der.length, TAGS.sequence);
  if (outer.end !== der.length) throw new DerShapeError();
  assertWellFormed(der, outer);
  const [info, algorithm, signature, ...rest] = childrenOf(der, outer);
  if (!info || !algorithm || !signature || rest.length || info.tag !== TAGS.sequence || algorithm.tag !== TAGS.sequence) {
    throw new DerShapeError();
  }
  const [version, subject, spki, attributes, ...more] = childrenOf(der, info);
  if (!version || !subject || !spki || more.length || subject.tag !== TAGS.sequence || spki.tag !== TAGS.sequence) throw new DerShapeError();
  const [keyAlgorithm, subjectPublicKey, ...spkiRest] = childrenOf(der, spki);
  if (!keyAlgorithm || !subjectPublicKey || spkiRest.length || keyAlgorithm.tag !== TAGS.sequence) throw new DerShapeError();
  const [keyOid, , ...keyRest] = childrenOf(der, keyAlgorithm);
  if (!keyOid || keyRest.length) throw new DerShapeError();
  readOid(der, keyOid);
  const [oid, parameters, ...extra] = childrenOf(der, algorithm);
  if (!oid || extra.length) throw new DerShapeError();
  const out: CsrFields = {
    version: smallInteger(der, version),
    infoDer: elementBytes(der, info),
    subjectDer: elementBytes(der, subject),
    spki: elementBytes(der, spki),
    subjectPublicKey: wholeBytes(der, subjectPublicKey),
    signatureOid: readOid(der, oid),
    ...(parameters ? { signatureParameters: parameters.tag === TAGS.null ? null : elementBuffer(der, parameters) } : {}),
    signature: wholeBytes(der, signature),
    attributes: [],
  };
  if (attributes) {
    if (attributes.tag !== TAGS.context(0)) throw new DerShapeError();
    for (const attribute of childrenOf(der, attributes)) {
      const [type, values, ...tail] = attribute.tag === TAGS.sequence ? childrenOf(der, attribute) : [];
      if (!type || !values || tail.length || values.tag !== TAGS.set) throw new DerShapeError();
      out.attributes.push({ type: readOid(der, type), values: childrenOf(der, values).map((value) => elementBytes(der, value)) });
    }
  }
  return out;
}

/** A short ASCII PrintableString or UTF8String read directly; anything else through the BER decoder. */
function stringValue(ber: Uint8Array): { value: string; stringType: string } {
  const tag = ber[0];
  const length = ber[1] ?? 0x80;
  if ((tag === TAGS.printableString || tag === TAGS.utf8String) && length < 0x80 && ber.length === length + 2 && ber.every((b, i) => i < 2 || b < 0x80)) {
    return { value: Buffer.from(ber.buffer, ber.byteOffset + 2, length).toString('latin1'), stringType: tag === TAGS.utf8String ? 'utf8' : 'printable' };
  }
  return decodeBerValue(ber);
}

function complete(der: Uint8Array, fields: CsrFields): ParsedCsr {
  const { infoDer, spki, signature, attributes } = fields;
  const subject = DistinguishedName.fromDer(fields.subjectDer);
  void subject.rdns; // decode now, so that a malformed subject is a CsrError here rather than a surprise later
  const publicKey = importPublicKey(spki);
  let keySpec: KeySpec;
  try {
    keySpec = keySpecOf(publicKey);
  } catch (error) {
    throw new CsrError((error as Error).message, { cause: error });
  }
  const signatureScheme = parseSignatureAlgorithm(fields.signatureOid, fields.signatureParameters);
  let challengePassword: string | undefined;
  let requested: ExtensionSpec[] = [];
  for (const attribute of attributes) {
    const first = attribute.values[0];
    if (!first) continue;
    if (attribute.type === CSR_OID.challengePassword) {
      const decoded = stringValue(first);
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
    // RFC 2986 knows only version 0, but real iOS-style requests (micromdm's fixture) carry 2, and OpenSSL
    // accepts them: so do we, and report it.
    version: fields.version,
    infoDer,
    subject,
    spkiDer: spki,
    subjectPublicKey: fields.subjectPublicKey,
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
