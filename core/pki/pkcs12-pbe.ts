/**
 * Password-based encryption of PKCS#12 bag contents: PBES2 with PBKDF2 (RFC 8018) and the PKCS#12 PBE
 * algorithms (RFC 7292 Appendix C). Ciphers come from node:crypto; RC2, RC4 and single DES are not in Node's
 * default OpenSSL provider, so they fail with a Pkcs12Error that says so instead of being reimplemented.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { decode, encode, Pbes2Params, Pbkdf2Params, PbeParams, PKCS12_OID, toArrayBuffer } from './pkcs12-asn1.js';
import { Pkcs12DecryptionError, Pkcs12Error } from './pkcs12-errors.js';
import { KDF_ID, pkcs12Kdf, type PasswordBytes } from './pkcs12-kdf.js';

/** The two schemes mdmca writes: OpenSSL 3's default, and what older iOS and Android accept. */
export type EncryptionScheme = 'pbes2-aes256-sha256' | 'pkcs12-3des-sha1';

/** Guards against a file (or an attacker) asking for hours of key derivation. */
export const MAX_ITERATIONS = 10_000_000;

interface CipherSpec {
  name: string;
  /** node:crypto cipher name */
  cipher: string;
  keyLength: number;
  ivLength: number;
}

/** RFC 7292 Appendix C, all derived with SHA-1. */
const PKCS12_PBE: Record<string, CipherSpec> = {
  '1.2.840.113549.1.12.1.1': { name: 'pbeWithSHAAnd128BitRC4', cipher: 'rc4', keyLength: 16, ivLength: 0 },
  '1.2.840.113549.1.12.1.2': { name: 'pbeWithSHAAnd40BitRC4', cipher: 'rc4-40', keyLength: 5, ivLength: 0 },
  '1.2.840.113549.1.12.1.3': { name: 'pbeWithSHAAnd3-KeyTripleDES-CBC', cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  '1.2.840.113549.1.12.1.4': { name: 'pbeWithSHAAnd2-KeyTripleDES-CBC', cipher: 'des-ede-cbc', keyLength: 16, ivLength: 8 },
  '1.2.840.113549.1.12.1.5': { name: 'pbeWithSHAAnd128BitRC2-CBC', cipher: 'rc2-cbc', keyLength: 16, ivLength: 8 },
  '1.2.840.113549.1.12.1.6': { name: 'pbeWithSHAAnd40BitRC2-CBC', cipher: 'rc2-40-cbc', keyLength: 5, ivLength: 8 },
};
const PKCS12_3DES = '1.2.840.113549.1.12.1.3';

/** PBES2 encryption schemes whose parameters are the IV. */
const PBES2_CIPHER: Record<string, CipherSpec> = {
  '2.16.840.1.101.3.4.1.2': { name: 'AES-128-CBC', cipher: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'AES-192-CBC', cipher: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  '2.16.840.1.101.3.4.1.42': { name: 'AES-256-CBC', cipher: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  '1.2.840.113549.3.7': { name: 'DES-EDE3-CBC', cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  '1.3.14.3.2.7': { name: 'DES-CBC', cipher: 'des-cbc', keyLength: 8, ivLength: 8 },
};
const AES_256_CBC = '2.16.840.1.101.3.4.1.42';
const RC2_CBC = '1.2.840.113549.3.2';

const PRF: Record<string, { name: string; digest: string }> = {
  '1.2.840.113549.2.7': { name: 'HMAC-SHA1', digest: 'sha1' },
  '1.2.840.113549.2.8': { name: 'HMAC-SHA224', digest: 'sha224' },
  '1.2.840.113549.2.9': { name: 'HMAC-SHA256', digest: 'sha256' },
  '1.2.840.113549.2.10': { name: 'HMAC-SHA384', digest: 'sha384' },
  '1.2.840.113549.2.11': { name: 'HMAC-SHA512', digest: 'sha512' },
};
const HMAC_SHA1 = '1.2.840.113549.2.7';
const HMAC_SHA256 = '1.2.840.113549.2.9';

const PBES1_NAMES: Record<string, string> = {
  '1.2.840.113549.1.5.1': 'pbeWithMD2AndDES-CBC',
  '1.2.840.113549.1.5.3': 'pbeWithMD5AndDES-CBC',
  '1.2.840.113549.1.5.4': 'pbeWithMD2AndRC2-CBC',
  '1.2.840.113549.1.5.6': 'pbeWithMD5AndRC2-CBC',
  '1.2.840.113549.1.5.10': 'pbeWithSHA1AndDES-CBC',
  '1.2.840.113549.1.5.11': 'pbeWithSHA1AndRC2-CBC',
};

/** A parsed algorithm: its display name and how to turn a password into cipher, key and IV. */
interface Plan {
  name: string;
  derive(password: PasswordBytes): { spec: CipherSpec; key: Uint8Array; iv: Uint8Array };
}

export interface Encrypted {
  algorithm: AlgorithmIdentifier;
  ciphertext: Uint8Array;
}

export function pbeEncrypt(scheme: EncryptionScheme, password: PasswordBytes, iterations: number, plaintext: Uint8Array): Encrypted {
  const algorithm = scheme === 'pbes2-aes256-sha256' ? pbes2Algorithm(iterations) : pkcs12PbeAlgorithm(iterations);
  const { spec, key, iv } = plan(algorithm).derive(password);
  const cipher = createCipheriv(spec.cipher, key, iv);
  return { algorithm, ciphertext: new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()])) };
}

/** Decrypts `ciphertext`; a padding or length failure is a Pkcs12DecryptionError about `what`. */
export function pbeDecrypt(algorithm: AlgorithmIdentifier, password: PasswordBytes, ciphertext: Uint8Array, what: string): Uint8Array {
  const { spec, key, iv } = plan(algorithm).derive(password);
  let decipher;
  try {
    decipher = createDecipheriv(spec.cipher, key, spec.ivLength === 0 ? null : iv);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_OSSL_EVP_UNSUPPORTED') throw legacyProviderError(spec.name, error);
    throw new Pkcs12Error(`cannot decrypt ${what} (${spec.name}): ${(error as Error).message}`, { cause: error });
  }
  try {
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (error) {
    throw new Pkcs12DecryptionError(`${what} (${spec.name}): ${(error as Error).message}`, { cause: error });
  }
}

/** A human-readable name such as 'PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC' or 'pbeWithSHAAnd3-KeyTripleDES-CBC'. */
export function pbeName(algorithm: AlgorithmIdentifier): string {
  return plan(algorithm).name;
}

function pbes2Algorithm(iterations: number): AlgorithmIdentifier {
  const kdf = new Pbkdf2Params();
  kdf.salt = new OctetString(randomBytes(8));
  kdf.iterationCount = iterations;
  kdf.prf = new AlgorithmIdentifier({ algorithm: HMAC_SHA256, parameters: null });
  const params = new Pbes2Params();
  params.keyDerivationFunc = new AlgorithmIdentifier({ algorithm: PKCS12_OID.pbkdf2, parameters: toArrayBuffer(encode(kdf)) });
  params.encryptionScheme = new AlgorithmIdentifier({
    algorithm: AES_256_CBC,
    parameters: toArrayBuffer(encode(new OctetString(randomBytes(16)))),
  });
  return new AlgorithmIdentifier({ algorithm: PKCS12_OID.pbes2, parameters: toArrayBuffer(encode(params)) });
}

function pkcs12PbeAlgorithm(iterations: number): AlgorithmIdentifier {
  const params = new PbeParams();
  params.salt = new OctetString(randomBytes(8));
  params.iterations = iterations;
  return new AlgorithmIdentifier({ algorithm: PKCS12_3DES, parameters: toArrayBuffer(encode(params)) });
}

function plan(algorithm: AlgorithmIdentifier): Plan {
  const oid = algorithm.algorithm;
  const pkcs12 = PKCS12_PBE[oid];
  if (pkcs12) return pkcs12Plan(pkcs12, algorithm.parameters);
  if (oid === PKCS12_OID.pbes2) return pbes2Plan(algorithm.parameters);
  const pbes1 = PBES1_NAMES[oid];
  if (pbes1) throw new Pkcs12Error(`unsupported encryption algorithm ${pbes1} (PBES1, single DES or RC2 with MD2/MD5/SHA-1)`);
  throw new Pkcs12Error(`unsupported encryption algorithm ${oid}`);
}

function pkcs12Plan(spec: CipherSpec, parameters: ArrayBuffer | null | undefined): Plan {
  const params = decode(required(parameters, spec.name), PbeParams, `${spec.name} parameters`);
  const iterations = checkIterations(params.iterations, spec.name);
  const salt = new Uint8Array(params.salt.buffer);
  return {
    name: spec.name,
    derive: (password) => ({
      spec,
      key: pkcs12Kdf('sha1', password.bmp, salt, KDF_ID.key, iterations, spec.keyLength),
      iv: spec.ivLength === 0 ? new Uint8Array(0) : pkcs12Kdf('sha1', password.bmp, salt, KDF_ID.iv, iterations, spec.ivLength),
    }),
  };
}

function pbes2Plan(parameters: ArrayBuffer | null | undefined): Plan {
  const params = decode(required(parameters, 'PBES2'), Pbes2Params, 'PBES2 parameters');
  const kdfOid = params.keyDerivationFunc.algorithm;
  if (kdfOid !== PKCS12_OID.pbkdf2) throw new Pkcs12Error(`unsupported PBES2 key derivation function ${kdfOid}`);
  const kdf = decode(required(params.keyDerivationFunc.parameters, 'PBKDF2'), Pbkdf2Params, 'PBKDF2 parameters');
  const prfOid = kdf.prf?.algorithm ?? HMAC_SHA1;
  const prf = PRF[prfOid];
  if (!prf) throw new Pkcs12Error(`unsupported PBKDF2 pseudo-random function ${prfOid}`);
  const schemeOid = params.encryptionScheme.algorithm;
  if (schemeOid === RC2_CBC) throw legacyProviderError('PBES2 RC2-CBC');
  const spec = PBES2_CIPHER[schemeOid];
  if (!spec) throw new Pkcs12Error(`unsupported PBES2 encryption scheme ${schemeOid}`);
  const name = `PBES2/PBKDF2-${prf.name}/${spec.name}`;
  if (kdf.keyLength !== undefined && kdf.keyLength !== spec.keyLength) {
    throw new Pkcs12Error(`malformed ${name} parameters: key length ${kdf.keyLength}, the cipher needs ${spec.keyLength}`);
  }
  const iv = decode(required(params.encryptionScheme.parameters, spec.name), OctetString, `${spec.name} IV`);
  if (iv.byteLength !== spec.ivLength) throw new Pkcs12Error(`malformed ${name} parameters: IV of ${iv.byteLength} bytes`);
  const iterations = checkIterations(kdf.iterationCount, name);
  const salt = new Uint8Array(kdf.salt.buffer);
  return {
    name,
    derive: (password) => ({
      spec,
      // OpenSSL hands PBKDF2 the password's UTF-8 bytes, not the BMPString the PKCS#12 KDF uses.
      key: new Uint8Array(pbkdf2Sync(password.utf8, salt, iterations, spec.keyLength, prf.digest)),
      iv: new Uint8Array(iv.buffer),
    }),
  };
}

export function checkIterations(iterations: number, what: string): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new Pkcs12Error(`unacceptable ${what} iteration count ${iterations}: expected 1 to ${MAX_ITERATIONS}`);
  }
  return iterations;
}

function legacyProviderError(name: string, cause?: unknown): Pkcs12Error {
  return new Pkcs12Error(
    `cannot decrypt ${name}: the cipher is not in Node's default OpenSSL provider, it needs the OpenSSL legacy provider ` +
      `(run node with --openssl-legacy-provider, or convert the file: openssl pkcs12 -legacy -in old.p12 -nodes | openssl pkcs12 -export -out new.p12)`,
    { cause },
  );
}

function required(parameters: ArrayBuffer | null | undefined, what: string): ArrayBuffer {
  if (!parameters) throw new Pkcs12Error(`malformed ${what} parameters: missing`);
  return parameters;
}
