import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cipherByOid, CONTENT_CIPHER_NAMES, CONTENT_CIPHERS, decryptContent, encryptContent } from './ciphers.js';
import { FailInfo } from './constants.js';
import { ENVELOPE_DECRYPTION_FAILED, ScepError } from './errors.js';
import { hasLegacyProvider, runOpenssl } from './openssl-pki.test-support.js';

const SEED = 8894;
const legacy = { allowLegacyCiphers: true };

describe('content ciphers', () => {
  it('round-trips every cipher on arbitrary content', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CONTENT_CIPHER_NAMES), fc.uint8Array({ maxLength: 300 }), (name, plaintext) => {
        const cipher = CONTENT_CIPHERS[name];
        const encrypted = encryptContent(cipher, plaintext, legacy);
        expect(encrypted.key.byteLength).toBe(cipher.keyLength);
        expect(encrypted.iv.byteLength).toBe(cipher.ivLength);
        expect(encrypted.ciphertext.byteLength % cipher.ivLength).toBe(0);
        expect(Buffer.from(decryptContent(cipher, encrypted.key, encrypted.iv, encrypted.ciphertext, legacy))).toEqual(Buffer.from(plaintext));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('maps OIDs both ways and answers badAlg for unknown ones (AES-GCM)', () => {
    for (const name of CONTENT_CIPHER_NAMES) expect(cipherByOid(CONTENT_CIPHERS[name].oid).name).toBe(name);
    expect(() => cipherByOid('2.16.840.1.101.3.4.1.6')).toThrow(expect.objectContaining({ failInfo: FailInfo.badAlg }));
  });

  it('refuses 3DES and DES unless legacy ciphers are allowed, and flags them', () => {
    for (const name of ['des-ede3-cbc', 'des-cbc'] as const) {
      const cipher = CONTENT_CIPHERS[name];
      expect(cipher.legacy).toBe(true);
      expect(() => encryptContent(cipher, new Uint8Array(8), {})).toThrow(ScepError);
      const encrypted = encryptContent(cipher, new Uint8Array(8), legacy);
      try {
        decryptContent(cipher, encrypted.key, encrypted.iv, encrypted.ciphertext, {});
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ScepError);
        expect((error as ScepError).failInfo).toBe(FailInfo.badAlg);
      }
    }
    expect(CONTENT_CIPHERS['aes-128-cbc'].legacy).toBe(false);
  });

  it('decrypts the FIPS 81 single-DES CBC example', () => {
    // FIPS PUB 81 Appendix C: key 0123456789abcdef, IV 1234567890abcdef, "Now is the time for all ".
    const key = Buffer.from('0123456789abcdef', 'hex');
    const iv = Buffer.from('1234567890abcdef', 'hex');
    const vector = Buffer.from('e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6', 'hex');
    // CMS content carries PKCS#7 padding: append the encrypted padding block (08 x 8, chained on the last block).
    const padder = createCipheriv('des-ede3-cbc', Buffer.concat([key, key, key]), vector.subarray(16)).setAutoPadding(false);
    const padding = padder.update(Buffer.alloc(8, 8));
    const plaintext = decryptContent(CONTENT_CIPHERS['des-cbc'], key, iv, Buffer.concat([vector, padding]), legacy);
    expect(Buffer.from(plaintext).toString()).toBe('Now is the time for all ');
  });

  it.skipIf(!hasLegacyProvider())('agrees with openssl enc -des-cbc (legacy provider)', () => {
    const plaintext = new Uint8Array(Buffer.from('SCEP single DES interop, 40 bytes long!!'));
    const ours = encryptContent(CONTENT_CIPHERS['des-cbc'], plaintext, legacy);
    const { stdout } = runOpenssl(
      ['enc', '-des-cbc', '-provider', 'legacy', '-provider', 'default', '-K', Buffer.from(ours.key).toString('hex'), '-iv', Buffer.from(ours.iv).toString('hex')],
      process.cwd(),
      plaintext,
    );
    expect(Buffer.from(ours.ciphertext)).toEqual(stdout);
  });

  it('fails every bad decryption the same way: badMessageCheck with one text', () => {
    const cipher = CONTENT_CIPHERS['aes-128-cbc'];
    const encrypted = encryptContent(cipher, new Uint8Array(40).fill(7), {});
    const attempts = [
      () => decryptContent(cipher, new Uint8Array(16), encrypted.iv, encrypted.ciphertext, {}),
      () => decryptContent(cipher, encrypted.key.subarray(0, 8), encrypted.iv, encrypted.ciphertext, {}),
      () => decryptContent(cipher, encrypted.key, encrypted.iv, encrypted.ciphertext.subarray(0, 20), {}),
      () => decryptContent(cipher, encrypted.key, encrypted.iv, new Uint8Array(0), {}),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(ScepError);
      try {
        attempt();
      } catch (error) {
        expect((error as ScepError).failInfo).toBe(FailInfo.badMessageCheck);
        expect((error as ScepError).failInfoText).toBe(ENVELOPE_DECRYPTION_FAILED);
      }
    }
  });
});
