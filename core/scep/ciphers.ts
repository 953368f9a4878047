/**
 * Content-encryption algorithms of the pkcsPKIEnvelope (CBC with PKCS#7 padding, IV as the OCTET STRING
 * parameter). AES-128 is RFC 8894's mandatory cipher; 3DES and single DES are legacy that real clients still
 * send (micromdm 2.1 answers with single DES), so they work only when a caller opts in with allowLegacyCiphers.
 *
 * Single DES is not in OpenSSL 3's default provider, and we do not want --openssl-legacy-provider: DES-CBC with
 * key K equals DES-EDE3-CBC with key K‖K‖K (encrypt-decrypt-encrypt with equal keys collapses to one
 * encryption), so that is how it runs.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomValue } from '../pki/random.js';
import { FailInfo } from './constants.js';
import { ENVELOPE_DECRYPTION_FAILED, ScepError } from './errors.js';

export type ContentCipherName = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-cbc';

export interface ContentCipher {
  readonly name: ContentCipherName;
  readonly oid: string;
  readonly keyLength: number;
  readonly ivLength: number;
  /** 3DES and DES: usable only with allowLegacyCiphers, and worth flagging in a report. */
  readonly legacy: boolean;
}

export const CONTENT_CIPHERS: Readonly<Record<ContentCipherName, ContentCipher>> = {
  'aes-128-cbc': { name: 'aes-128-cbc', oid: '2.16.840.1.101.3.4.1.2', keyLength: 16, ivLength: 16, legacy: false },
  'aes-192-cbc': { name: 'aes-192-cbc', oid: '2.16.840.1.101.3.4.1.22', keyLength: 24, ivLength: 16, legacy: false },
  'aes-256-cbc': { name: 'aes-256-cbc', oid: '2.16.840.1.101.3.4.1.42', keyLength: 32, ivLength: 16, legacy: false },
  'des-ede3-cbc': { name: 'des-ede3-cbc', oid: '1.2.840.113549.3.7', keyLength: 24, ivLength: 8, legacy: true },
  'des-cbc': { name: 'des-cbc', oid: '1.3.14.3.2.7', keyLength: 8, ivLength: 8, legacy: true },
};

export const CONTENT_CIPHER_NAMES = Object.keys(CONTENT_CIPHERS) as ContentCipherName[];

const BY_OID = new Map(Object.values(CONTENT_CIPHERS).map((cipher) => [cipher.oid, cipher]));

export interface CipherPolicy {
  /** Permit 3DES and single DES. Off by default: RFC 8894 forbids DES, and 3DES is a MAY. */
  allowLegacyCiphers?: boolean;
}

/** The cipher for an OID, or ScepError badAlg (AES-GCM, RC2 and the like are not supported). */
export function cipherByOid(oid: string): ContentCipher {
  const cipher = BY_OID.get(oid);
  if (!cipher) throw new ScepError(FailInfo.badAlg, `unsupported content-encryption algorithm ${oid}`);
  return cipher;
}

export function assertCipherAllowed(cipher: ContentCipher, policy: CipherPolicy): void {
  if (cipher.legacy && !policy.allowLegacyCiphers) {
    throw new ScepError(FailInfo.badAlg, `legacy content-encryption algorithm ${cipher.name} is not allowed`);
  }
}

/** The node:crypto algorithm and key that perform `cipher` (single DES as EDE3 with three equal keys). */
function nodeCipher(cipher: ContentCipher, key: Uint8Array): { algorithm: string; key: Uint8Array } {
  if (cipher.name !== 'des-cbc') return { algorithm: cipher.name, key };
  const tripled = new Uint8Array(24);
  tripled.set(key, 0);
  tripled.set(key, 8);
  tripled.set(key, 16);
  return { algorithm: 'des-ede3-cbc', key: tripled };
}

export interface EncryptedContent {
  key: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

/** Encrypts with a fresh random key and IV. */
export function encryptContent(cipher: ContentCipher, plaintext: Uint8Array, policy: CipherPolicy): EncryptedContent {
  assertCipherAllowed(cipher, policy);
  const key = randomValue(cipher.keyLength);
  const iv = randomValue(cipher.ivLength);
  const run = nodeCipher(cipher, key);
  const encryptor = createCipheriv(run.algorithm, run.key, iv);
  const ciphertext = Buffer.concat([encryptor.update(plaintext), encryptor.final()]);
  return { key, iv, ciphertext: new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength) };
}

/**
 * Decrypts; every failure (wrong key length or IV, bad padding) is the same ScepError badMessageCheck, because
 * a wrong content key is how a failed key transport shows itself (key-transport.ts never throws).
 */
export function decryptContent(
  cipher: ContentCipher,
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  policy: CipherPolicy,
): Uint8Array {
  assertCipherAllowed(cipher, policy);
  const failed = () => new ScepError(FailInfo.badMessageCheck, ENVELOPE_DECRYPTION_FAILED);
  if (key.byteLength !== cipher.keyLength || iv.byteLength !== cipher.ivLength) throw failed();
  if (ciphertext.byteLength === 0 || ciphertext.byteLength % cipher.ivLength !== 0) throw failed();
  try {
    const run = nodeCipher(cipher, key);
    const decryptor = createDecipheriv(run.algorithm, run.key, iv);
    const plaintext = Buffer.concat([decryptor.update(ciphertext), decryptor.final()]);
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  } catch (cause) {
    throw new ScepError(FailInfo.badMessageCheck, ENVELOPE_DECRYPTION_FAILED, { cause });
  }
}
