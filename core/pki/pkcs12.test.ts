import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPkcs12, parsePkcs12, Pkcs12Error, Pkcs12PasswordError, type Pkcs12BuildForm } from './pkcs12.js';
import { decode, decodeOctetString, encode, Pfx } from './pkcs12-asn1.js';
import { passwordBytes } from './pkcs12-kdf.js';
import { buildMacData } from './pkcs12-mac.js';
import { makeTestPki, openssl, removeDir, tempDir, type TestPki } from './pkcs12-openssl-pki.test-support.js';

const SEED = 7292;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const spki = (key: KeyObject) => hex(createPublicKey(key).export({ type: 'spki', format: 'der' }));
const FORMS: Pkcs12BuildForm[] = ['modern', 'legacy'];

let rsa: TestPki;
let ec: TestPki;
beforeAll(() => {
  rsa = makeTestPki('rsa');
  ec = makeTestPki('ec');
});
afterAll(() => {
  removeDir(rsa.dir);
  removeDir(ec.dir);
});

describe('buildPkcs12 → parsePkcs12', () => {
  for (const form of FORMS) {
    it(`${form}: key, leaf, chain, friendlyName, localKeyId and algorithms come back`, () => {
      for (const pki of [rsa, ec]) {
        const der = buildPkcs12({ privateKey: pki.leafKey, certificate: pki.leaf, chain: pki.chain, password: 'pw', friendlyName: 'Ünïcode 名前', form });
        const parsed = parsePkcs12(der, 'pw');
        expect(spki(parsed.privateKey)).toBe(spki(pki.leafKey));
        expect(parsed.privateKey.type).toBe('private');
        expect(hex(parsed.certificate)).toBe(hex(pki.leaf));
        expect(parsed.chain.map(hex)).toEqual(pki.chain.map(hex));
        expect(parsed.friendlyName).toBe('Ünïcode 名前');
        expect(hex(parsed.localKeyId!)).toBe(createHash('sha1').update(pki.leaf).digest('hex'));
        expect(parsed.form).toBe(form);
        expect(parsed.algorithms).toEqual(
          form === 'modern'
            ? { keyEncryption: 'PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC', certEncryption: 'PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC', mac: 'HMAC-SHA-256', macIterations: 2048 }
            : { keyEncryption: 'pbeWithSHAAnd3-KeyTripleDES-CBC', certEncryption: 'pbeWithSHAAnd3-KeyTripleDES-CBC', mac: 'HMAC-SHA-1', macIterations: 2048 },
        );
      }
    });
  }

  it('round-trips any password, friendly name, form and iteration count (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 24, unit: 'binary' }),
        fc.option(fc.string({ maxLength: 24, unit: 'binary' }), { nil: undefined }),
        fc.constantFrom(...FORMS),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (password, friendlyName, form, iterations, useEc) => {
          const pki = useEc ? ec : rsa;
          const der = buildPkcs12({ privateKey: pki.leafKey, certificate: pki.leaf, chain: pki.chain.slice(0, 1), password, friendlyName, form, iterations });
          const parsed = parsePkcs12(der, password);
          expect(spki(parsed.privateKey)).toBe(spki(pki.leafKey));
          expect(hex(parsed.certificate)).toBe(hex(pki.leaf));
          expect(parsed.chain.map(hex)).toEqual([hex(pki.chain[0]!)]);
          expect(parsed.friendlyName).toBe(friendlyName);
          expect(parsed.algorithms.macIterations).toBe(iterations);
          expect(parsed.form).toBe(form);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('writes fresh salts and IVs every time', () => {
    const build = () => buildPkcs12({ privateKey: ec.leafKey, certificate: ec.leaf, password: 'pw', form: 'modern', iterations: 1 });
    expect(hex(build())).not.toBe(hex(build()));
  });
});

describe('buildPkcs12 refuses bad input', () => {
  it('a certificate that is not the key’s', () => {
    expect(() => buildPkcs12({ privateKey: rsa.leafKey, certificate: ec.leaf, password: 'pw', form: 'modern' })).toThrow(
      new Pkcs12Error("the certificate's public key does not match the private key"),
    );
  });
  it('a certificate that is not DER', () => {
    expect(() => buildPkcs12({ privateKey: rsa.leafKey, certificate: new Uint8Array([1, 2, 3]), password: 'pw', form: 'legacy' })).toThrow(
      /^malformed certificate/,
    );
  });
  it('a chain entry that is not a certificate', () => {
    expect(() => buildPkcs12({ privateKey: ec.leafKey, certificate: ec.leaf, chain: [ec.chain[0]!, new Uint8Array([0x30, 0])], password: 'pw', form: 'modern' })).toThrow(
      /^malformed chain certificate 2/,
    );
  });
  it('an iteration count out of range, a public key, an unknown form', () => {
    const base = { privateKey: ec.leafKey, certificate: ec.leaf, password: 'pw', form: 'modern' as const };
    expect(() => buildPkcs12({ ...base, iterations: 0 })).toThrow(/iteration count 0/);
    expect(() => buildPkcs12({ ...base, iterations: 1.5 })).toThrow(Pkcs12Error);
    expect(() => buildPkcs12({ ...base, privateKey: createPublicKey(ec.leafKey) })).toThrow('privateKey must be a private KeyObject');
    expect(() => buildPkcs12({ ...base, form: 'pkcs12' as Pkcs12BuildForm })).toThrow(/unknown PKCS#12 form "pkcs12"/);
  });
});

describe('parsePkcs12 failures', () => {
  for (const form of FORMS) {
    it(`${form}: a wrong password is a Pkcs12PasswordError with the MAC text`, () => {
      const der = buildPkcs12({ privateKey: rsa.leafKey, certificate: rsa.leaf, password: 'right', form });
      for (const wrong of ['wrong', 'Right', '', 'right ']) {
        expect(() => parsePkcs12(der, wrong)).toThrow(new Pkcs12PasswordError('MAC verification failed: wrong password or corrupted file'));
      }
    });
  }

  it('a damaged byte under the MAC reads as "wrong password or corrupted file"; a truncated file as malformed', () => {
    const der = buildPkcs12({ privateKey: ec.leafKey, certificate: ec.leaf, password: 'pw', form: 'modern' });
    const damaged = Uint8Array.from(der);
    damaged[Math.floor(der.length / 2)]! ^= 0x01;
    expect(() => parsePkcs12(damaged, 'pw')).toThrow(Pkcs12PasswordError);
    const truncated = der.subarray(0, der.length - 10);
    expect(() => parsePkcs12(truncated, 'pw')).toThrow(/^malformed PFX/);
    expect(() => parsePkcs12(new Uint8Array(0), 'pw')).toThrow(/^malformed PFX/);
  });

  it('a MAC password that differs from the encryption password (openssl -twopass) is damage, not a wrong password', () => {
    const der = buildPkcs12({ privateKey: ec.leafKey, certificate: ec.leaf, password: 'encryption', form: 'legacy', iterations: 3 });
    const pfx = decode(der, Pfx, 'test');
    pfx.macData = buildMacData('sha1', passwordBytes('mac'), 3, decodeOctetString(pfx.authSafe.content, 'test'));
    const twoPasswords = encode(pfx);
    expect(() => parsePkcs12(twoPasswords, 'encryption')).toThrow(Pkcs12PasswordError);
    expect(() => parsePkcs12(twoPasswords, 'mac')).toThrow(/^cannot decrypt .*although the MAC verified: the file has a separate encryption password/);
    expect(() => parsePkcs12(twoPasswords, 'mac')).not.toThrow(Pkcs12PasswordError);
  });

  it('a PFX without a private key', () => {
    const dir = tempDir();
    try {
      openssl(['pkcs12', '-export', '-nokeys', '-in', rsa.files.cert, '-passout', 'pass:pw', '-out', 'nokey.p12'], dir);
      expect(() => parsePkcs12(readFileSync(join(dir, 'nokey.p12')), 'pw')).toThrow(new Pkcs12Error('no private key in the PFX'));
    } finally {
      removeDir(dir);
    }
  });

  it('arbitrary bytes yield only Pkcs12Error (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => expectOnlyPkcs12Errors(bytes)),
      { seed: SEED, numRuns: 1000 },
    );
    // Plausible starts: a SEQUENCE header with random content.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (body) => expectOnlyPkcs12Errors(Uint8Array.from([0x30, 0x82, body.length >> 8, body.length & 0xff, ...body]))),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('mutated valid files yield a result or only Pkcs12Error / Pkcs12PasswordError (property)', () => {
    const seeds = [
      buildPkcs12({ privateKey: ec.leafKey, certificate: ec.leaf, chain: ec.chain, password: 'pw', form: 'modern', iterations: 1 }),
      buildPkcs12({ privateKey: ec.leafKey, certificate: ec.leaf, password: 'pw', friendlyName: 'x', form: 'legacy', iterations: 1 }),
      opensslExport(['-keypbe', 'NONE', '-certpbe', 'NONE', '-nomac'], 'plain.p12'),
      // -iter also sets the MAC iterations, so -nomac must come after it.
      opensslExport(['-iter', '1', '-nomac'], 'nomac.p12'),
      opensslExport(['-iter', '1', '-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-nomac'], 'nomac3des.p12'),
    ];
    // Byte changes keep the outer lengths intact and so reach deeper than cuts and insertions.
    const mutation = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x04, 0xa0) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 1, max: 255 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), byte: fc.constant(0) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }) },
    );
    fc.assert(
      fc.property(fc.constantFrom(...seeds.keys()), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
        let bytes = Uint8Array.from(seeds[which]!);
        for (const { kind, at, byte } of mutations) {
          const i = at % bytes.length;
          if (kind === 'set') bytes[i] = byte;
          else if (kind === 'flip') bytes[i]! ^= byte;
          else if (kind === 'cut') bytes = bytes.slice(0, i);
          else bytes = Uint8Array.from([...bytes.subarray(0, i), byte, ...bytes.subarray(i)]);
          if (bytes.length === 0) break;
        }
        expectOnlyPkcs12Errors(bytes);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});

