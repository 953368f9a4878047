import { execFileSync } from 'node:child_process';
import { MICROMDM_FIXTURES, sharedFixturesMissing } from '../../fixtures/shared-fixtures.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CertificateError, parseCertificate, type ParsedCertificate } from './certificate.js';
import { generateKeyPair } from './keys.js';

const dir = mkdtempSync(join(tmpdir(), 'mdmca-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }).toString().trim();
const colonHex = (text: string) => text.split('=')[1]!.replace(/:/g, '').toLowerCase();

let root: ParsedCertificate;
let leaf: ParsedCertificate;
beforeAll(() => {
  openssl(
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-subj', '/C=US/O=Example/CN=Example Root',
    '-days', '30', '-set_serial', '0x80', '-outform', 'DER', '-out', 'root.der',
  );
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-subj', '/O=Example/CN=leaf device', '-out', 'leaf.csr');
  openssl(
    'x509', '-req', '-in', 'leaf.csr', '-CA', 'root.der', '-CAform', 'DER', '-CAkey', 'root.key', '-set_serial', '123456789012345678901234567890',
    '-days', '10', '-sha384', '-outform', 'DER', '-out', 'leaf.der',
  );
  root = parseCertificate(readFileSync(join(dir, 'root.der')));
  leaf = parseCertificate(readFileSync(join(dir, 'leaf.der')));
});

describe('parseCertificate', () => {
  it('reads serials, names, dates and fingerprints as openssl does', () => {
    for (const name of ['root.der', 'leaf.der']) {
      const cert = parseCertificate(readFileSync(join(dir, name)));
      const x509 = (...a: string[]) => openssl('x509', '-inform', 'DER', '-in', name, '-noout', ...a);
      expect(BigInt(`0x${cert.serialHex}`)).toBe(BigInt(`0x${x509('-serial').split('=')[1]}`));
      expect(cert.subject.toString()).toBe(x509('-subject', '-nameopt', 'RFC2253').replace(/^subject=/, ''));
      expect(cert.issuer.toString()).toBe(x509('-issuer', '-nameopt', 'RFC2253').replace(/^issuer=/, ''));
      expect(cert.notBefore).toEqual(new Date(x509('-startdate').split('=')[1]!));
      expect(cert.notAfter).toEqual(new Date(x509('-enddate').split('=')[1]!));
      expect(cert.sha256Fingerprint).toBe(colonHex(x509('-fingerprint', '-sha256')));
      expect(cert.sha1Fingerprint).toBe(colonHex(x509('-fingerprint', '-sha1')));
    }
    expect(root.serialHex).toBe('0080');
    expect(Buffer.from(root.serialBytes).toString('hex')).toBe('0080');
    expect(leaf.serialHex).toBe(BigInt('123456789012345678901234567890').toString(16).padStart(26, '0'));
  });

  it('reads keys, signature schemes and the IssuerAndSerialNumber CMS needs', () => {
    expect(root.keySpec).toEqual({ type: 'rsa', bits: 2048 });
    expect(leaf.keySpec).toEqual({ type: 'ec', curve: 'P-256' });
    expect(leaf.signatureScheme).toEqual({ keyType: 'rsa', hash: 'sha384' });
    const ias = leaf.issuerAndSerialNumber;
    expect(Buffer.from(ias.issuer).equals(Buffer.from(root.subjectDer))).toBe(true);
    expect(ias.serialNumber).toBe(leaf.serialBytes);
    expect(Buffer.from(leaf.issuer.der).equals(Buffer.from(root.subjectDer))).toBe(true);
  });

  it('checks signatures and self-signature', async () => {
    expect(root.isSelfSigned).toBe(true);
    expect(leaf.isSelfSigned).toBe(false);
    expect(leaf.verifySignedBy(root)).toBe(true);
    expect(leaf.verifySignedBy(root.der)).toBe(true);
    expect(leaf.verifySignedBy(root.publicKey)).toBe(true);
    expect(leaf.verifySignedBy(leaf)).toBe(false);
    expect(leaf.verifySignedBy((await generateKeyPair({ type: 'rsa', bits: 2048 })).publicKey)).toBe(false);
    expect(leaf.isValidAt(new Date(leaf.notBefore.getTime() + 1000))).toBe(true);
    expect(leaf.isValidAt(new Date(leaf.notAfter.getTime() + 1000))).toBe(false);
  });

  it('reads the extensions openssl writes', () => {
    openssl(
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'x.key', '-subj', '/CN=ext', '-outform', 'DER', '-out', 'ext.der',
      '-addext', 'subjectAltName=DNS:a.example,email:e@example.com,IP:10.0.0.1,URI:https://u.example,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.com',
      '-addext', 'keyUsage=critical,digitalSignature,keyAgreement',
      '-addext', 'extendedKeyUsage=clientAuth,1.3.6.1.4.1.311.20.2.2',
      '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:2',
      '-addext', 'crlDistributionPoints=URI:http://crl.example/ca.crl',
      '-addext', 'authorityInfoAccess=OCSP;URI:http://ocsp.example,caIssuers;URI:http://ca.example/ca.crt',
      '-addext', 'certificatePolicies=1.3.6.1.4.1.99999.1.2',
    );
    const ext = parseCertificate(readFileSync(join(dir, 'ext.der'))).extensions;
    expect(ext.subjectAltNames).toEqual([
      { type: 'dns', value: 'a.example' },
      { type: 'email', value: 'e@example.com' },
      { type: 'ip', value: '10.0.0.1' },
      { type: 'uri', value: 'https://u.example' },
      { type: 'upn', value: 'upn@example.com' },
    ]);
    expect(ext.keyUsage).toEqual(['digitalSignature', 'keyAgreement']);
    expect(ext.extendedKeyUsage).toEqual(['clientAuth', 'smartcardLogon']);
    expect(ext.basicConstraints).toEqual({ ca: true, pathLength: 2 });
    expect(ext.crlDistributionPoints).toEqual(['http://crl.example/ca.crl']);
    expect(ext.authorityInfoAccess).toEqual({ caIssuers: ['http://ca.example/ca.crt'], ocsp: ['http://ocsp.example'] });
    expect(ext.certificatePolicies).toEqual([{ oid: '1.3.6.1.4.1.99999.1.2' }]);
    expect(ext.subjectKeyIdentifier).toHaveLength(20);
    expect(ext.all.find((e) => e.oid === '2.5.29.15')!.critical).toBe(true);
  });

  it('reads v1 certificates (no extensions)', () => {
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'v1.key', '-subj', '/CN=v1', '-out', 'v1.csr');
    openssl('x509', '-req', '-in', 'v1.csr', '-signkey', 'v1.key', '-outform', 'DER', '-out', 'v1.der');
    const v1 = parseCertificate(readFileSync(join(dir, 'v1.der')));
    expect(v1.version).toBe(1);
    expect(v1.extensions.all).toEqual([]);
    expect(v1.isSelfSigned).toBe(true);
    expect(v1.isCa).toBe(false);
    expect(v1.keyIdentifier).toHaveLength(20);
    expect(root.version).toBe(3);
  });

  it.skipIf(sharedFixturesMissing !== undefined)("reads Go-made certificates (micromdm's test CA)", () => {
    const path = `${MICROMDM_FIXTURES}testca/ca.pem`;
    const cert = parseCertificate(readFileSync(path, 'utf8'));
    const x509 = (...a: string[]) => openssl('x509', '-in', path, '-noout', ...a);
    expect(cert.isSelfSigned).toBe(true);
    expect(cert.isCa).toBe(true);
    expect(BigInt(`0x${cert.serialHex}`)).toBe(BigInt(`0x${x509('-serial').split('=')[1]}`));
    expect(cert.subject.toString()).toBe(x509('-subject', '-nameopt', 'RFC2253').replace(/^subject=/, ''));
    expect(cert.sha256Fingerprint).toBe(colonHex(x509('-fingerprint', '-sha256')));
  });

  it('accepts PEM', () => {
    expect(parseCertificate(root.toPem()).sha256Fingerprint).toBe(root.sha256Fingerprint);
  });

  it('gives CertificateError on garbage and truncations (property)', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.nat(root.der.length - 1).map((n) => root.der.slice(0, n)));
    fc.assert(
      fc.property(bytes, (b) => {
        expect(() => parseCertificate(b)).toThrow(CertificateError);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});
