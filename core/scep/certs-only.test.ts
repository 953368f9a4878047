import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../clock.js';
import { buildCertsOnly, buildNextCaCert, parseCertsOnly, parseNextCaCert } from './certs-only.js';
import { FailInfo } from './constants.js';
import { ScepMalformedError } from './errors.js';
import { parseSignedData } from './signed-data.js';
import { makeScepTestPki, type ScepTestPki } from './openssl-pki.test-support.js';

let pki: ScepTestPki;
beforeAll(() => {
  pki = makeScepTestPki();
});
afterAll(() => pki.remove());

const buffers = (list: Uint8Array[]) => list.map((item) => Buffer.from(item));

describe('certs-only SignedData', () => {
  it('round-trips certificates (order kept, leaf first) and CRLs', () => {
    const bundle = buildCertsOnly({ certificates: [pki.issued, pki.ra.certificate, pki.ca.certificate], crls: [pki.crl] });
    const parsed = parseCertsOnly(bundle);
    expect(buffers(parsed.certificates)).toEqual(buffers([pki.issued, pki.ra.certificate, pki.ca.certificate]));
    expect(buffers(parsed.crls)).toEqual(buffers([pki.crl]));
    const data = parseSignedData(bundle);
    expect(data.signerInfos).toEqual([]);
    expect(data.content).toBeUndefined();
  });

  it('writes no [0] or [1] when there is nothing to carry', () => {
    expect(parseCertsOnly(buildCertsOnly({ crls: [pki.crl] })).certificates).toEqual([]);
    expect(parseCertsOnly(buildCertsOnly({})).crls).toEqual([]);
  });

  it('calls a non-SignedData malformed', () => {
    expect(() => parseCertsOnly(pki.ca.certificate)).toThrow(ScepMalformedError);
  });
});

describe('GetNextCACert', () => {
  it('is signed by the current CA and announces the next CA and RA', async () => {
    const reply = await buildNextCaCert({
      certificates: [pki.ra.certificate, pki.issued],
      signer: pki.ca,
      digest: 'sha256',
      signingTime: new FixedClock(new Date('2030-01-01T00:00:00Z')).now(),
    });
    const parsed = parseNextCaCert(reply, pki.ca.certificate);
    expect(buffers(parsed.certificates)).toEqual(buffers([pki.ra.certificate, pki.issued]));
    expect(Buffer.from(parsed.signerCertificate)).toEqual(Buffer.from(pki.ca.certificate));
    pki.openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', pki.write('next.der', reply), '-out', pki.write('next.out', '')]);
  });

  it('rejects a reply signed by another key, even one carrying its own certificate', async () => {
    const forged = await buildNextCaCert({ certificates: [pki.ra.certificate], signer: pki.ra, digest: 'sha256' });
    expect(() => parseNextCaCert(forged, pki.ca.certificate)).toThrow(expect.objectContaining({ failInfo: FailInfo.badCertId }));
  });
});
