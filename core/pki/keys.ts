/**
 * Key pairs. node:crypto KeyObjects are the one key type inside mdmca: they sign on libuv's thread pool,
 * decrypt raw RSA (which WebCrypto cannot, see core/scep), and export to every format the protocols need.
 * Libraries that want a WebCrypto CryptoKey get one from toCryptoKey().
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair as nodeGenerateKeyPair,
  KeyObject,
  webcrypto,
} from 'node:crypto';
import type { HashName } from './algorithms.js';
import { DerShapeError, expectTlv, sameBytes, TAGS } from './der-reader.js';

export type RsaBits = 1024 | 2048 | 3072 | 4096;
export type EcCurve = 'P-256' | 'P-384';
export type KeySpec = { type: 'rsa'; bits: RsaBits } | { type: 'ec'; curve: EcCurve };

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** RSA-1024 exists because it is Apple's SCEP payload default (Keysize 1024); it is legacy, never a default here. */
const RSA_BITS: readonly RsaBits[] = [1024, 2048, 3072, 4096];
const NODE_CURVE: Record<EcCurve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' };

/** Parses the key names used on the command line and in configuration: rsa2048, RSA-3072, ec-p256, p384, … */
export function parseKeySpec(name: string): KeySpec {
  const normalized = name.toLowerCase().replace(/[\s_-]/g, '');
  const rsa = /^rsa(\d{4})$/.exec(normalized);
  if (rsa) {
    const bits = Number(rsa[1]) as RsaBits;
    if (RSA_BITS.includes(bits)) return { type: 'rsa', bits };
  }
  const ec = /^(?:ec|ecdsa)?(?:p|secp)(256|384)(?:r1)?$/.exec(normalized);
  if (ec) return { type: 'ec', curve: ec[1] === '256' ? 'P-256' : 'P-384' };
  throw new Error(`unsupported key type "${name}": use rsa1024, rsa2048, rsa3072, rsa4096, ec-p256 or ec-p384`);
}

export function formatKeySpec(spec: KeySpec): string {
  return spec.type === 'rsa' ? `rsa${spec.bits}` : `ec-${spec.curve.toLowerCase().replace('-', '')}`;
}

export function generateKeyPair(spec: KeySpec): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      error ? reject(error) : resolve({ publicKey, privateKey });
    if (spec.type === 'rsa') {
      nodeGenerateKeyPair('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 }, done);
    } else {
      nodeGenerateKeyPair('ec', { namedCurve: NODE_CURVE[spec.curve] }, done);
    }
  });
}

/** The spec of an existing key (private or public). */
export function keySpecOf(key: KeyObject): KeySpec {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    return { type: 'rsa', bits: (details.modulusLength ?? 0) as RsaBits };
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return { type: 'ec', curve: 'P-256' };
    if (details.namedCurve === 'secp384r1') return { type: 'ec', curve: 'P-384' };
  }
  throw new Error(`unsupported key: ${key.asymmetricKeyType} ${details.namedCurve ?? details.modulusLength ?? ''}`);
}

export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

// KeyObjects are immutable, and exporting one costs ~0.3 ms: a client signing many CSRs with one key pays once.
const spkiCache = new WeakMap<KeyObject, Uint8Array>();

/** SubjectPublicKeyInfo DER (a fresh copy each call). */
export function spkiDer(publicKey: KeyObject): Uint8Array {
  let der = spkiCache.get(publicKey);
  if (!der) {
    const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
    der = new Uint8Array(key.export({ type: 'spki', format: 'der' }));
    spkiCache.set(publicKey, der);
  }
  return new Uint8Array(der);
}

/** PKCS#8 PrivateKeyInfo DER, unencrypted. */
export function pkcs8Der(privateKey: KeyObject): Uint8Array {
  return new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
}

export function privateKeyToPem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Reads a private key from PEM (PKCS#1, PKCS#8, SEC1; encrypted with `passphrase`) or PKCS#8 DER. */
export function importPrivateKey(input: string | Uint8Array, passphrase?: string): KeyObject {
  if (typeof input === 'string' || Buffer.from(input.subarray(0, 5)).toString('latin1') === '-----') {
    const pem = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    return createPrivateKey({ key: pem, format: 'pem', passphrase: passphrase ?? '' });
  }
  return createPrivateKey({ key: Buffer.from(input), format: 'der', type: 'pkcs8' });
}

/** Reads a public key from SubjectPublicKeyInfo DER or PEM. */
export function importPublicKey(input: string | Uint8Array): KeyObject {
  if (typeof input === 'string') return createPublicKey(input);
  const pkcs1 = rsaPublicKeyOf(input);
  if (pkcs1) return createPublicKey({ key: pkcs1, format: 'der', type: 'pkcs1' });
  return createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
}

// SEQUENCE { OID rsaEncryption, NULL }, as every RSA SubjectPublicKeyInfo carries it.
const RSA_ALGORITHM = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00);

/**
 * The PKCS#1 RSAPublicKey inside an rsaEncryption SubjectPublicKeyInfo, or undefined for any other key or shape.
 * OpenSSL 3 decodes an SPKI in ~190 µs but the same key as PKCS#1 in ~10 µs, and a CA imports a key per CSR.
 */
function rsaPublicKeyOf(spki: Uint8Array): Buffer | undefined {
  try {
    const outer = expectTlv(spki, 0, spki.length, TAGS.sequence);
    if (outer.end !== spki.length) return undefined;
    const algorithm = expectTlv(spki, outer.start, outer.end, TAGS.sequence);
    if (!sameBytes(spki, algorithm.offset, algorithm.end, RSA_ALGORITHM)) return undefined;
    const bits = expectTlv(spki, algorithm.end, outer.end, TAGS.bitString);
    if (bits.end !== outer.end || bits.end - bits.start < 2 || spki[bits.start] !== 0) return undefined;
    return Buffer.from(spki.buffer, spki.byteOffset + bits.start + 1, bits.end - bits.start - 1);
  } catch (error) {
    if (error instanceof DerShapeError) return undefined;
    throw error;
  }
}

/** The same key as a WebCrypto CryptoKey, for libraries that sign through WebCrypto. */
export async function toCryptoKey(key: KeyObject, hash: HashName): Promise<webcrypto.CryptoKey> {
  const spec = keySpecOf(key);
  const webHash = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }[hash];
  const algorithm =
    spec.type === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: webHash } : { name: 'ECDSA', namedCurve: spec.curve };
  if (key.type === 'private') {
    return webcrypto.subtle.importKey('pkcs8', pkcs8Der(key), algorithm, true, ['sign']);
  }
  return webcrypto.subtle.importKey('spki', spkiDer(key), algorithm, true, ['verify']);
}
