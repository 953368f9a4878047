/** Interoperability with the openssl CLI, both directions: what we write, openssl reads; what openssl writes, we read. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContentInfo } from '@peculiar/asn1-cms';
import { AuthenticatedSafe, id_certBag, id_pkcs8ShroudedKeyBag, SafeBag, SafeContents } from '@peculiar/asn1-pfx';
import { decode, decodeOctetString, encode, encodeOctetString, Pfx, PKCS12_OID, toArrayBuffer } from './pkcs12-asn1.js';
import { parsePem } from './pem.js';
import { buildPkcs12, parsePkcs12, Pkcs12Error, Pkcs12PasswordError, type Pkcs12Contents } from './pkcs12.js';
import { makeTestPki, openssl, removeDir, tempDir, type TestPki } from './pkcs12-openssl-pki.test-support.js';

const MODERN = 'PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC';
const LEGACY = 'pbeWithSHAAnd3-KeyTripleDES-CBC';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const spki = (key: KeyObject) => hex(createPublicKey(key).export({ type: 'spki', format: 'der' }));
const sha1 = (der: Uint8Array) => new Uint8Array(createHash('sha1').update(der).digest());

/** A fresh directory for one test's files. */
function testDir(): string {
  const path = tempDir();
  cleanups.push(path);
  return path;
}
const cleanups: string[] = [];
afterAll(() => cleanups.forEach(removeDir));

