/**
 * CMS SignedData with one signer and signed attributes (RFC 5652 §5), the carrier of every pkiMessage and of
 * GetNextCACert's reply. Building signs the DER SET OF signedAttrs with algorithms.sign() (thread pool) and
 * embeds the very bytes it signed; verifying checks the original received encoding, re-tagged as SET, never a
 * re-encoding.
 */
import { createHash, type KeyObject } from 'node:crypto';
import {
  type HashName,
  hashFromDigestOid,
  OID,
  parseSignatureAlgorithm,
  sign,
  UnsupportedAlgorithmError,
  verifySignature,
  digestOid,
} from '../pki/algorithms.js';
import type { Block } from './asn1-build.js';
import {
  type DerPart,
  encode,
  explicit,
  NULL,
  octetString,
  oid,
  sequence,
  set,
  setOf,
  smallInteger,
  time,
} from '../pki/der-writer.js';
import {
  type CertificateFields,
  type CertificateIdentifier,
  certificateFields,
  describeIdentifier,
  fieldsOf,
  identifierOf,
  identifies,
  tryCertificateFields,
} from './cert-fields.js';
import { type Attribute, type CertificateSet, decode, octetStringContent, type SignerInfo, SignedDataContentInfo } from './cms-schema.js';
import { readSignedData } from './cms-reader.js';
import { CMS_OID, FailInfo } from './constants.js';
import { DerShapeError } from '../pki/der-reader.js';
import { ScepError, ScepMalformedError } from './errors.js';

export interface SignerIdentity {
  certificate: Uint8Array;
  privateKey: KeyObject;
}

export interface BuildSignedDataInput {
  /** eContent (type id-data); omitted entirely when undefined (SCEP FAILURE and PENDING). */
  content?: Uint8Array;
  signer: SignerIdentity;
  digest: HashName;
  /** Further signed attributes, each an Attribute DER. contentType and messageDigest are added here. */
  attributes?: readonly Uint8Array[];
  signingTime?: Date;
  /** Certificates after the signer's own, which always comes first. */
  extraCertificates?: readonly Uint8Array[];
}

/** A single-valued signed attribute DER: SEQUENCE { type, SET { value } }. */
export function attribute(type: string, value: DerPart | Block): Uint8Array {
  // asn1js blocks still come from callers outside the hot path; the writer takes their encoding as it is.
  const encoded = 'toBER' in value ? new Uint8Array(value.toBER(false)) : value;
  return encode(sequence(oid(type), set(encoded)));
}

const digestAlgorithmDer = new Map<HashName, Uint8Array>();
const signatureAlgorithmDer = new Map<string, Uint8Array>();

function digestAlgorithm(hash: HashName): Uint8Array {
  let der = digestAlgorithmDer.get(hash);
  // Parameters absent, as RFC 5754 asks for SHA-2 (and RFC 3370 allows for SHA-1).
  if (!der) digestAlgorithmDer.set(hash, (der = encode(sequence(oid(digestOid(hash))))));
  return der;
}

/** rsaEncryption for RSA signers (what iOS and micromdm write), ecdsa-with-SHAx for EC. */
function signatureAlgorithm(key: KeyObject, hash: HashName): Uint8Array {
  const ec = key.asymmetricKeyType === 'ec';
  if (!ec && key.asymmetricKeyType !== 'rsa') throw new Error(`cannot sign a pkiMessage with a ${key.asymmetricKeyType} key`);
  const cacheKey = ec ? `ec-${hash}` : 'rsa';
  let der = signatureAlgorithmDer.get(cacheKey);
  if (!der) {
    const ecdsa = { sha1: OID.ecdsaWithSha1, sha256: OID.ecdsaWithSha256, sha384: OID.ecdsaWithSha384, sha512: OID.ecdsaWithSha512 };
    der = encode(ec ? sequence(oid(ecdsa[hash])) : sequence(oid(OID.rsaEncryption), NULL));
    signatureAlgorithmDer.set(cacheKey, der);
  }
  return der;
}

const VERSION_1 = smallInteger(1);
const DATA_OID = oid(CMS_OID.data);
/** contentType = id-data: the same attribute in every message. */
const CONTENT_TYPE_DATA = attribute(CMS_OID.contentType, DATA_OID);

