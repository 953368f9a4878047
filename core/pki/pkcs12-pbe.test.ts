import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PKCS8ShroudedKeyBag } from '@peculiar/asn1-pfx';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { decode, encode } from './pkcs12-asn1.js';
import { Pkcs12DecryptionError, Pkcs12Error } from './pkcs12-errors.js';
import { passwordBytes } from './pkcs12-kdf.js';
import { pbeDecrypt, pbeEncrypt, pbeName } from './pkcs12-pbe.js';
import { openssl, removeDir, tempDir } from './pkcs12-openssl-pki.test-support.js';
import { OctetString } from '@peculiar/asn1-schema';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
let dir: string;

beforeAll(() => {
  dir = tempDir();
  writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
});
afterAll(() => removeDir(dir));

/** An EncryptedPrivateKeyInfo written by `openssl pkcs8 -topk8` with `options`. */
function opensslEncrypted(options: string[], password: string): PKCS8ShroudedKeyBag {
  openssl(['pkcs8', '-topk8', '-in', 'key.pem', '-outform', 'DER', '-out', 'enc.der', '-passout', `pass:${password}`, ...options], dir);
  return decode(readFileSync(join(dir, 'enc.der')), PKCS8ShroudedKeyBag, 'test EncryptedPrivateKeyInfo');
}

describe('pbeDecrypt reads what openssl pkcs8 writes', () => {
  const cases: Array<[string[], string]> = [
    [['-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1'], 'PBES2/PBKDF2-HMAC-SHA1/AES-128-CBC'],
    [['-v2', 'aes-192-cbc', '-v2prf', 'hmacWithSHA384'], 'PBES2/PBKDF2-HMAC-SHA384/AES-192-CBC'],
    [['-v2', 'des3', '-v2prf', 'hmacWithSHA1'], 'PBES2/PBKDF2-HMAC-SHA1/DES-EDE3-CBC'],
    [['-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA512'], 'PBES2/PBKDF2-HMAC-SHA512/AES-256-CBC'],
    [['-v1', 'PBE-SHA1-3DES'], 'pbeWithSHAAnd3-KeyTripleDES-CBC'],
    [['-v1', 'PBE-SHA1-2DES'], 'pbeWithSHAAnd2-KeyTripleDES-CBC'],
  ];
  for (const [options, name] of cases) {
    for (const password of ['s3cret', 'pässwörd 中文']) {
      it(`${name} with ${JSON.stringify(password)}`, () => {
        const bag = opensslEncrypted(options, password);
        expect(pbeName(bag.encryptionAlgorithm)).toBe(name);
        const plain = pbeDecrypt(bag.encryptionAlgorithm, passwordBytes(password), new Uint8Array(bag.encryptedData.buffer), 'key');
        expect(Buffer.from(plain).equals(pkcs8)).toBe(true);
      });
    }
  }

  it('refuses RC2 with a message naming the algorithm and the OpenSSL legacy provider', () => {
    openssl(['pkcs8', '-topk8', '-in', 'key.pem', '-outform', 'DER', '-out', 'rc2.der', '-passout', 'pass:x', '-v1', 'PBE-SHA1-RC2-40', '-provider', 'legacy', '-provider', 'default'], dir);
    const bag = decode(readFileSync(join(dir, 'rc2.der')), PKCS8ShroudedKeyBag, 'test');
    const attempt = () => pbeDecrypt(bag.encryptionAlgorithm, passwordBytes('x'), new Uint8Array(bag.encryptedData.buffer), 'key');
    expect(attempt).toThrow(Pkcs12Error);
    expect(attempt).toThrow(/pbeWithSHAAnd40BitRC2-CBC.*OpenSSL legacy provider/);
  });

  it('names unknown algorithms instead of crashing', () => {
    const unknown = new AlgorithmIdentifier({ algorithm: '1.2.3.4', parameters: null });
    expect(() => pbeName(unknown)).toThrow(new Pkcs12Error('unsupported encryption algorithm 1.2.3.4'));
    const pbes1 = new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.5.10', parameters: null });
    expect(() => pbeName(pbes1)).toThrow(/pbeWithSHA1AndDES-CBC/);
  });
});

describe('pbeEncrypt writes what openssl pkcs8 reads', () => {
  for (const scheme of ['pbes2-aes256-sha256', 'pkcs12-3des-sha1'] as const) {
    for (const password of ['s3cret', 'é中', '']) {
      it(`${scheme} with ${JSON.stringify(password)}`, () => {
        const { algorithm, ciphertext } = pbeEncrypt(scheme, passwordBytes(password), 2048, pkcs8);
        writeFileSync(join(dir, 'ours.der'), encode(new PKCS8ShroudedKeyBag({ encryptionAlgorithm: algorithm, encryptedData: new OctetString(ciphertext) })));
        const pem = openssl(['pkcs8', '-inform', 'DER', '-in', 'ours.der', '-passin', `pass:${password}`], dir).stdout;
        expect(Buffer.from(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' })).equals(pkcs8)).toBe(true);
      });
    }
  }

  it('fails a wrong password as a decryption error (or, rarely, with garbage that is not the plaintext)', () => {
    for (const scheme of ['pbes2-aes256-sha256', 'pkcs12-3des-sha1'] as const) {
      const { algorithm, ciphertext } = pbeEncrypt(scheme, passwordBytes('right'), 10, pkcs8);
      try {
        const plain = pbeDecrypt(algorithm, passwordBytes('wrong'), ciphertext, 'key');
        expect(Buffer.from(plain).equals(pkcs8)).toBe(false);
      } catch (error) {
        expect(error).toBeInstanceOf(Pkcs12DecryptionError);
      }
    }
  });
});