for (const keyType of ['rsa', 'ec'] as const) {
  describe(`${keyType} key`, () => {
    let pki: TestPki;
    beforeAll(() => {
      pki = makeTestPki(keyType);
    });
    afterAll(() => removeDir(pki.dir));

    describe('openssl reads what we write', () => {
      const info = {
        modern: ['MAC: sha256, Iteration 2048', 'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256', 'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256'],
        legacy: ['MAC: sha1, Iteration 2048', 'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048', 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048'],
      };
      for (const form of ['modern', 'legacy'] as const) {
        for (const chainLength of [1, 3]) {
          it(`${form}, ${chainLength} certificate(s): same key and certificates, expected algorithms`, () => {
            const cwd = testDir();
            const chain = chainLength === 3 ? pki.chain : [];
            writeFileSync(join(cwd, 'ours.p12'), buildPkcs12({ privateKey: pki.leafKey, certificate: pki.leaf, chain, password: 'secret', friendlyName: 'Device 42', form }));
            const { stdout, stderr } = openssl(['pkcs12', '-in', 'ours.p12', '-passin', 'pass:secret', '-nodes', '-info'], cwd);
            const blocks = parsePem(stdout);
            const key = blocks.find((b) => b.label === 'PRIVATE KEY');
            expect(spki(createPrivateKey({ key: Buffer.from(key!.der), format: 'der', type: 'pkcs8' }))).toBe(spki(pki.leafKey));
            const certs = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => hex(b.der));
            expect(certs).toEqual([pki.leaf, ...chain].map(hex));
            for (const line of info[form]) expect(stderr).toContain(line);
            // localKeyID on the key and the leaf only, and it is SHA-1 of the leaf.
            const keyId = hex(sha1(pki.leaf)).toUpperCase().replace(/(..)/g, '$1 ').trim();
            expect(stdout.split(`localKeyID: ${keyId}`).length - 1).toBe(2);
            expect(stdout.split('localKeyID').length - 1).toBe(2);
            expect(stdout.split('friendlyName: Device 42').length - 1).toBe(2);
          });
        }
        for (const password of ['é中', '', 'pässwörd 😀']) {
          it(`${form} with password ${JSON.stringify(password)}`, () => {
            const cwd = testDir();
            writeFileSync(join(cwd, 'ours.p12'), buildPkcs12({ privateKey: pki.leafKey, certificate: pki.leaf, password, form }));
            const { stdout } = openssl(['pkcs12', '-in', 'ours.p12', '-passin', `pass:${password}`, '-nodes'], cwd);
            expect(spki(createPrivateKey(stdout))).toBe(spki(pki.leafKey));
            expect(() => openssl(['pkcs12', '-in', 'ours.p12', '-passin', 'pass:wrong', '-nodes'], cwd)).toThrow(/mac verify error/i);
          });
        }
      }
    });

    describe('we read what openssl writes', () => {
      /** `openssl pkcs12 -export` of the test PKI with `extra` options; the file's DER. */
      const exportWith = (extra: string[], password = 'secret'): Uint8Array => {
        const cwd = testDir();
        const args = ['pkcs12', '-export', '-inkey', pki.files.key, '-in', pki.files.cert, '-certfile', pki.files.chain];
        openssl([...args, '-name', 'Device 42', '-passout', `pass:${password}`, '-out', 'theirs.p12', ...extra], cwd);
        return readFileSync(join(cwd, 'theirs.p12'));
      };
      const expectContents = (parsed: Pkcs12Contents) => {
        expect(spki(parsed.privateKey)).toBe(spki(pki.leafKey));
        expect(hex(parsed.certificate)).toBe(hex(pki.leaf));
        expect(parsed.chain.map(hex)).toEqual(pki.chain.map(hex));
        expect(parsed.friendlyName).toBe('Device 42');
        expect(hex(parsed.localKeyId!)).toBe(hex(sha1(pki.leaf)));
      };

      const variants: Array<{ name: string; args: string[]; key: string; cert: string; mac: string; macIterations: number; form: string }> = [
        { name: 'OpenSSL 3 defaults', args: [], key: MODERN, cert: MODERN, mac: 'HMAC-SHA-256', macIterations: 2048, form: 'modern' },
        { name: '3DES and SHA-1 MAC', args: ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], key: LEGACY, cert: LEGACY, mac: 'HMAC-SHA-1', macIterations: 2048, form: 'legacy' },
        { name: 'unencrypted certificates', args: ['-certpbe', 'NONE'], key: MODERN, cert: 'none', mac: 'HMAC-SHA-256', macIterations: 2048, form: 'other' },
        { name: 'PBES2 AES-128-CBC', args: ['-certpbe', 'AES-128-CBC', '-keypbe', 'AES-128-CBC'], key: 'PBES2/PBKDF2-HMAC-SHA256/AES-128-CBC', cert: 'PBES2/PBKDF2-HMAC-SHA256/AES-128-CBC', mac: 'HMAC-SHA-256', macIterations: 2048, form: 'other' },
        { name: 'PBES2 DES-EDE3-CBC', args: ['-certpbe', 'DES-EDE3-CBC', '-keypbe', 'DES-EDE3-CBC'], key: 'PBES2/PBKDF2-HMAC-SHA256/DES-EDE3-CBC', cert: 'PBES2/PBKDF2-HMAC-SHA256/DES-EDE3-CBC', mac: 'HMAC-SHA-256', macIterations: 2048, form: 'other' },
        { name: 'unencrypted keyBag', args: ['-keypbe', 'NONE'], key: 'none', cert: MODERN, mac: 'HMAC-SHA-256', macIterations: 2048, form: 'other' },
        // openssl -nomac also leaves the certificates unencrypted.
        { name: 'no MAC', args: ['-nomac'], key: MODERN, cert: 'none', mac: 'none', macIterations: 0, form: 'other' },
        { name: 'nothing encrypted, no MAC', args: ['-keypbe', 'NONE', '-certpbe', 'NONE', '-nomac'], key: 'none', cert: 'none', mac: 'none', macIterations: 0, form: 'other' },
        { name: 'SHA-512 MAC, 10000 iterations, MAC iteration 1', args: ['-macalg', 'sha512', '-iter', '10000', '-nomaciter'], key: MODERN, cert: MODERN, mac: 'HMAC-SHA-512', macIterations: 1, form: 'other' },
      ];
      for (const variant of variants) {
        it(`${variant.name} (${variant.args.join(' ') || 'no options'})`, () => {
          const parsed = parsePkcs12(exportWith(variant.args), 'secret');
          expectContents(parsed);
          const { key, cert, mac, macIterations, form } = variant;
          expect(parsed.algorithms).toEqual({ keyEncryption: key, certEncryption: cert, mac, macIterations });
          expect(parsed.form).toBe(form);
        });
      }

      it('a wrong password fails the MAC with the text users see', () => {
        const der = exportWith([]);
        expect(() => parsePkcs12(der, 'Secret')).toThrow(Pkcs12PasswordError);
        expect(() => parsePkcs12(der, 'Secret')).toThrow('MAC verification failed: wrong password or corrupted file');
      });

      it('without a MAC, a wrong password fails decryption as a Pkcs12PasswordError', () => {
        const der = exportWith(['-nomac']);
        expect(() => parsePkcs12(der, 'Secret')).toThrow(new Pkcs12PasswordError('decryption failed: wrong password or corrupted file'));
        // Nothing encrypted and no MAC: there is nothing a password could protect.
        expectContents(parsePkcs12(exportWith(['-nomac', '-keypbe', 'NONE', '-certpbe', 'NONE']), 'anything'));
      });

      it('RC2 certificates (openssl -legacy, Windows) fail with a Pkcs12Error naming RC2 and the legacy provider', () => {
        const der = exportWith(['-legacy']);
        expect(() => parsePkcs12(der, 'secret')).toThrow(Pkcs12Error);
        expect(() => parsePkcs12(der, 'secret')).toThrow(/cannot decrypt pbeWithSHAAnd40BitRC2-CBC: .*needs the OpenSSL legacy provider/);
        // The MAC is checked first: a wrong password is reported as such, not as RC2.
        expect(() => parsePkcs12(der, 'wrong')).toThrow(Pkcs12PasswordError);
      });

      for (const password of ['é中', '']) {
        it(`password ${JSON.stringify(password)}`, () => {
          expectContents(parsePkcs12(exportWith([], password), password));
          expectContents(parsePkcs12(exportWith(['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], password), password));
        });
      }

      it('a non-ASCII password as OpenSSL before 1.1.0 encoded it (UTF-8 bytes widened)', () => {
        // openssl 3 encodes "Ã©" as 00 C3 00 A9, which is what OpenSSL < 1.1.0 made of "é" (UTF-8 C3 A9).
        const old = exportWith(['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], 'Ã©');
        expectContents(parsePkcs12(old, 'é'));
      });

      it('PBES2 with hmacWithSHA1 (openssl pkcs8 -v2prf hmacWithSHA1 in the shrouded key bag)', () => {
        const cwd = testDir();
        openssl(['pkcs8', '-topk8', '-in', pki.files.key, '-outform', 'DER', '-out', 'key.der', '-passout', 'pass:secret', '-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1'], cwd);
        const shrouded = readFileSync(join(cwd, 'key.der'));
        const der = rewriteUnprotected(exportWith(['-certpbe', 'NONE', '-nomac']), (bags) =>
          bags.map((bag) => (bag.bagId === id_pkcs8ShroudedKeyBag ? new SafeBag({ ...bag, bagValue: toArrayBuffer(shrouded) }) : bag)),
        );
        const parsed = parsePkcs12(der, 'secret');
        expectContents(parsed);
        expect(parsed.algorithms.keyEncryption).toBe('PBES2/PBKDF2-HMAC-SHA1/AES-128-CBC');
      });

      it('without localKeyId, the leaf is the certificate with the key’s public key, wherever it is', () => {
        const der = rewriteUnprotected(exportWith(['-keypbe', 'NONE', '-certpbe', 'NONE', '-nomac']), (bags) =>
          [...bags].reverse().map((bag) => new SafeBag({ bagId: bag.bagId, bagValue: bag.bagValue })),
        );
        const parsed = parsePkcs12(der, '');
        expect(hex(parsed.certificate)).toBe(hex(pki.leaf));
        expect(parsed.chain.map(hex)).toEqual([...pki.chain].reverse().map(hex));
        expect(parsed.localKeyId).toBeUndefined();
        expect(parsed.friendlyName).toBeUndefined();
      });
    });
  });
}

/**
 * Rewrites the bags of a PFX that has no MAC and no EncryptedData (all safes plain Data), putting every bag in one safe.
 * For building inputs openssl cannot make.
 */
function rewriteUnprotected(der: Uint8Array, rewrite: (bags: SafeBag[]) => SafeBag[]): Uint8Array {
  const pfx = decode(der, Pfx, 'test PFX');
  const safes = decode(decodeOctetString(pfx.authSafe.content, 'test'), AuthenticatedSafe, 'test');
  const bags: SafeBag[] = [];
  for (const safe of safes) {
    expect(safe.contentType).toBe(PKCS12_OID.data);
    bags.push(...decode(decodeOctetString(safe.content, 'test'), SafeContents, 'test'));
  }
  expect(bags.some((bag) => bag.bagId === id_certBag)).toBe(true);
  const data = (bytes: Uint8Array) => new ContentInfo({ contentType: PKCS12_OID.data, content: toArrayBuffer(encodeOctetString(bytes)) });
  const authSafe = encode(new AuthenticatedSafe([data(encode(new SafeContents(rewrite(bags))))]));
  const out = new Pfx();
  out.authSafe = data(authSafe);
  return encode(out);
}