/** The SET OF signed attributes re-tagged [0] IMPLICIT: same content octets, tag 0xA0 instead of 0x31. */
function implicitSet(setDer: Uint8Array): Uint8Array {
  const out = new Uint8Array(setDer);
  out[0] = 0xa0;
  return out;
}

export async function buildSignedData(input: BuildSignedDataInput): Promise<Uint8Array> {
  const signer = certificateFields(input.signer.certificate);
  const content = input.content;
  const messageDigest = createHash(input.digest).update(content ?? new Uint8Array(0)).digest();
  const attributes = [
    CONTENT_TYPE_DATA,
    attribute(CMS_OID.messageDigest, octetString(messageDigest)),
    ...(input.signingTime ? [attribute(CMS_OID.signingTime, time(input.signingTime))] : []),
    ...(input.attributes ?? []),
  ];
  const signedAttrs = encode(setOf(attributes));
  const algorithm = signatureAlgorithm(input.signer.privateKey, input.digest);
  const signature = await sign(input.signer.privateKey, input.digest, signedAttrs);

  const signerInfo = sequence(
    VERSION_1,
    signer.issuerAndSerialNumber,
    digestAlgorithm(input.digest),
    implicitSet(signedAttrs), // the very bytes signed, under [0] IMPLICIT
    algorithm,
    octetString(signature),
  );
  // The certificates keep the caller's order (leaf first in a CertRep): CMS readers do not sort them.
  const certificates = [input.signer.certificate, ...(input.extraCertificates ?? [])];
  const encapContentInfo = content ? sequence(DATA_OID, explicit(0, [octetString(content)])) : sequence(DATA_OID);
  const signedData = sequence(VERSION_1, set(digestAlgorithm(input.digest)), encapContentInfo, explicit(0, certificates), set(signerInfo));
  return encode(sequence(oid(CMS_OID.signedData), explicit(0, [signedData])));
}

export interface ParsedSignedData {
  eContentType: string;
  /** eContent octets (segments of a constructed OCTET STRING joined); undefined when absent. */
  content?: Uint8Array;
  certificates: Uint8Array[];
  crls: Uint8Array[];
  signerInfos: SignerInfo[];
}

/**
 * Decodes a SignedData ContentInfo; ScepMalformedError when it is not one. DER of the usual shape is walked
 * (cms-reader.ts); anything else, and every error, goes through the schema decode.
 */
export function parseSignedData(der: Uint8Array, what = 'message'): ParsedSignedData {
  try {
    const fast = readSignedData(der);
    if (fast.contentType === CMS_OID.signedData) {
      const certificates: Uint8Array[] = [];
      for (const { der: certificate, fields } of fast.certificates) {
        try {
          fieldsOf(certificate, fields);
        } catch {
          // an unreadable key: the certificate cannot be a signer, and stays available as bytes
        }
        certificates.push(certificate);
      }
      return {
        eContentType: fast.eContentType,
        ...(fast.content ? { content: fast.content } : {}),
        certificates,
        crls: fast.crls,
        signerInfos: fast.signerInfos,
      };
    }
  } catch (error) {
    if (!(error instanceof DerShapeError)) throw error;
  }
  return parseSignedDataWithSchema(der, what);
}

/** The schema decode of parseSignedData (exported for the differential test of the fast reader). */
export function parseSignedDataWithSchema(der: Uint8Array, what = 'message'): ParsedSignedData {
  const parsed = decode(der, SignedDataContentInfo, what);
  if (parsed.contentType !== CMS_OID.signedData) throw new ScepMalformedError(`${what} is not a CMS SignedData`);
  const signedData = parsed.content;
  const eContent = signedData.encapContentInfo.eContent;
  return {
    eContentType: signedData.encapContentInfo.eContentType,
    ...(eContent ? { content: octetStringContent(eContent, `${what} eContent`) } : {}),
    certificates: certificatesOf(signedData.certificates),
    crls: [...(signedData.crls ?? [])].map((raw) => new Uint8Array(raw)),
    signerInfos: [...signedData.signerInfos],
  };
}

/** The X.509 certificates of a SignedData as DER, their fields registered so nobody decodes them again. */
function certificatesOf(set: CertificateSet | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const choice of set ?? []) {
    if (!choice.certificate || !choice.certificateRaw) continue;
    const der = new Uint8Array(choice.certificateRaw);
    try {
      fieldsOf(der, choice.certificate);
    } catch {
      // an unreadable key: the certificate cannot be a signer, and stays available as bytes
    }
    out.push(der);
  }
  return out;
}

