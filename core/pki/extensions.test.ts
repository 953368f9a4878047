import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate } from './certificate.js';
import {
  authorityInfoAccessExtension,
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  certificatePoliciesExtension,
  crlDistributionPointsExtension,
  encodeExtension,
  ExtensionError,
  extendedKeyUsageExtension,
  keyIdentifierOfSpki,
  keyUsageExtension,
  parseExtensions,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from './extensions.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'mdmca-ext-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('extensions', () => {
  it('encodes keyUsage as a minimal named-bit BIT STRING', () => {
    expect(hex(keyUsageExtension(['digitalSignature', 'keyEncipherment']).value)).toBe('030205a0');
    expect(hex(keyUsageExtension(['keyCertSign', 'cRLSign']).value)).toBe('03020106');
    expect(hex(keyUsageExtension(['digitalSignature', 'decipherOnly']).value)).toBe('0303078080');
    expect(() => keyUsageExtension([])).toThrow(ExtensionError);
    expect(() => keyUsageExtension(['bogus' as never])).toThrow(ExtensionError);
  });

  it('encodes whole extensions with criticality only when true', () => {
    expect(hex(encodeExtension(keyUsageExtension(['digitalSignature'])))).toBe('300e0603551d0f0101ff04040302 0780'.replace(' ', ''));
    expect(hex(encodeExtension(subjectKeyIdentifierExtension(new Uint8Array(20))))).toBe(`301d0603551d0e04160414${'00'.repeat(20)}`);
  });

  it('parses what it builds', () => {
    const keyId = new Uint8Array(20).fill(7);
    const parsed = parseExtensions([
      keyUsageExtension(['digitalSignature', 'nonRepudiation', 'decipherOnly']),
      extendedKeyUsageExtension(['clientAuth', 'smartcardLogon', '1.2.3.4', 'ocspSigning']),
      basicConstraintsExtension(true, 0),
      subjectKeyIdentifierExtension(keyId),
      authorityKeyIdentifierExtension(keyId),
      subjectAltNameExtension([{ type: 'email', value: 'a@b.c' }]),
      crlDistributionPointsExtension(['http://crl.example/1.crl', 'ldap://crl.example/x']),
      authorityInfoAccessExtension({ caIssuers: ['http://ca.example/ca.crt'], ocsp: ['http://ocsp.example'] }),
      certificatePoliciesExtension([{ oid: '2.23.140.1.2.1' }, { oid: '1.3.6.1.4.1.99999.1', cpsUri: 'https://cps.example' }]),
      { oid: '1.2.3.4.5', critical: false, value: new Uint8Array([5, 0]) },
    ]);
    expect(parsed.keyUsage).toEqual(['digitalSignature', 'nonRepudiation', 'decipherOnly']);
    expect(parsed.extendedKeyUsage).toEqual(['clientAuth', 'smartcardLogon', '1.2.3.4', 'ocspSigning']);
    expect(parsed.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(parsed.subjectKeyIdentifier).toEqual(keyId);
    expect(parsed.authorityKeyIdentifier).toEqual(keyId);
    expect(parsed.subjectAltNames).toEqual([{ type: 'email', value: 'a@b.c' }]);
    expect(parsed.crlDistributionPoints).toEqual(['http://crl.example/1.crl', 'ldap://crl.example/x']);
    expect(parsed.authorityInfoAccess).toEqual({ caIssuers: ['http://ca.example/ca.crt'], ocsp: ['http://ocsp.example'] });
    expect(parsed.certificatePolicies).toEqual([{ oid: '2.23.140.1.2.1' }, { oid: '1.3.6.1.4.1.99999.1', cpsUri: 'https://cps.example' }]);
    expect(parsed.all).toHaveLength(10);
    expect(parseExtensions([basicConstraintsExtension(false)]).basicConstraints).toEqual({ ca: false });
  });

  it('throws ExtensionError for a malformed known extension', () => {
    expect(() => parseExtensions([{ oid: '2.5.29.15', critical: true, value: new Uint8Array([1, 2, 3]) }])).toThrow(ExtensionError);
  });

  it('computes the SKI as OpenSSL does (RFC 5280 method 1)', () => {
    const out = join(dir, 'c.der');
    for (const alg of [['-newkey', 'rsa:2048'], ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']]) {
      execFileSync('openssl', ['req', '-x509', ...alg, '-nodes', '-keyout', join(dir, 'k.pem'), '-subj', '/CN=ski', '-outform', 'DER', '-out', out], { stdio: 'pipe' });
      const cert = parseCertificate(readFileSync(out));
      expect(hex(keyIdentifierOfSpki(cert.spkiDer))).toBe(hex(cert.extensions.subjectKeyIdentifier!));
    }
  });
});
