/**
 * Reads a PFX (RFC 7292) protected by a password: OpenSSL's default and legacy outputs, Windows and Java exports
 * (except RC2, which Node cannot decrypt), unencrypted keyBags and certificates, files without a MAC.
 * The MAC is checked before anything is decrypted; every failure is a Pkcs12Error, a wrong password a
 * Pkcs12PasswordError.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  AuthenticatedSafe,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_SafeContents,
  PKCS8ShroudedKeyBag,
  SafeContents,
} from '@peculiar/asn1-pfx';
import { id_envelopedData, id_signedData } from '@peculiar/asn1-cms';
import { decode, decodeOctetString, EncryptedData, Pfx, PKCS12_OID } from './pkcs12-asn1.js';
import { decodeAttributes, decodeCertificateBag, keyMatchesCertificate, sameBytes, type BagAttributes } from './pkcs12-bags.js';
import { DECRYPTION_FAILED_MESSAGE, Pkcs12DecryptionError, Pkcs12Error, Pkcs12PasswordError } from './pkcs12-errors.js';
import { passwordCandidates, type PasswordBytes } from './pkcs12-kdf.js';
import { macName, verifyMac } from './pkcs12-mac.js';
import { pbeDecrypt, pbeName } from './pkcs12-pbe.js';

export interface Pkcs12Algorithms {
  /** e.g. 'PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC', 'pbeWithSHAAnd3-KeyTripleDES-CBC', or 'none' for a keyBag. */
  keyEncryption: string;
  /** The algorithm of the safe holding the leaf certificate; 'none' when it is not encrypted. */
  certEncryption: string;
  /** 'HMAC-SHA-256', 'HMAC-SHA-1', … or 'none'. */
  mac: string;
  /** 0 when there is no MAC. */
  macIterations: number;
}

export interface Pkcs12Contents {
  privateKey: KeyObject;
  /** The leaf: the certificate whose localKeyId is the key's, else the one with the key's public key. DER. */
  certificate: Uint8Array;
  /** Every other certificate, DER, in file order. */
  chain: Uint8Array[];
  friendlyName?: string;
  localKeyId?: Uint8Array;
  algorithms: Pkcs12Algorithms;
  /** 'modern' and 'legacy' are the two forms buildPkcs12 writes; anything else is 'other'. */
  form: 'modern' | 'legacy' | 'other';
}

const MODERN_PBE = 'PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC';
const LEGACY_PBE = 'pbeWithSHAAnd3-KeyTripleDES-CBC';
/** Nested SafeContents bags deeper than this are refused: no writer nests at all, so it is an attack or damage. */
const MAX_NESTING = 4;

interface FoundKey extends BagAttributes {
  privateKey: KeyObject;
  encryption: string;
}
interface FoundCertificate extends BagAttributes {
  der: Uint8Array;
  encryption: string;
}
interface Found {
  keys: FoundKey[];
  certificates: FoundCertificate[];
}

/** A decryption or post-decryption parse failure: a wrong password when there is no MAC to tell. */
class UndecryptableError extends Error {}

export function parsePkcs12(der: Uint8Array, password: string): Pkcs12Contents {
  const pfx = decode(der, Pfx, 'PFX');
  if (pfx.version !== 3) throw new Pkcs12Error(`unsupported PFX version ${pfx.version}: expected 3`);
  const authSafeType = pfx.authSafe.contentType;
  if (authSafeType === id_signedData) throw new Pkcs12Error('unsupported PFX: public-key integrity mode (signedData authSafe)');
  if (authSafeType !== PKCS12_OID.data) throw new Pkcs12Error(`malformed PFX: authSafe content type ${authSafeType}, expected data`);
  const authSafeBytes = decodeOctetString(pfx.authSafe.content, 'authSafe content');

  const candidates = passwordCandidates(password);
  if (pfx.macData) {
    const verified = verifyMac(pfx.macData, candidates, authSafeBytes);
    const found = readAuthSafe(authSafeBytes, verified.password, true);
    return result(found, { mac: macName(verified.hash), macIterations: verified.iterations });
  }
  for (const candidate of candidates) {
    try {
      return result(readAuthSafe(authSafeBytes, candidate, false), { mac: 'none', macIterations: 0 });
    } catch (error) {
      if (!(error instanceof UndecryptableError)) throw error;
    }
  }
  throw new Pkcs12PasswordError(DECRYPTION_FAILED_MESSAGE);
}

/**
 * Decrypts with `decrypt` and reads the plaintext with `read`. Either failing means a wrong password when there is
 * no MAC (UndecryptableError, so the caller tries the next reading of the password), and damage when the MAC verified.
 */
type Decrypted = <T>(what: string, decrypt: () => Uint8Array, read: (plaintext: Uint8Array) => T) => T;

