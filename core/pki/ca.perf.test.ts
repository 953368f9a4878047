/**
 * The signing path's budget (DESIGN.md): issuing should cost little more than its RSA signature. Prints the
 * medians; fails only when the JavaScript around the signature is grossly over budget (CI machines are noisy).
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { sign } from './algorithms.js';
import { CertificateAuthority } from './ca.js';
import { buildCsr, parseCsr } from './csr.js';
import { generateKeyPair } from './keys.js';
import type { CertificateProfile } from './profile.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const RUNS = 500;

describe('issue() on an RSA-2048 CA', () => {
  it('costs well under 0.2 ms of JavaScript beyond the signature', async () => {
    const ca = await CertificateAuthority.createRoot({ subject: 'CN=Bench Root,O=mdmca,C=US', keys: { type: 'rsa', bits: 2048 }, clock: systemClock });
    const device = await generateKeyPair({ type: 'rsa', bits: 2048 });
    const csr = parseCsr(await buildCsr({
      subject: 'CN=device-0001,OU=Phones,O=mdmca',
      privateKey: device.privateKey,
      subjectAltNames: [{ type: 'upn', value: 'user@corp.example' }, { type: 'email', value: 'user@corp.example' }],
    }));
    const profile: CertificateProfile = {
      validityDays: 365,
      extendedKeyUsage: ['clientAuth'],
      crlDistributionPoints: ['http://crl.example/root.crl'],
      authorityInfoAccess: { caIssuers: ['http://ca.example/root.crt'] },
    };
    const sample = await ca.issueFromCsr(csr, profile);
    const tbs = new Uint8Array(sample.der.length - 256 - 24).fill(7); // same size as the TBSCertificate
    for (let i = 0; i < 100; i++) {
      await ca.issueFromCsr(csr, profile);
      await sign(ca.privateKey, 'sha256', tbs);
    }
    const fromCsr: number[] = [];
    const fromKey: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      await sign(ca.privateKey, 'sha256', tbs);
      bare.push(performance.now() - t);
      t = performance.now();
      await ca.issueFromCsr(csr, profile);
      fromCsr.push(performance.now() - t);
      t = performance.now();
      await ca.issue({ subject: csr.subject, publicKey: csr.publicKey, profile });
      fromKey.push(performance.now() - t);
    }
    const [s, c, k] = [median(bare), median(fromCsr), median(fromKey)];
    console.log(
      `median over ${RUNS}: bare sign() ${s.toFixed(3)} ms; issueFromCsr() ${c.toFixed(3)} ms (+${(c - s).toFixed(3)}); ` +
        `issue(publicKey) ${k.toFixed(3)} ms (+${(k - s).toFixed(3)}); certificate ${sample.der.length} bytes`,
    );
    expect(c - s).toBeLessThan(0.5);
    expect(k - s).toBeLessThan(0.5);
  });
});
