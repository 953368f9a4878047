import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { FixedClock } from '../clock.js';
import type { HashName } from './algorithms.js';
import { CaError, CertificateAuthority, selfSignedCertificate } from './ca.js';
import { parseCertificate } from './certificate.js';
import { buildCsr, parseCsr } from './csr.js';
import { generateKeyPair, type KeyPair, type KeySpec } from './keys.js';
import { DistinguishedName } from './names.js';
import { toPem } from './pem.js';
import { type CertificateProfile, ProfileError } from './profile.js';
import { memoryClaim, SerialGenerator } from './serial.js';

const dir = mkdtempSync(join(tmpdir(), 'mdmca-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, der: Uint8Array) => writeFileSync(join(dir, name), toPem('CERTIFICATE', der));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }).toString();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const NOW = new Date('2025-03-01T12:00:00.789Z');
const clock = new FixedClock(NOW);
let leafKeys: KeyPair;
beforeAll(async () => {
  leafKeys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
});

const FULL_PROFILE: CertificateProfile = {
  validityDays: 30,
  extendedKeyUsage: ['clientAuth', 'emailProtection', 'smartcardLogon'],
  crlDistributionPoints: ['http://crl.example/issuing.crl'],
  authorityInfoAccess: { caIssuers: ['http://ca.example/issuing.crt'], ocsp: ['http://ocsp.example'] },
  certificatePolicies: [{ oid: '1.3.6.1.4.1.99999.1', cpsUri: 'https://cps.example' }],
};

describe('chains openssl verifies', () => {
  const KEYS: [string, KeySpec][] = [['rsa', { type: 'rsa', bits: 2048 }], ['p256', { type: 'ec', curve: 'P-256' }], ['p384', { type: 'ec', curve: 'P-384' }]];
  for (const [name, spec] of KEYS) {
    for (const hash of ['sha256', 'sha1'] as HashName[]) {
      it(`root → intermediate → leaf, ${name} CAs, ${hash}`, async () => {
        const systemClock = { now: () => new Date() };
        const root = await CertificateAuthority.createRoot({ subject: `CN=Root ${name},O=mdmca,C=US`, keys: spec, clock: systemClock, hash });
        const intermediate = await root.issueIntermediate({ subject: `CN=Issuing ${name},O=mdmca,C=US`, keys: spec, hash, pathLength: 0 });
        const csr = parseCsr(await buildCsr({ subject: 'CN=device,O=mdmca', privateKey: leafKeys.privateKey, subjectAltNames: [{ type: 'upn', value: 'u@example.com' }] }));
        const leaf = await intermediate.issueFromCsr(csr, { ...FULL_PROFILE, hash });
        write('root.pem', root.certificateDer);
        write('inter.pem', intermediate.certificateDer);
        write('leaf.pem', leaf.der);
        expect(openssl('verify', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', 'leaf.pem').trim()).toBe('leaf.pem: OK');
        expect(intermediate.chain).toEqual([intermediate.certificateDer, root.certificateDer]);
        const sigName = openssl('x509', '-in', 'leaf.pem', '-noout', '-text').match(/Signature Algorithm: (\S+)/)![1];
        expect(sigName!.toLowerCase()).toContain(hash === 'sha1' ? 'sha1' : 'sha256');
      });
    }
  }
});

describe('issued certificates', () => {
  let root: CertificateAuthority;
  let ca: CertificateAuthority;
  beforeAll(async () => {
    root = await CertificateAuthority.createRoot({ subject: 'CN=Test Root,O=mdmca', keys: { type: 'rsa', bits: 2048 }, clock, validityDays: 3650 });
    ca = await root.issueIntermediate({ subject: 'CN=Test Issuing,O=mdmca', keys: { type: 'ec', curve: 'P-256' }, validityDays: 365, pathLength: 0 });
  });

  it('show in openssl x509 -text as set: UPN othername, KU, EKU, CDP, AIA, policies, SKI/AKI', async () => {
    const csr = parseCsr(await buildCsr({
      subject: 'CN=Jane Doe,OU=Phones,O=mdmca',
      privateKey: leafKeys.privateKey,
      subjectAltNames: [{ type: 'upn', value: 'jane@corp.example' }, { type: 'email', value: 'jane@corp.example' }, { type: 'dns', value: 'phone.corp.example' }],
    }));
    const issued = await ca.issueFromCsr(csr, FULL_PROFILE);
    write('leaf.pem', issued.der);
    const text = openssl('x509', '-in', 'leaf.pem', '-noout', '-text');
    expect(text).toContain('othername: UPN::jane@corp.example, email:jane@corp.example, DNS:phone.corp.example');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication, E-mail Protection, Microsoft Smartcard Login/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toContain('URI:http://crl.example/issuing.crl');
    expect(text).toContain('OCSP - URI:http://ocsp.example');
    expect(text).toContain('CA Issuers - URI:http://ca.example/issuing.crt');
    expect(text).toMatch(/Policy: 1.3.6.1.4.1.99999.1\s+CPS: https:\/\/cps.example/);
    const cert = parseCertificate(issued.der);
    expect(hex(cert.extensions.authorityKeyIdentifier!)).toBe(hex(ca.certificate.extensions.subjectKeyIdentifier!));
    expect(hex(cert.extensions.subjectKeyIdentifier!)).toBe(hex(cert.keyIdentifier));
    expect(cert.serialHex).toBe(issued.serialHex);
    expect(cert.verifySignedBy(ca.certificate)).toBe(true);
    // The SAN is the CSR's, byte for byte; so is the subject.
    const requested = csr.extensions.all.find((e) => e.oid === '2.5.29.17')!.value;
    expect(hex(cert.extensions.all.find((e) => e.oid === '2.5.29.17')!.value)).toBe(hex(requested));
    expect(hex(cert.subjectDer)).toBe(hex(csr.subject.der));
    expect(hex(cert.issuerDer)).toBe(hex(ca.certificate.subjectDer));
  });

  it('are what the ASN.1 library would encode, byte for byte (property)', async () => {
    const profile = fc.record({
      validityDays: fc.integer({ min: 1, max: 400 }),
      backdateSeconds: fc.integer({ min: 0, max: 7200 }),
      keyUsage: fc.subarray(['digitalSignature', 'keyEncipherment', 'keyAgreement', 'nonRepudiation'] as const),
      extendedKeyUsage: fc.subarray(['clientAuth', 'serverAuth', 'codeSigning', '1.2.3.4.5']),
      crlDistributionPoints: fc.array(fc.webUrl(), { maxLength: 2 }),
      subjectAltNames: fc.constantFrom('csr' as const, 'none' as const, { names: [{ type: 'dns' as const, value: 'fixed.example' }] }),
      hash: fc.constantFrom('sha1' as const, 'sha256' as const, 'sha384' as const),
    }, { requiredKeys: [] });
    const attr = fc.record({ type: fc.constantFrom('CN', 'O', 'OU', 'emailAddress'), value: fc.string({ unit: 'binary', maxLength: 10 }) });
    const subject = fc.array(fc.array(attr, { minLength: 1, maxLength: 2 }), { maxLength: 3 });
    const sans = fc.array(fc.record({ type: fc.constantFrom('upn' as const, 'dns' as const), value: fc.string({ unit: 'binary-ascii', maxLength: 12 }) }), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(profile, subject, sans, async (p, rdns, san) => {
        const dn = DistinguishedName.fromRdns(rdns);
        const issued = await ca.issue({ subject: dn, publicKey: leafKeys.publicKey, subjectAltNames: san.length ? san : undefined, profile: p as CertificateProfile });
        const cert = parseCertificate(issued.der);
        const library = AsnConvert.parse(issued.der, Certificate);
        expect(hex(new Uint8Array(AsnConvert.serialize(library.tbsCertificate)))).toBe(hex(cert.tbsDer));
        expect(hex(new Uint8Array(AsnConvert.serialize(library)))).toBe(hex(issued.der));
        expect(cert.verifySignedBy(ca.certificate)).toBe(true);
      }),
      { seed: 4242, numRuns: 60 },
    );
  });

  it('follow the validity rules: backdate, days, explicit end, cap at the issuer, whole seconds', async () => {
    const seconds = Math.floor(NOW.getTime() / 1000) * 1000;
    const a = await ca.issue({ subject: 'CN=a', publicKey: leafKeys.publicKey, profile: { validityDays: 10, backdateSeconds: 300 } });
    expect(a.notBefore).toEqual(new Date(seconds - 300_000));
    expect(a.notAfter).toEqual(new Date(seconds + 10 * 86_400_000));
    const cert = parseCertificate(a.der);
    expect(cert.notBefore).toEqual(a.notBefore);
    expect(cert.notAfter).toEqual(a.notAfter);
    const capped = await ca.issue({ subject: 'CN=b', publicKey: leafKeys.publicKey, profile: { validityDays: 5000 } });
    expect(capped.notAfter).toEqual(ca.certificate.notAfter);
    const uncapped = await ca.issue({ subject: 'CN=c', publicKey: leafKeys.publicKey, profile: { validityDays: 5000, capToIssuerNotAfter: false } });
    expect(uncapped.notAfter).toEqual(new Date(seconds + 5000 * 86_400_000));
    const explicit = new Date('2025-06-01T00:00:00Z');
    expect((await ca.issue({ subject: 'CN=d', publicKey: leafKeys.publicKey, profile: { notAfter: explicit } })).notAfter).toEqual(explicit);
    const csr = parseCsr(await buildCsr({ subject: 'CN=e', privateKey: leafKeys.privateKey }));
    expect((await ca.issueFromCsr(csr, {}, { validityDays: 2 })).notAfter).toEqual(new Date(seconds + 2 * 86_400_000));
  });

  it('refuse to issue from an expired CA', async () => {
    const late = new CertificateAuthority({ certificate: ca.certificateDer, privateKey: ca.privateKey, clock: new FixedClock(new Date('2030-01-01T00:00:00Z')) });
    await expect(late.issue({ subject: 'CN=x', publicKey: leafKeys.publicKey })).rejects.toThrow(CaError);
  });

  it('apply the SAN policy: copy from the CSR, a fixed list, none, or an override; critical with an empty subject', async () => {
    const csr = parseCsr(await buildCsr({ subject: 'CN=s', privateKey: leafKeys.privateKey, subjectAltNames: [{ type: 'email', value: 'csr@example.com' }] }));
    const sanOf = async (...args: Parameters<CertificateAuthority['issueFromCsr']>) => parseCertificate((await ca.issueFromCsr(...args)).der).extensions.subjectAltNames;
    expect(await sanOf(csr, {})).toEqual([{ type: 'email', value: 'csr@example.com' }]);
    expect(await sanOf(csr, { subjectAltNames: 'none' })).toBeUndefined();
    expect(await sanOf(csr, { subjectAltNames: { names: [{ type: 'dns', value: 'x.example' }] } })).toEqual([{ type: 'dns', value: 'x.example' }]);
    expect(await sanOf(csr, {}, { subjectAltNames: [{ type: 'upn', value: 'o@example.com' }] })).toEqual([{ type: 'upn', value: 'o@example.com' }]);
    const empty = parseCertificate((await ca.issueFromCsr(csr, {}, { subject: '' })).der);
    expect(empty.subject.isEmpty).toBe(true);
    expect(empty.extensions.all.find((e) => e.oid === '2.5.29.17')!.critical).toBe(true);
  });

  it('override the subject from a template, keeping a CSR subject byte for byte otherwise', async () => {
    // A PrintableString CN as Go clients write it: re-encoding it would turn it into UTF8String.
    const printable = DistinguishedName.fromRdns([[{ type: 'CN', value: 'scep-client', stringType: 'printable' }]]);
    const csr = parseCsr(await buildCsr({ subject: printable, privateKey: leafKeys.privateKey }));
    expect(hex(parseCertificate((await ca.issueFromCsr(csr)).der).subjectDer)).toBe(hex(printable.der));
    const templated = await ca.issueFromCsr(csr, {}, { subject: 'CN=jdoe,OU=Sales,O=mdmca' });
    expect(parseCertificate(templated.der).subject.toString()).toBe('CN=jdoe,OU=Sales,O=mdmca');
    expect(templated.subject.toString()).toBe('CN=jdoe,OU=Sales,O=mdmca');
  });

  it('make CA certificates with keyCertSign and the path length asked for', () => {
    const rootCert = root.certificate;
    expect(rootCert.isSelfSigned).toBe(true);
    expect(rootCert.extensions.basicConstraints).toEqual({ ca: true });
    expect(rootCert.extensions.keyUsage).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(hex(rootCert.extensions.authorityKeyIdentifier!)).toBe(hex(rootCert.extensions.subjectKeyIdentifier!));
    expect(ca.certificate.extensions.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(ca.certificate.verifySignedBy(rootCert)).toBe(true);
  });

  it('draw serials through the claim callback', async () => {
    const used = new Set<string>();
    const own = new CertificateAuthority({ certificate: ca.certificateDer, privateKey: ca.privateKey, clock, serials: new SerialGenerator(memoryClaim(used)) });
    const serials = new Set<string>();
    for (let i = 0; i < 50; i++) serials.add((await own.issue({ subject: 'CN=x', publicKey: leafKeys.publicKey })).serialHex);
    expect(serials).toEqual(used);
    expect(serials.size).toBe(50);
  });

  it('refuse a profile that would repeat an extension', async () => {
    const profile = { extraExtensions: [{ oid: '2.5.29.17', critical: false, value: new Uint8Array([0x30, 0]) }] };
    await expect(ca.issue({ subject: 'CN=x', publicKey: leafKeys.publicKey, profile })).rejects.toThrow(ProfileError);
  });

  it('refuse a private key that is not the certificate\'s', async () => {
    const other = await generateKeyPair({ type: 'ec', curve: 'P-256' });
    expect(() => new CertificateAuthority({ certificate: ca.certificateDer, privateKey: other.privateKey, clock })).toThrow(CaError);
  });
});

describe('selfSignedCertificate', () => {
  it('makes the SCEP transient signer certificate: digitalSignature + keyEncipherment, self-signed', async () => {
    const keys = await generateKeyPair({ type: 'rsa', bits: 2048 });
    const issued = await selfSignedCertificate({ subject: 'CN=SCEP client', privateKey: keys.privateKey, clock, validityDays: 1 });
    const cert = parseCertificate(issued.der);
    expect(cert.isSelfSigned).toBe(true);
    expect(cert.extensions.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(86_400_000);
    write('self.pem', issued.der);
    expect(openssl('x509', '-in', 'self.pem', '-noout', '-text')).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
  });
});