export interface VerifiedSigner {
  certificate: Uint8Array;
  publicKey: KeyObject;
  digest: HashName;
  /** Every signed attribute, in received order. */
  attributes: Attribute[];
}

/** Finds the signer's certificate among the message's certificates, then among `trustedSigners`. */
function findSigner(id: CertificateIdentifier, candidates: readonly Uint8Array[]): CertificateFields | undefined {
  for (const der of candidates) {
    const fields = tryCertificateFields(der);
    if (fields && identifies(id, fields)) return fields;
  }
  return undefined;
}

/**
 * Verifies the one SignerInfo of `data`: its digest algorithm (badAlg when unsupported), its certificate
 * (badCertId when neither the message nor `trustedSigners` has it), the contentType and messageDigest
 * attributes and the signature (badMessageCheck). Certificate validity is not checked here: that is policy.
 */
export function verifySignedData(data: ParsedSignedData, trustedSigners: readonly Uint8Array[] = []): VerifiedSigner {
  const signerInfo = data.signerInfos[0];
  if (!signerInfo || data.signerInfos.length > 1) {
    throw new ScepMalformedError(`expected one SignerInfo, found ${data.signerInfos.length}`);
  }
  if (!signerInfo.signedAttrs || !signerInfo.signedAttrsRaw) {
    throw new ScepError(FailInfo.badMessageCheck, 'SignerInfo has no signed attributes');
  }
  let digest: HashName;
  try {
    digest = hashFromDigestOid(signerInfo.digestAlgorithm.algorithm);
  } catch (error) {
    throw new ScepError(FailInfo.badAlg, error instanceof Error ? error.message : 'unsupported digest algorithm');
  }
  const id = identifierOf(signerInfo.sid);
  if (!id) throw new ScepError(FailInfo.badCertId, 'SignerInfo names no certificate');
  const signer = findSigner(id, data.certificates) ?? findSigner(id, trustedSigners);
  if (!signer) throw new ScepError(FailInfo.badCertId, `no certificate for the signer (${describeIdentifier(id)})`);

  const attributes = [...signerInfo.signedAttrs];
  const contentType = single(attributes, CMS_OID.contentType)?.oid;
  if (contentType !== data.eContentType) throw new ScepError(FailInfo.badMessageCheck, 'contentType attribute does not match the content');
  const claimed = single(attributes, CMS_OID.messageDigest)?.octets;
  const actual = createHash(digest).update(data.content ?? new Uint8Array(0)).digest();
  if (!claimed || Buffer.compare(actual, new Uint8Array(claimed)) !== 0) {
    throw new ScepError(FailInfo.badMessageCheck, 'messageDigest does not match the content');
  }

  let scheme;
  try {
    const algorithm = signerInfo.signatureAlgorithm;
    scheme = parseSignatureAlgorithm(algorithm.algorithm, algorithm.parameters, signerInfo.digestAlgorithm.algorithm);
  } catch (error) {
    if (error instanceof UnsupportedAlgorithmError) throw new ScepError(FailInfo.badAlg, error.message);
    throw new ScepError(FailInfo.badAlg, 'unreadable signature algorithm', { cause: error });
  }
  // The signature covers the DER SET OF: the received [0] IMPLICIT bytes with their first octet made 0x31.
  const signed = new Uint8Array(signerInfo.signedAttrsRaw.slice(0));
  signed[0] = 0x31;
  if (!verifySignature(signer.publicKey, scheme, signed, new Uint8Array(signerInfo.signature.buffer))) {
    throw new ScepError(FailInfo.badMessageCheck, 'signature does not verify');
  }
  return { certificate: signer.der, publicKey: signer.publicKey, digest, attributes };
}

/** The single value of attribute `type`; ScepError badRequest when it has several values or appears twice. */
export function single(attributes: readonly Attribute[], type: string): Attribute['attrValues'][number] | undefined {
  let found: Attribute | undefined;
  for (const attr of attributes) {
    if (attr.attrType !== type) continue;
    if (found || attr.attrValues.length !== 1) throw new ScepError(FailInfo.badRequest, `attribute ${type} must have exactly one value`);
    found = attr;
  }
  return found?.attrValues[0];
}
