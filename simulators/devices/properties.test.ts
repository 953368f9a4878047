/**
 * Properties (fast-check, fixed seed): a DN written as Apple's Subject and read back by the emulated iPhone is
 * the same name; BER re-encoding keeps the eContent and the signature of any SignedData.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DistinguishedName } from '../../core/pki/names.js';
import { parseSignedData, verifySignedData, buildSignedData } from '../../core/scep/signed-data.js';
import { loadTestPki, type TestPki } from '../../fixtures/test-pki.js';
import { toIndefiniteLength } from './android/ber.js';
import { parseMobileconfig, type ScepPayload } from './ios/mobileconfig.js';
import { buildMobileconfig, subjectToApple } from './ios/profile-builder.js';
import { subjectName } from './ios/scep-payload.js';

const SEED = 4242;

let pki: TestPki;
beforeAll(async () => {
  pki = await loadTestPki();
});

const value = fc.string({ minLength: 1, maxLength: 16 }).filter((v) => !v.includes('\u0000'));
const type = fc.constantFrom('CN', 'O', 'OU', 'C', 'L', 'ST', 'emailAddress', 'UID', 'serialNumber', '1.2.3.4');
const dn = fc.array(fc.array(fc.record({ type, value }), { minLength: 1, maxLength: 2 }), { maxLength: 4 }).map((rdns) => DistinguishedName.fromRdns(rdns));

describe('properties', () => {
  it('subjectToApple → profile → Subject read by the iPhone is the same DN', () => {
    fc.assert(
      fc.property(dn, (name) => {
        const xml = buildMobileconfig({ payloads: [{ type: 'scep', content: { URL: 'http://127.0.0.1/scep', Subject: subjectToApple(name) } }] });
        const settings = (parseMobileconfig(xml).payloads[0] as ScepPayload).settings;
        expect(subjectName(settings).equals(name)).toBe(true);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('BER re-encoding keeps the eContent and a verifying signature for any content size', async () => {
    const signer = { certificate: pki.identities['scep-ra'].certificate, privateKey: pki.identities['scep-ra'].privateKey };
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 3500 }), fc.integer({ min: 1, max: 1200 }), async (content, segment) => {
        const der = await buildSignedData({ content, signer, digest: 'sha256' });
        const parsed = parseSignedData(toIndefiniteLength(der, segment));
        expect(Buffer.compare(parsed.content ?? new Uint8Array(0), content)).toBe(0);
        expect(() => verifySignedData(parsed)).not.toThrow();
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});
