import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { generateKeyPair, spkiDer, type KeySpec } from './keys.js';
import { keyIdentifierOfSpki } from './extensions.js';
import { publicKeyInfo } from './public-key-info.js';

const SPECS: KeySpec[] = [
  { type: 'rsa', bits: 2048 },
  { type: 'ec', curve: 'P-256' },
  { type: 'ec', curve: 'P-384' },
];

describe('publicKeyInfo', () => {
  for (const spec of SPECS) {
    it(`matches OpenSSL's SPKI encoding and key identifier for ${JSON.stringify(spec)}`, async () => {
      for (let i = 0; i < 5; i++) {
        const { publicKey, privateKey } = await generateKeyPair(spec);
        const info = publicKeyInfo(publicKey);
        expect(Buffer.from(info.spki).equals(spkiDer(publicKey))).toBe(true);
        expect(Buffer.from(publicKeyInfo(privateKey).spki).equals(spkiDer(publicKey))).toBe(true);
        expect(Buffer.from(createHash('sha1').update(info.subjectPublicKey).digest()).equals(keyIdentifierOfSpki(info.spki))).toBe(true);
      }
    });
  }
});
