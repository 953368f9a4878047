/**
 * Digest and signature algorithms: their OIDs, and signing and verifying with node:crypto.
 * Signing uses the callback form of crypto.sign, which runs on libuv's thread pool and so keeps the
 * event loop free on the hot path (DESIGN.md, "The signing path"), or signs inline (setSigningMode).
 */
import { createHash, sign as nodeSign, verify as nodeVerify, constants, KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';
export const HASHES: readonly HashName[] = ['sha1', 'sha256', 'sha384', 'sha512'];

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5WithRSAEncryption: '1.2.840.113549.1.1.4',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  md5: '1.2.840.113549.2.5',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/** An algorithm mdmca recognises but will not use (MD5, unknown OIDs): callers map it to their protocol's error. */
export class UnsupportedAlgorithmError extends Error {
  constructor(readonly oid: string, what: string) {
    super(`unsupported ${what} algorithm ${OID_NAMES[oid] ?? oid}`);
    this.name = 'UnsupportedAlgorithmError';
  }
}

const OID_NAMES: Record<string, string> = Object.fromEntries(Object.entries(OID).map(([name, oid]) => [oid, name]));

const DIGEST_OID: Record<HashName, string> = {
  sha1: OID.sha1,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};
const RSA_SIGNATURE_OID: Record<HashName, string> = {
  sha1: OID.sha1WithRSAEncryption,
  sha256: OID.sha256WithRSAEncryption,
  sha384: OID.sha384WithRSAEncryption,
  sha512: OID.sha512WithRSAEncryption,
};
const ECDSA_SIGNATURE_OID: Record<HashName, string> = {
  sha1: OID.ecdsaWithSha1,
  sha256: OID.ecdsaWithSha256,
  sha384: OID.ecdsaWithSha384,
  sha512: OID.ecdsaWithSha512,
};

export function digestOid(hash: HashName): string {
  return DIGEST_OID[hash];
}

export function hashFromDigestOid(oid: string): HashName {
  for (const hash of HASHES) if (DIGEST_OID[hash] === oid) return hash;
  throw new UnsupportedAlgorithmError(oid, 'digest');
}

export function digest(hash: HashName, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(data).digest());
}

/** The signature AlgorithmIdentifier for `key` and `hash`; RSA carries NULL parameters, ECDSA none (RFC 5758). */
export function signatureAlgorithm(key: KeyObject, hash: HashName): { oid: string; nullParameters: boolean } {
  if (key.asymmetricKeyType === 'ec') return { oid: ECDSA_SIGNATURE_OID[hash], nullParameters: false };
  if (key.asymmetricKeyType === 'rsa') return { oid: RSA_SIGNATURE_OID[hash], nullParameters: true };
  throw new Error(`cannot sign with a ${key.asymmetricKeyType} key`);
}

export interface SignatureScheme {
  keyType: 'rsa' | 'ec' | 'rsa-pss';
  hash: HashName;
  saltLength?: number;
}

/**
 * Reads a signature AlgorithmIdentifier. CMS SignerInfos often name only rsaEncryption or ecPublicKey and give the
 * hash in digestAlgorithm: pass that OID as `digestOidHint`.
 */
export function parseSignatureAlgorithm(oid: string, parameters?: ArrayBuffer | null, digestOidHint?: string): SignatureScheme {
  for (const hash of HASHES) {
    if (RSA_SIGNATURE_OID[hash] === oid) return { keyType: 'rsa', hash };
    if (ECDSA_SIGNATURE_OID[hash] === oid) return { keyType: 'ec', hash };
  }
  if (oid === OID.rsaEncryption || oid === OID.ecPublicKey) {
    if (!digestOidHint) throw new UnsupportedAlgorithmError(oid, 'signature (no digest given)');
    return { keyType: oid === OID.rsaEncryption ? 'rsa' : 'ec', hash: hashFromDigestOid(digestOidHint) };
  }
  if (oid === OID.rsassaPss) {
    const params = parameters && parameters.byteLength > 0 ? AsnConvert.parse(parameters, RsaSaPssParams) : new RsaSaPssParams();
    return { keyType: 'rsa-pss', hash: hashFromDigestOid(params.hashAlgorithm.algorithm), saltLength: params.saltLength };
  }
  throw new UnsupportedAlgorithmError(oid, 'signature');
}

/**
 * Where sign() runs the private-key operation. 'pool' (the default) hands it to libuv's thread pool and keeps
 * this event loop free: right for one process serving everything. 'inline' signs on the calling thread: right
 * when every core already runs a server process (a node:cluster worker per core), where a pool thread only
 * competes with the other workers for a core and each hand-off costs a thread wake-up (bench/README.md has the
 * measurements). MDMCA_SIGNING=inline in the environment selects it at start.
 */
export type SigningMode = 'pool' | 'inline';

let signingMode: SigningMode = process.env.MDMCA_SIGNING === 'inline' ? 'inline' : 'pool';

export function setSigningMode(mode: SigningMode): void {
  signingMode = mode;
}

export function getSigningMode(): SigningMode {
  return signingMode;
}

/** Signs `data` with `key` (PKCS#1 v1.5 for RSA, DER-encoded ECDSA): off the event loop unless signing inline. */
export function sign(key: KeyObject, hash: HashName, data: Uint8Array): Promise<Uint8Array> {
  if (signingMode === 'inline') {
    try {
      return Promise.resolve(new Uint8Array(nodeSign(hash, data, key)));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => {
    nodeSign(hash, data, key, (error, signature) => (error ? reject(error) : resolve(new Uint8Array(signature))));
  });
}

/** Verifies synchronously: a public-key operation costs tens of microseconds, less than a trip to the pool. */
export function verifySignature(publicKey: KeyObject, scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (scheme.keyType === 'rsa-pss') {
      return nodeVerify(
        scheme.hash,
        data,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength ?? 20 },
        signature,
      );
    }
    return nodeVerify(scheme.hash, data, publicKey, signature);
  } catch {
    return false;
  }
}
