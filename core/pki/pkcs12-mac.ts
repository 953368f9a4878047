/**
 * The PFX integrity MAC (RFC 7292 §4 and Appendix B): HMAC keyed by the PKCS#12 KDF (ID 3) over the
 * authenticatedSafe content. Checked before anything is decrypted, so a wrong password is told apart from damage.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DigestInfo } from '@peculiar/asn1-rsa';
import { OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { MacData } from '@peculiar/asn1-pfx';
import { digestOid, hashFromDigestOid, type HashName } from './algorithms.js';
import { Pkcs12Error, Pkcs12PasswordError } from './pkcs12-errors.js';
import { digestLength, KDF_ID, pkcs12Kdf, type PasswordBytes } from './pkcs12-kdf.js';
import { checkIterations } from './pkcs12-pbe.js';

const PBMAC1 = '1.2.840.113549.1.5.14';

export function macName(hash: HashName): string {
  return `HMAC-${hash.toUpperCase().replace('SHA', 'SHA-')}`;
}

export function buildMacData(hash: HashName, password: PasswordBytes, iterations: number, data: Uint8Array): MacData {
  const salt = randomBytes(8);
  const mac = new DigestInfo({
    digestAlgorithm: new AlgorithmIdentifier({ algorithm: digestOid(hash), parameters: null }),
    digest: new OctetString(computeMac(hash, password, salt, iterations, data)),
  });
  return new MacData({ mac, macSalt: new OctetString(salt), iterations });
}

export interface VerifiedMac {
  hash: HashName;
  iterations: number;
  /** The reading of the password that verified; decryption uses the same one. */
  password: PasswordBytes;
}

/** Tries each password reading in turn; none verifies → Pkcs12PasswordError. */
export function verifyMac(macData: MacData, candidates: PasswordBytes[], data: Uint8Array): VerifiedMac {
  const oid = macData.mac.digestAlgorithm.algorithm;
  if (oid === PBMAC1) throw new Pkcs12Error('unsupported MAC algorithm PBMAC1 (RFC 9579)');
  let hash: HashName;
  try {
    hash = hashFromDigestOid(oid);
  } catch (error) {
    throw new Pkcs12Error(`unsupported MAC digest algorithm ${oid}`, { cause: error });
  }
  const iterations = checkIterations(macData.iterations, 'MAC');
  const expected = new Uint8Array(macData.mac.digest.buffer);
  if (expected.length !== digestLength(hash)) {
    throw new Pkcs12Error(`malformed MAC: ${expected.length} bytes for ${macName(hash)}`);
  }
  const salt = new Uint8Array(macData.macSalt.buffer);
  for (const password of candidates) {
    if (timingSafeEqual(computeMac(hash, password, salt, iterations, data), expected)) return { hash, iterations, password };
  }
  throw new Pkcs12PasswordError();
}

function computeMac(hash: HashName, password: PasswordBytes, salt: Uint8Array, iterations: number, data: Uint8Array): Uint8Array {
  const key = pkcs12Kdf(hash, password.bmp, salt, KDF_ID.mac, iterations, digestLength(hash));
  return new Uint8Array(createHmac(hash, key).update(data).digest());
}
