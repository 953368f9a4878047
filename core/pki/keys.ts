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

/** SubjectPublicKeyInfo DER. */
export function spkiDer(publicKey: KeyObject): Uint8Array {
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
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
  return createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
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
