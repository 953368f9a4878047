/**
 * Key transport for KeyTransRecipientInfo: RSAES-PKCS1-v1_5 (what iOS, Android, micromdm, sscep and every CertRep
 * use) and RSAES-OAEP (EJBCA, NDES).
 *
 * Node 20 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809), so we decrypt with RSA_NO_PADDING and remove
 * the padding here with implicit rejection, as OpenSSL 3.2 does: a bad padding (or a key of the wrong length)
 * never throws; it yields a synthetic key derived by HMAC from the private key and the ciphertext, so the only
 * observable outcome is that the content then fails to decrypt (badMessageCheck). No padding oracle.
 */
import { constants, createHash, createHmac, type KeyObject, privateDecrypt, publicEncrypt } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { RsaEsOaepParams } from '@peculiar/asn1-rsa';
import { digestOid, hashFromDigestOid, type HashName, OID, UnsupportedAlgorithmError } from '../pki/algorithms.js';
import { CMS_OID, FailInfo } from './constants.js';
import { ScepError } from './errors.js';

export type KeyTransport =
  | { scheme: 'rsaes-pkcs1-v1_5' }
  | { scheme: 'rsaes-oaep'; hash: HashName; label?: Uint8Array };

export const PKCS1_V1_5: KeyTransport = { scheme: 'rsaes-pkcs1-v1_5' };

export function keyTransportName(transport: KeyTransport): string {
  return transport.scheme === 'rsaes-oaep' ? `rsaes-oaep-${transport.hash}` : transport.scheme;
}

/** Reads a keyEncryptionAlgorithm; anything but rsaEncryption and RSAES-OAEP is ScepError badAlg. */
export function keyTransportFromAlgorithm(oid: string, parameters?: ArrayBuffer | null): KeyTransport {
  if (oid === OID.rsaEncryption) return PKCS1_V1_5;
  if (oid !== CMS_OID.rsaesOaep) throw new ScepError(FailInfo.badAlg, `unsupported key-transport algorithm ${oid}`);
  try {
    const params =
      parameters && parameters.byteLength > 0 ? AsnConvert.parse(parameters, RsaEsOaepParams) : new RsaEsOaepParams();
    const hash = hashFromDigestOid(params.hashAlgorithm.algorithm);
    // Node's OAEP runs MGF1 over the OAEP hash, so only that combination can be honoured.
    const mgf = params.maskGenAlgorithm;
    const mgfHash = mgf.parameters ? AsnConvert.parse(mgf.parameters, AlgorithmIdentifier).algorithm : OID.sha1;
    if (mgf.algorithm !== CMS_OID.mgf1 || hashFromDigestOid(mgfHash) !== hash) {
      throw new ScepError(FailInfo.badAlg, 'RSAES-OAEP with an MGF other than MGF1 over the OAEP hash is not supported');
    }
    const source = params.pSourceAlgorithm;
    if (source.algorithm !== CMS_OID.pSpecified) throw new ScepError(FailInfo.badAlg, 'unsupported OAEP pSourceAlgorithm');
    const label = source.parameters && !isLibraryDefault(source.parameters)
      ? new Uint8Array(AsnConvert.parse(source.parameters, OctetString).buffer)
      : undefined;
    return label?.byteLength ? { scheme: 'rsaes-oaep', hash, label } : { scheme: 'rsaes-oaep', hash };
  } catch (error) {
    if (error instanceof ScepError) throw error;
    if (error instanceof UnsupportedAlgorithmError) throw new ScepError(FailInfo.badAlg, error.message);
    throw new ScepError(FailInfo.badAlg, 'unreadable RSAES-OAEP parameters', { cause: error });
  }
}

// When [2] is absent, @peculiar/asn1-rsa fills in a pSpecified whose OCTET STRING is SHA-1("") rather than the
// empty nullOctetString of RFC 8017: that value means "no label".
const DEFAULT_PSOURCE_PARAMETERS = new Uint8Array(new RsaEsOaepParams().pSourceAlgorithm.parameters ?? new ArrayBuffer(0));

function isLibraryDefault(parameters: ArrayBuffer): boolean {
  return Buffer.compare(new Uint8Array(parameters), DEFAULT_PSOURCE_PARAMETERS) === 0;
}

const algorithmDerCache = new Map<string, Uint8Array>();

/** The keyEncryptionAlgorithm AlgorithmIdentifier DER; the same for every message, so encoded once. */
export function keyTransportAlgorithmDer(transport: KeyTransport): Uint8Array {
  const cacheable = !(transport.scheme === 'rsaes-oaep' && transport.label);
  const cacheKey = keyTransportName(transport);
  const cached = cacheable ? algorithmDerCache.get(cacheKey) : undefined;
  if (cached) return cached;
  let identifier: AlgorithmIdentifier;
  if (transport.scheme === 'rsaes-pkcs1-v1_5') {
    identifier = new AlgorithmIdentifier({ algorithm: OID.rsaEncryption, parameters: null });
  } else {
    // Hash identifiers with NULL parameters, as OpenSSL writes them (RFC 4055 readers accept both forms).
    const hashId = new AlgorithmIdentifier({ algorithm: digestOid(transport.hash), parameters: null });
    const params = new RsaEsOaepParams({
      hashAlgorithm: hashId,
      maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: CMS_OID.mgf1, parameters: AsnConvert.serialize(hashId) }),
    });
    if (transport.label) {
      params.pSourceAlgorithm = new AlgorithmIdentifier({
        algorithm: CMS_OID.pSpecified,
        parameters: AsnConvert.serialize(new OctetString(transport.label)),
      });
    }
    identifier = new AlgorithmIdentifier({ algorithm: CMS_OID.rsaesOaep, parameters: AsnConvert.serialize(params) });
  }
  const der = new Uint8Array(AsnConvert.serialize(identifier));
  if (cacheable) algorithmDerCache.set(cacheKey, der);
  return der;
}