describe('timings at 2048 iterations (RSA-2048 leaf, chain of 3)', () => {
  it('reports the median build and parse time of each form', () => {
    const runs = 15;
    const median = (f: () => unknown) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        f();
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
    };
    const lines: string[] = [];
    for (const form of FORMS) {
      const options = { privateKey: rsa.leafKey, certificate: rsa.leaf, chain: rsa.chain, password: 'pw', form };
      const der = buildPkcs12(options);
      const build = median(() => buildPkcs12(options));
      const parse = median(() => parsePkcs12(der, 'pw'));
      lines.push(`${form}: build ${build.toFixed(2)} ms, parse ${parse.toFixed(2)} ms (median of ${runs})`);
      expect(build).toBeLessThan(500);
      expect(parse).toBeLessThan(500);
    }
    console.log(`PKCS#12 timings\n  ${lines.join('\n  ')}`);
  });
});

function opensslExport(extra: string[], name: string): Uint8Array {
  const dir = tempDir();
  try {
    const args = ['pkcs12', '-export', '-inkey', ec.files.key, '-in', ec.files.cert, '-certfile', ec.files.chain, '-name', 'n'];
    openssl([...args, '-passout', 'pass:pw', '-out', name, ...extra], dir);
    return readFileSync(join(dir, name));
  } finally {
    removeDir(dir);
  }
}

function expectOnlyPkcs12Errors(bytes: Uint8Array): void {
  try {
    parsePkcs12(bytes, 'pw');
  } catch (error) {
    if (!(error instanceof Pkcs12Error) || ![Pkcs12Error, Pkcs12PasswordError].includes(error.constructor as typeof Pkcs12Error)) {
      throw new Error(`not a Pkcs12Error for ${hex(bytes).slice(0, 200)}…: ${String(error)}`, { cause: error });
    }
  }
}

// Keeps a generated key type visible in this file's imports for readers; the PKI comes from openssl.
void generateKeyPairSync;