function decryptedReader(macVerified: boolean): Decrypted {
  const fail = (what: string, error: unknown): never => {
    if (!macVerified) throw new UndecryptableError(what);
    if (error instanceof Pkcs12DecryptionError) {
      throw new Pkcs12Error(`${error.message}, although the MAC verified: the file has a separate encryption password or is corrupted`, {
        cause: error,
      });
    }
    if (error instanceof Pkcs12Error) throw error;
    throw new Pkcs12Error(`malformed ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  };
  return (what, decrypt, read) => {
    let plaintext: Uint8Array;
    try {
      plaintext = decrypt();
    } catch (error) {
      // Unsupported algorithms and the like are reported as they are, whatever the password.
      if (!(error instanceof Pkcs12DecryptionError)) throw error;
      return fail(what, error);
    }
    try {
      return read(plaintext);
    } catch (error) {
      return fail(what, error);
    }
  };
}

/** Every key and certificate in the authenticatedSafe. */
function readAuthSafe(authSafeBytes: Uint8Array, password: PasswordBytes, macVerified: boolean): Found {
  const found: Found = { keys: [], certificates: [] };
  const decrypted = decryptedReader(macVerified);
  const safes = decode(authSafeBytes, AuthenticatedSafe, 'authenticatedSafe');
  for (const [index, safe] of safes.entries()) {
    const what = `safe ${index + 1} of ${safes.length}`;
    if (safe.contentType === PKCS12_OID.data) {
      const contents = decode(decodeOctetString(safe.content, what), SafeContents, `SafeContents of ${what}`);
      readBags(contents, 'none', password, found, decrypted, 0);
    } else if (safe.contentType === PKCS12_OID.encryptedData) {
      const encrypted = decode(safe.content, EncryptedData, `EncryptedData of ${what}`);
      const info = encrypted.encryptedContentInfo;
      const algorithm = info.contentEncryptionAlgorithm;
      const ciphertext = encryptedContent(info.encryptedContent, what);
      const name = pbeName(algorithm);
      const contents = decrypted(
        `decrypted ${what}`,
        () => pbeDecrypt(algorithm, password, ciphertext, what),
        (plaintext) => decode(plaintext, SafeContents, `decrypted ${what}`),
      );
      readBags(contents, name, password, found, decrypted, 0);
    } else if (safe.contentType === id_envelopedData) {
      throw new Pkcs12Error(`unsupported ${what}: public-key privacy mode (envelopedData)`);
    } else {
      throw new Pkcs12Error(`unsupported ${what}: content type ${safe.contentType}`);
    }
  }
  return found;
}

function readBags(contents: SafeContents, encryption: string, password: PasswordBytes, found: Found, decrypted: Decrypted, depth: number): void {
  for (const bag of contents) {
    if (bag.bagId === id_keyBag) {
      const privateKey = importKey(new Uint8Array(bag.bagValue), 'keyBag');
      found.keys.push({ ...decodeAttributes(bag), privateKey, encryption: 'none' });
    } else if (bag.bagId === id_pkcs8ShroudedKeyBag) {
      const shrouded = decode(bag.bagValue, PKCS8ShroudedKeyBag, 'pkcs8ShroudedKeyBag');
      const algorithm = shrouded.encryptionAlgorithm;
      const name = pbeName(algorithm);
      const privateKey = decrypted(
        'shrouded key bag',
        () => pbeDecrypt(algorithm, password, new Uint8Array(shrouded.encryptedData.buffer), 'the shrouded key bag'),
        (pkcs8) => importKey(pkcs8, 'shrouded key bag'),
      );
      found.keys.push({ ...decodeAttributes(bag), privateKey, encryption: name });
    } else if (bag.bagId === id_certBag) {
      const der = decodeCertificateBag(bag);
      if (der) found.certificates.push({ ...decodeAttributes(bag), der, encryption });
    } else if (bag.bagId === id_SafeContents) {
      if (depth >= MAX_NESTING) throw new Pkcs12Error(`malformed PFX: SafeContents nested more than ${MAX_NESTING} deep`);
      const nested = decode(bag.bagValue, SafeContents, 'nested SafeContents');
      readBags(nested, encryption, password, found, decrypted, depth + 1);
    }
    // CRL and secret bags carry nothing mdmca needs.
  }
}

function encryptedContent(content: EncryptedData['encryptedContentInfo']['encryptedContent'], what: string): Uint8Array {
  if (content?.value) return new Uint8Array(content.value.buffer);
  if (content?.constructedValue) return new Uint8Array(Buffer.concat(content.constructedValue.map((part) => new Uint8Array(part.buffer))));
  throw new Pkcs12Error(`malformed EncryptedData of ${what}: no encrypted content`);
}

function result(found: Found, mac: Pick<Pkcs12Algorithms, 'mac' | 'macIterations'>): Pkcs12Contents {
  const key = found.keys[0];
  if (!key) throw new Pkcs12Error('no private key in the PFX');
  if (found.certificates.length === 0) throw new Pkcs12Error('no certificate in the PFX');
  const privateKey = key.privateKey;
  const leaf =
    found.certificates.find((cert) => sameBytes(cert.localKeyId, key.localKeyId)) ??
    found.certificates.find((cert) => keyMatchesCertificate(privateKey, cert.der));
  if (!leaf) throw new Pkcs12Error('no certificate in the PFX matches its private key');
  const algorithms: Pkcs12Algorithms = { keyEncryption: key.encryption, certEncryption: leaf.encryption, ...mac };
  const friendlyName = key.friendlyName ?? leaf.friendlyName;
  const localKeyId = key.localKeyId ?? leaf.localKeyId;
  return {
    privateKey,
    certificate: leaf.der,
    chain: found.certificates.filter((cert) => cert !== leaf).map((cert) => cert.der),
    ...(friendlyName !== undefined && { friendlyName }),
    ...(localKeyId !== undefined && { localKeyId }),
    algorithms,
    form: formOf(algorithms),
  };
}

function importKey(pkcs8: Uint8Array, where: string): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new Pkcs12Error(`malformed private key in the ${where}: ${(error as Error).message}`, { cause: error });
  }
}

function formOf(algorithms: Pkcs12Algorithms): Pkcs12Contents['form'] {
  const { keyEncryption, certEncryption, mac } = algorithms;
  if (keyEncryption === MODERN_PBE && certEncryption === MODERN_PBE && mac === 'HMAC-SHA-256') return 'modern';
  if (keyEncryption === LEGACY_PBE && certEncryption === LEGACY_PBE && mac === 'HMAC-SHA-1') return 'legacy';
  return 'other';
}
