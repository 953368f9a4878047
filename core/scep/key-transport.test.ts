import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { generateKeyPair, type KeyPair } from '../pki/keys.js';
import { FailInfo } from './constants.js';
import {
  decryptContentKey,
  encryptContentKey,
  type KeyTransport,
  keyTransportAlgorithmDer,
  keyTransportFromAlgorithm,
  PKCS1_V1_5,
} from './key-transport.js';
import { runOpenssl } from './openssl-pki.test-support.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const SEED = 7093;
let pair: KeyPair;
let dir: string;

beforeAll(async () => {
  pair = await generateKeyPair({ type: 'rsa', bits: 2048 });
  dir = mkdtempSync(join(tmpdir(), 'mdmca-kt-'));
  writeFileSync(join(dir, 'pub.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** RSA without padding: lets a test put any block, well padded or not, under the key. */
function rawEncrypt(em: Uint8Array): Uint8Array {
  return new Uint8Array(publicEncrypt({ key: pair.publicKey, padding: constants.RSA_NO_PADDING }, em));
}

function pkcs1Block(message: Uint8Array, { type = 2, psLength }: { type?: number; psLength?: number } = {}): Uint8Array {
  const em = new Uint8Array(256);
  const ps = psLength ?? 256 - 3 - message.length;
  em[0] = 0;
  em[1] = type;
  for (let i = 0; i < ps; i++) em[2 + i] = 1 + (i % 250);
  em[2 + ps] = 0;
  em.set(message, 3 + ps);
  return em.subarray(0, 3 + ps + message.length);
}

const OAEP_SHA1: KeyTransport = { scheme: 'rsaes-oaep', hash: 'sha1' };
const OAEP_SHA256: KeyTransport = { scheme: 'rsaes-oaep', hash: 'sha256' };

describe('key transport', () => {
  it('round-trips content keys with PKCS#1 v1.5 and OAEP (SHA-1, SHA-256)', () => {
    fc.assert(
      fc.property(fc.constantFrom(8, 16, 24, 32), fc.constantFrom(PKCS1_V1_5, OAEP_SHA1, OAEP_SHA256), (length, transport) => {
        const key = new Uint8Array(randomBytes(length));
        const encrypted = encryptContentKey(pair.publicKey, transport, key);
        expect(encrypted.byteLength).toBe(256);
        expect(Buffer.from(decryptContentKey(pair.privateKey, transport, encrypted, length))).toEqual(Buffer.from(key));
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('opens keys encrypted by openssl pkeyutl (PKCS#1 v1.5 and OAEP-SHA256)', () => {
    const key = new Uint8Array(randomBytes(16));
    const pkcs1 = runOpenssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem'], dir, key).stdout;
    expect(Buffer.from(decryptContentKey(pair.privateKey, PKCS1_V1_5, pkcs1, 16))).toEqual(Buffer.from(key));
    const oaep = runOpenssl(
      ['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'],
      dir,
      key,
    ).stdout;
    expect(Buffer.from(decryptContentKey(pair.privateKey, OAEP_SHA256, oaep, 16))).toEqual(Buffer.from(key));
  });

  it('accepts a ciphertext whose leading zero octets were dropped', () => {
    // Find a key whose ciphertext starts with 0x00 (about 1 in 256), then strip that octet.
    for (let i = 0; i < 4000; i++) {
      const key = new Uint8Array(randomBytes(16));
      const encrypted = encryptContentKey(pair.publicKey, PKCS1_V1_5, key);
      if (encrypted[0] !== 0) continue;
      expect(Buffer.from(decryptContentKey(pair.privateKey, PKCS1_V1_5, encrypted.subarray(1), 16))).toEqual(Buffer.from(key));
      return;
    }
    throw new Error('no ciphertext with a leading zero in 4000 tries');
  });

  describe('implicit rejection (no padding oracle)', () => {
    const key = new Uint8Array(16).fill(0x5a);
    const bad: Record<string, () => Uint8Array> = {
      'block type 1': () => rawEncrypt(pkcs1Block(key, { type: 1 })),
      'first octet not zero': () => {
        const em = pkcs1Block(key);
        em[0] = 1;
        return rawEncrypt(em.subarray(0, 256));
      },
      'padding string shorter than 8 octets': () => {
        const em = new Uint8Array(256).fill(0x11);
        em[0] = 0;
        em[1] = 2;
        em[5] = 0; // separator after 3 octets of PS
        return rawEncrypt(em);
      },
      'no separator': () => {
        const em = new Uint8Array(256).fill(0x22);
        em[0] = 0;
        em[1] = 2;
        return rawEncrypt(em);
      },
      'valid padding, wrong key length (24 octets where 16 are expected)': () => rawEncrypt(pkcs1Block(new Uint8Array(24).fill(0x5a))),
      'ciphertext not below the modulus': () => new Uint8Array(256).fill(0xff),
      'ciphertext too long': () => new Uint8Array(300).fill(1),
      'random bytes': () => new Uint8Array(randomBytes(256)),
    };

    for (const [name, make] of Object.entries(bad)) {
      it(`${name}: returns a synthetic key, never throws`, () => {
        const ciphertext = make();
        const first = decryptContentKey(pair.privateKey, PKCS1_V1_5, ciphertext, 16);
        expect(first.byteLength).toBe(16);
        expect(Buffer.from(first)).not.toEqual(Buffer.from(key));
        // Deterministic per ciphertext, so a retry learns nothing either.
        expect(Buffer.from(decryptContentKey(pair.privateKey, PKCS1_V1_5, ciphertext, 16))).toEqual(Buffer.from(first));
      });
    }

    it('gives different ciphertexts different synthetic keys, of the expected length', () => {
      const a = decryptContentKey(pair.privateKey, PKCS1_V1_5, bad['no separator']!(), 24);
      const b = decryptContentKey(pair.privateKey, PKCS1_V1_5, bad['block type 1']!(), 24);
      expect(a.byteLength).toBe(24);
      expect(Buffer.from(a)).not.toEqual(Buffer.from(b));
    });

    it('treats a well-formed block as valid (control)', () => {
      expect(Buffer.from(decryptContentKey(pair.privateKey, PKCS1_V1_5, rawEncrypt(pkcs1Block(key)), 16))).toEqual(Buffer.from(key));
    });

    it('does the same for OAEP', () => {
      const synthetic = decryptContentKey(pair.privateKey, OAEP_SHA1, new Uint8Array(randomBytes(256)), 16);
      expect(synthetic.byteLength).toBe(16);
      // A valid PKCS#1 v1.5 ciphertext is not a valid OAEP one.
      const wrongScheme = encryptContentKey(pair.publicKey, PKCS1_V1_5, key);
      expect(Buffer.from(decryptContentKey(pair.privateKey, OAEP_SHA1, wrongScheme, 16))).not.toEqual(Buffer.from(key));
    });
  });

  it('reads and writes the keyEncryptionAlgorithm identifiers', () => {
    const read = (der: Uint8Array) => {
      const id = AsnConvert.parse(der, AlgorithmIdentifier);
      return keyTransportFromAlgorithm(id.algorithm, id.parameters);
    };
    expect(read(keyTransportAlgorithmDer(PKCS1_V1_5))).toEqual(PKCS1_V1_5);
    expect(read(keyTransportAlgorithmDer(OAEP_SHA256))).toEqual(OAEP_SHA256);
    expect(read(keyTransportAlgorithmDer(OAEP_SHA1))).toEqual(OAEP_SHA1);
    const labelled: KeyTransport = { scheme: 'rsaes-oaep', hash: 'sha256', label: new Uint8Array([1, 2, 3]) };
    expect(read(keyTransportAlgorithmDer(labelled))).toEqual(labelled);
    // NDES writes RSAES-OAEP with an empty parameter SEQUENCE: all defaults, SHA-1.
    expect(keyTransportFromAlgorithm('1.2.840.113549.1.1.7', new Uint8Array([0x30, 0x00]).buffer)).toEqual(OAEP_SHA1);
    expect(() => keyTransportFromAlgorithm('1.2.840.113549.1.1.11', null)).toThrow(expect.objectContaining({ failInfo: FailInfo.badAlg }));
    const labelWithKey = encryptContentKey(pair.publicKey, labelled, key16());
    expect(Buffer.from(decryptContentKey(pair.privateKey, labelled, labelWithKey, 16))).toEqual(Buffer.from(key16()));
  });

  it('refuses EC keys with badAlg', async () => {
    const ec = await generateKeyPair({ type: 'ec', curve: 'P-256' });
    expect(() => encryptContentKey(ec.publicKey, PKCS1_V1_5, key16())).toThrow(expect.objectContaining({ failInfo: FailInfo.badAlg }));
    expect(() => decryptContentKey(ec.privateKey, PKCS1_V1_5, new Uint8Array(64), 16)).toThrow(expect.objectContaining({ failInfo: FailInfo.badAlg }));
    expect(createPublicKey(ec.privateKey).asymmetricKeyType).toBe('ec');
  });
});

function key16(): Uint8Array {
  return new Uint8Array(16).fill(0x42);
}
