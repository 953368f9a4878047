import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FixedClock } from '../clock.js';
import { CertificateAuthority } from './ca.js';
import { buildCrl, type CrlEntry, CrlError, parseCrl, REVOCATION_REASONS, type RevocationReason } from './crl.js';
import { privateKeyToPem } from './keys.js';
import { toPem } from './pem.js';

const dir = mkdtempSync(join(tmpdir(), 'mdmca-crl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function openssl(...args: string[]): string {
  const result = spawnSync('openssl', args, { cwd: dir });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.toString() + result.stderr.toString();
}

const clock = new FixedClock(new Date('2025-05-01T10:00:00Z'));
const REASONS = REVOCATION_REASONS.filter((r): r is RevocationReason => r !== undefined);
const OPENSSL_REASON: Record<RevocationReason, string> = {
  unspecified: 'Unspecified',
  keyCompromise: 'Key Compromise',
  cACompromise: 'CA Compromise',
  affiliationChanged: 'Affiliation Changed',
  superseded: 'Superseded',
  cessationOfOperation: 'Cessation Of Operation',
  certificateHold: 'Certificate Hold',
  removeFromCRL: 'Remove From CRL',
  privilegeWithdrawn: 'Privilege Withdrawn',
  aACompromise: 'AA Compromise',
};

describe('CRLs', () => {
  for (const keys of [{ type: 'rsa', bits: 2048 }, { type: 'ec', curve: 'P-384' }] as const) {
    describe(`signed by a ${keys.type} CA`, () => {
      let ca: CertificateAuthority;
      beforeAll(async () => {
        ca = await CertificateAuthority.createRoot({ subject: 'CN=CRL Test CA,O=mdmca,C=US', keys, clock });
        writeFileSync(join(dir, 'ca.pem'), toPem('CERTIFICATE', ca.certificateDer));
      });

      it('openssl crl -verify accepts them and lists every reason', async () => {
        const entries: CrlEntry[] = REASONS.map((reason, i) => ({
          serialHex: (0x4000 + i).toString(16),
          revocationDate: new Date(Date.UTC(2025, 3, 1 + i, 8, 30)),
          reason,
          ...(i === 1 && { invalidityDate: new Date('2025-03-15T00:00:00Z') }),
        }));
        entries.push({ serialHex: '00ff', revocationDate: new Date('2025-04-30T00:00:00Z') });
        const der = await buildCrl({ ca, entries, nextUpdate: new Date('2025-05-08T10:00:00Z'), crlNumber: 42, hash: 'sha256' });
        writeFileSync(join(dir, 'crl.pem'), toPem('X509 CRL', der));
        const text = openssl('crl', '-in', 'crl.pem', '-verify', '-CAfile', 'ca.pem', '-noout', '-text');
        expect(text).toContain('verify OK');
        expect(text).toContain('Version 2 (0x1)');
        expect(text).toMatch(/X509v3 CRL Number:\s+42/);
        expect(text).toContain('X509v3 Authority Key Identifier');
        for (const reason of REASONS) expect(text).toContain(OPENSSL_REASON[reason]);
        expect(text).toContain('Invalidity Date');
        expect(text).toContain('Serial Number: FF');
        expect(text).toContain('Last Update: May  1 10:00:00 2025 GMT');

        const parsed = parseCrl(der);
        expect(parsed.verify(ca.certificate)).toBe(true);
        expect(parsed.version).toBe(2);
        expect(parsed.crlNumber).toBe(42n);
        expect(parsed.thisUpdate).toEqual(clock.now());
        expect(parsed.nextUpdate).toEqual(new Date('2025-05-08T10:00:00Z'));
        expect(Buffer.from(parsed.authorityKeyIdentifier!).equals(Buffer.from(ca.certificate.keyIdentifier))).toBe(true);
        expect(Buffer.from(parsed.issuer.der).equals(Buffer.from(ca.certificate.subjectDer))).toBe(true);
        expect(parsed.entries.map((e) => e.reason)).toEqual([...REASONS, undefined]);
        expect(parsed.entries[1]!.invalidityDate).toEqual(new Date('2025-03-15T00:00:00Z'));
        expect(parsed.entries.at(-1)).toEqual({ serialHex: '00ff', revocationDate: new Date('2025-04-30T00:00:00Z') });
        expect(parsed.entries[0]!.serialHex).toBe('4000');
      });

      it('are valid when empty, with big CRL numbers and sha1', async () => {
        const der = await buildCrl({ ca, entries: [], thisUpdate: new Date('2025-01-01T00:00:00Z'), crlNumber: 2n ** 100n, hash: 'sha1' });
        writeFileSync(join(dir, 'empty.pem'), toPem('X509 CRL', der));
        const text = openssl('crl', '-in', 'empty.pem', '-verify', '-CAfile', 'ca.pem', '-noout', '-text');
        expect(text).toContain('verify OK');
        expect(text).toContain('No Revoked Certificates');
        const parsed = parseCrl(toPem('X509 CRL', der));
        expect(parsed.crlNumber).toBe(2n ** 100n);
        expect(parsed.entries).toEqual([]);
        expect(parsed.nextUpdate).toBeUndefined();
        expect(parsed.signatureScheme.hash).toBe('sha1');
        const one = parseCrl(await buildCrl({ ca, entries: [{ serialHex: '7f', revocationDate: clock.now(), reason: 'superseded' }], crlNumber: 3 }));
        expect(one.entries).toEqual([{ serialHex: '7f', revocationDate: clock.now(), reason: 'superseded' }]);
        expect(one.crlNumber).toBe(3n);
      });

      it('parseCrl reads what openssl ca -gencrl writes', () => {
        writeFileSync(join(dir, 'ca.key'), privateKeyToPem(ca.privateKey));
        writeFileSync(join(dir, 'index.txt'), 'R\t300101000000Z\t250401083000Z,keyCompromise\t0ABC\tunknown\t/CN=revoked\n');
        writeFileSync(join(dir, 'crlnumber'), '1000\n');
        writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\n');
        openssl('ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-out', 'theirs.pem');
        const parsed = parseCrl(readFileSync(join(dir, 'theirs.pem'), 'utf8'));
        expect(parsed.verify(ca.certificate)).toBe(true);
        expect(parsed.crlNumber).toBe(0x1000n);
        expect(parsed.entries).toEqual([{ serialHex: '0abc', revocationDate: new Date('2025-04-01T08:30:00Z'), reason: 'keyCompromise' }]);
        expect(parsed.issuer.equals(ca.subject)).toBe(true);
      });
    });
  }

  it('parseCrl rejects garbage with CrlError (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      expect(() => parseCrl(bytes)).toThrow(CrlError);
    }), { seed: 4242, numRuns: 300 });
  });

  it('verify() is false for another issuer', async () => {
    const a = await CertificateAuthority.createRoot({ subject: 'CN=A', keys: { type: 'ec', curve: 'P-256' }, clock });
    const b = await CertificateAuthority.createRoot({ subject: 'CN=B', keys: { type: 'ec', curve: 'P-256' }, clock });
    const parsed = parseCrl(await buildCrl({ ca: a, entries: [], crlNumber: 1 }));
    expect(parsed.verify(a.certificateDer)).toBe(true);
    expect(parsed.verify(b.certificate)).toBe(false);
  });
});
