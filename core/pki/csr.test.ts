import { execFileSync } from 'node:child_process';
import { MICROMDM_FIXTURES, sharedFixturesMissing } from '../../fixtures/shared-fixtures.js';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildCsr, CsrError, parseCsr } from './csr.js';
import { generateKeyPair, type KeyPair, spkiDer } from './keys.js';
import { DistinguishedName } from './names.js';
import { toPem } from './pem.js';

const dir = mkdtempSync(join(tmpdir(), 'mdmca-csr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }).toString();

let ec: KeyPair;
let rsa: KeyPair;
beforeAll(async () => {
  ec = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  rsa = await generateKeyPair({ type: 'rsa', bits: 2048 });
});

const CONFIG = `[req]
prompt = no
distinguished_name = dn
attributes = attrs
req_extensions = ext
[dn]
C = US
O = Example
CN = device-42
[attrs]
challengePassword = s3cret-Challenge
[ext]
subjectAltName = DNS:a.example,email:u@example.com,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@example.com
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
`;

describe('reading openssl CSRs', () => {
  it('RSA without attributes', () => {
    openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-subj', '/C=US/O=Example/CN=plain', '-outform', 'DER', '-out', 'plain.der');
    const csr = parseCsr(readFileSync(join(dir, 'plain.der')));
    expect(csr.verify()).toBe(true);
    expect(csr.subject.toString()).toBe('CN=plain,O=Example,C=US');
    expect(csr.keySpec).toEqual({ type: 'rsa', bits: 2048 });
    expect(csr.signatureScheme).toEqual({ keyType: 'rsa', hash: 'sha256' });
    expect(csr.challengePassword).toBeUndefined();
    expect(csr.extensions.all).toEqual([]);
    const pub = openssl('req', '-in', 'plain.der', '-inform', 'DER', '-pubkey', '-noout');
    expect(Buffer.from(csr.spkiDer).equals(spkiDer(createPublicKey(pub)))).toBe(true);
  });

  it('EC with challengePassword and requested extensions, PEM', () => {
    writeFileSync(join(dir, 'req.cnf'), CONFIG);
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'k.pem', '-config', 'req.cnf', '-sha384', '-out', 'ext.pem');
    const csr = parseCsr(readFileSync(join(dir, 'ext.pem'), 'utf8'));
    expect(csr.verify()).toBe(true);
    expect(csr.keySpec).toEqual({ type: 'ec', curve: 'P-384' });
    expect(csr.signatureScheme).toEqual({ keyType: 'ec', hash: 'sha384' });
    expect(csr.subject.toOpenSsl()).toBe('/C=US/O=Example/CN=device-42');
    expect(csr.challengePassword).toBe('s3cret-Challenge');
    expect(csr.extensions.subjectAltNames).toEqual([
      { type: 'dns', value: 'a.example' },
      { type: 'email', value: 'u@example.com' },
      { type: 'upn', value: 'u@example.com' },
    ]);
    expect(csr.extensions.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(csr.extensions.extendedKeyUsage).toEqual(['clientAuth']);
    expect(csr.attributes.map((a) => a.type).sort()).toEqual(['1.2.840.113549.1.9.14', '1.2.840.113549.1.9.7']);
  });
});

describe('reading real requests', () => {
  it.skipIf(sharedFixturesMissing !== undefined)("the iOS-style CSR inside micromdm's PKCSReq fixture (version 2, RSA-1024, SHA-1)", () => {
    const fixtures = MICROMDM_FIXTURES;
    // Unwrap the SCEP envelope with openssl: the SCEP codec is not this module's business.
    openssl('cms', '-verify', '-noverify', '-in', join(fixtures, 'PKCSReq.der'), '-inform', 'DER', '-out', 'env.der');
    openssl('cms', '-decrypt', '-in', 'env.der', '-inform', 'DER', '-recip', join(fixtures, 'testca/ca.pem'),
      '-inkey', join(fixtures, 'testca/ca.key'), '-passin', 'pass:', '-out', 'ios.der');
    const csr = parseCsr(readFileSync(join(dir, 'ios.der')));
    expect(csr.verify()).toBe(true);
    expect(csr.version).toBe(2);
    expect(csr.subject.get('CN')).toBe('com.apple.security.scep.063D7953-1338-4BF0-8F99-913382996224');
    expect(csr.keySpec).toEqual({ type: 'rsa', bits: 1024 });
    expect(csr.signatureScheme).toEqual({ keyType: 'rsa', hash: 'sha1' });
    expect(csr.extensions.keyUsage).toEqual(['digitalSignature']);
    expect(csr.extensions.all[0]!.critical).toBe(true);
  });
});

describe('building CSRs', () => {
  it('openssl req -verify accepts them and shows what we asked for', async () => {
    for (const [keys, hash] of [[rsa, 'sha256'], [ec, 'sha1'], [rsa, 'sha512']] as const) {
      const der = await buildCsr({
        subject: 'CN=Jöhn Doe+UID=jdoe,OU=Devices,O=Example\\, Inc.,C=US',
        privateKey: keys.privateKey,
        hash,
        challengePassword: 'challenge-123',
        subjectAltNames: [{ type: 'upn', value: 'jdoe@example.com' }, { type: 'email', value: 'jdoe@example.com' }],
        keyUsage: ['digitalSignature'],
        extendedKeyUsage: ['clientAuth', 'emailProtection'],
      });
      writeFileSync(join(dir, 'ours.pem'), toPem('CERTIFICATE REQUEST', der));
      const text = execFileSync('openssl', ['req', '-in', 'ours.pem', '-verify', '-noout', '-text'], { cwd: dir, stdio: 'pipe' }).toString();
      expect(text).toContain('challengePassword');
      expect(text).toContain('challenge-123');
      expect(text).toMatch(/othername: UPN::jdoe@example.com, email:jdoe@example.com/i);
      expect(text).toContain('TLS Web Client Authentication, E-mail Protection');
      const csr = parseCsr(der);
      expect(csr.verify()).toBe(true);
      expect(csr.signatureScheme.hash).toBe(hash);
      expect(csr.subject.equals('CN=jöhn doe+UID=jdoe,OU=Devices,O=Example\\, Inc.,C=US')).toBe(true);
    }
  });

  it('writes challengePassword as PrintableString when it can, UTF8String otherwise', async () => {
    for (const [password, tag] of [['abc 123', 0x13], ['pässwörd', 0x0c], ['a@b', 0x0c]] as const) {
      const csr = parseCsr(await buildCsr({ subject: 'CN=x', privateKey: ec.privateKey, challengePassword: password }));
      expect(csr.challengePassword).toBe(password);
      expect(csr.attributes[0]!.values[0]![0]).toBe(tag);
    }
  });

  it('verify() is false when the signature or the request is tampered with', async () => {
    const der = await buildCsr({ subject: 'CN=x', privateKey: rsa.privateKey });
    const badSig = der.slice();
    badSig[badSig.length - 1]! ^= 1;
    expect(parseCsr(badSig).verify()).toBe(false);
    const other = await buildCsr({ subject: 'CN=x', privateKey: rsa.privateKey, publicKey: ec.publicKey });
    expect(parseCsr(other).verify()).toBe(false);
  });

  it('round-trips subject and SANs (property)', async () => {
    const attr = fc.record({ type: fc.constantFrom('CN', 'O', 'OU', 'C', 'emailAddress', 'serialNumber', '2.5.4.99'), value: fc.string({ unit: 'binary', maxLength: 12 }) });
    const subject = fc.array(fc.array(attr, { minLength: 1, maxLength: 2 }), { maxLength: 4 }).map((r) => DistinguishedName.fromRdns(r));
    const san = fc.oneof(
      fc.record({ type: fc.constantFrom('email' as const, 'dns' as const, 'uri' as const), value: fc.string({ unit: 'binary-ascii', maxLength: 20 }) }),
      fc.record({ type: fc.constant('upn' as const), value: fc.string({ unit: 'binary', maxLength: 20 }) }),
    );
    await fc.assert(
      fc.asyncProperty(subject, fc.array(san, { maxLength: 4 }), async (dn, sans) => {
        const csr = parseCsr(await buildCsr({ subject: dn, privateKey: ec.privateKey, subjectAltNames: sans }));
        expect(csr.verify()).toBe(true);
        expect(Buffer.from(csr.subject.der).equals(dn.der)).toBe(true);
        expect(csr.subject.equals(dn)).toBe(true);
        expect(csr.extensions.subjectAltNames ?? []).toEqual(sans);
      }),
      { seed: 4242, numRuns: 60 },
    );
  });
});

describe('malformed input', () => {
  it('arbitrary bytes give CsrError and nothing else (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(() => parseCsr(bytes)).toThrow(CsrError);
      }),
      { seed: 4242, numRuns: 500 },
    );
  });

  it('mutated and truncated CSRs parse or give CsrError (property)', async () => {
    const der = await buildCsr({ subject: 'CN=x,O=y', privateKey: ec.privateKey, challengePassword: 'pw', subjectAltNames: [{ type: 'upn', value: 'u@d' }] });
    const mutation = fc.oneof(
      fc.record({ at: fc.nat(der.length - 1), xor: fc.integer({ min: 1, max: 255 }) }).map(({ at, xor }) => {
        const copy = der.slice();
        copy[at]! ^= xor;
        return copy;
      }),
      fc.nat(der.length - 1).map((n) => der.slice(0, n)),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => new Uint8Array([...der, ...tail])),
    );
    fc.assert(
      fc.property(mutation, (bytes) => {
        try {
          const csr = parseCsr(bytes);
          expect(typeof csr.verify()).toBe('boolean');
        } catch (error) {
          expect(error).toBeInstanceOf(CsrError);
        }
      }),
      { seed: 4242, numRuns: 1000 },
    );
  });

  it('rejects PEM without a CSR block', () => {
    expect(() => parseCsr('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(CsrError);
  });
});