function oaepOptions(key: KeyObject, transport: Extract<KeyTransport, { scheme: 'rsaes-oaep' }>) {
  return {
    key,
    padding: constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: transport.hash,
    ...(transport.label ? { oaepLabel: transport.label } : {}),
  };
}

/** Encrypts a content key to an RSA public key. */
export function encryptContentKey(publicKey: KeyObject, transport: KeyTransport, contentKey: Uint8Array): Uint8Array {
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new ScepError(FailInfo.badAlg, `cannot encrypt to a ${publicKey.asymmetricKeyType} key: SCEP key transport needs RSA`);
  }
  const options =
    transport.scheme === 'rsaes-oaep' ? oaepOptions(publicKey, transport) : { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
  return new Uint8Array(publicEncrypt(options, contentKey));
}

// The key-derivation key of implicit rejection: a hash of the private key, computed once per key.
const rejectionKeys = new WeakMap<KeyObject, Buffer>();

function rejectionKey(privateKey: KeyObject): Buffer {
  let kdk = rejectionKeys.get(privateKey);
  if (!kdk) {
    const material = privateKey.export({ format: 'der', type: 'pkcs8' });
    kdk = createHash('sha256').update('mdmca scep implicit rejection').update(material).digest();
    rejectionKeys.set(privateKey, kdk);
  }
  return kdk;
}

/** The key a bad ciphertext "decrypts" to: deterministic per (key, ciphertext), unpredictable without the key. */
function syntheticKey(privateKey: KeyObject, ciphertext: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const kdk = rejectionKey(privateKey);
  for (let block = 0, filled = 0; filled < length; block++) {
    const chunk = createHmac('sha256', kdk).update(Uint8Array.of(block, length)).update(ciphertext).digest();
    out.set(chunk.subarray(0, Math.min(chunk.length, length - filled)), filled);
    filled += chunk.length;
  }
  return out;
}

// Branch-free helpers over small non-negative integers (< 2^31): 1 or 0, never a data-dependent branch.
const isZero = (x: number): number => ((x - 1) >>> 31) & 1;
const equals = (a: number, b: number): number => isZero(a ^ b);
const atLeast = (a: number, b: number): number => ((a - b) >>> 31) ^ 1;

/**
 * 1 when `em` is a well-formed EME-PKCS1-v1_5 block (00 02 PS≥8 nonzero 00 M) whose M has `expectedLength`
 * bytes, else 0. Scans every byte whatever it finds.
 */
function pkcs1Valid(em: Uint8Array, expectedLength: number): number {
  const k = em.length;
  let good = equals(em[0] ?? 1, 0) & equals(em[1] ?? 0, 2);
  let zeroIndex = 0;
  let looking = 1;
  for (let i = 2; i < k; i++) {
    const hit = looking & isZero(em[i] ?? 0);
    zeroIndex = (zeroIndex & (hit - 1)) | (i & -hit);
    looking &= hit ^ 1;
  }
  good &= looking ^ 1;
  good &= atLeast(zeroIndex, 10);
  good &= equals(k - zeroIndex - 1, expectedLength);
  return good;
}

/**
 * Recovers the content key from `encryptedKey`. Never throws on a bad ciphertext: it returns a synthetic key of
 * `expectedLength` bytes instead (implicit rejection), and the content decryption that follows fails.
 */
export function decryptContentKey(
  privateKey: KeyObject,
  transport: KeyTransport,
  encryptedKey: Uint8Array,
  expectedLength: number,
): Uint8Array {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new ScepError(FailInfo.badAlg, `cannot decrypt with a ${privateKey.asymmetricKeyType} key: SCEP key transport needs RSA`);
  }
  const synthetic = syntheticKey(privateKey, encryptedKey, expectedLength);
  if (transport.scheme === 'rsaes-oaep') {
    try {
      const key = privateDecrypt(oaepOptions(privateKey, transport), encryptedKey);
      return key.length === expectedLength ? new Uint8Array(key) : synthetic;
    } catch {
      return synthetic;
    }
  }
  const k = Math.ceil((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  const em = new Uint8Array(k);
  let good = 0;
  if (encryptedKey.byteLength <= k) {
    // I2OSP: a sender may have dropped leading zero octets of the ciphertext.
    const input = new Uint8Array(k);
    input.set(encryptedKey, k - encryptedKey.byteLength);
    try {
      em.set(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, input));
      good = expectedLength <= k - 11 ? pkcs1Valid(em, expectedLength) : 0;
    } catch {
      good = 0; // ciphertext ≥ modulus: public knowledge, but handled the same way
    }
  }
  const mask = -good;
  const out = new Uint8Array(expectedLength);
  const offset = k - expectedLength;
  for (let i = 0; i < expectedLength; i++) {
    out[i] = ((em[offset + i] ?? 0) & mask) | ((synthetic[i] ?? 0) & ~mask);
  }
  return out;
}
