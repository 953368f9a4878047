/** The per-reply classification of the load generator: the status attributes of real CertReps, read by walking. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FailInfo, PkiStatus } from '../core/scep/constants.js';
import { buildCertRep } from '../core/scep/messages.js';
import { loadTestPki, type TestPki } from '../fixtures/test-pki.js';
import { fallbackStatus } from './certrep-fallback.js';
import { classifyCertRep, readCertRepStatus } from './certrep-status.js';
import { summarizeLatencies } from './load.js';

const FIXTURE = fileURLToPath(new URL('../../shared/fixtures/micromdm-scep/CertRep.der', import.meta.url));

let pki: TestPki;
beforeAll(async () => {
  pki = await loadTestPki();
});

const reply = (status: PkiStatus, extra: object = {}) =>
  buildCertRep({
    transactionId: 'tx',
    recipientNonce: new Uint8Array(16).fill(7),
    status,
    signer: { certificate: pki.identities['scep-ra'].certificate, privateKey: pki.identities['scep-ra'].privateKey },
    ...extra,
  });

describe('CertRep status reading', () => {
  it('classifies SUCCESS, FAILURE with its failInfo and text, and PENDING', async () => {
    const success = await reply(PkiStatus.SUCCESS, { certificates: [pki.issuingCa.certificate], encryptTo: pki.identities['scep-ra'].certificate });
    expect(readCertRepStatus(success)).toEqual({ messageType: 3, pkiStatus: 0 });
    expect(classifyCertRep(readCertRepStatus(success))).toBeUndefined();

    const failure = await reply(PkiStatus.FAILURE, { failInfo: FailInfo.badRequest, failInfoText: 'the challengePassword is incorrect' });
    expect(readCertRepStatus(failure)).toMatchObject({ pkiStatus: 2, failInfo: 2, failInfoText: 'the challengePassword is incorrect' });
    expect(classifyCertRep(readCertRepStatus(failure))).toBe('FAILURE badRequest: the challengePassword is incorrect');

    expect(classifyCertRep(readCertRepStatus(await reply(PkiStatus.PENDING)))).toBe('PENDING');
  });

  it('calls anything else unreadable, and the fallback reads BER the walker cannot', async () => {
    expect(readCertRepStatus(new Uint8Array([0x30, 0x80, 0, 0]))).toBeUndefined();
    expect(classifyCertRep(undefined)).toBe('unreadable CertRep');
    expect(fallbackStatus(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  it.skipIf(!existsSync(FIXTURE))('reads micromdm\'s CertRep (a SUCCESS)', () => {
    const der = new Uint8Array(readFileSync(FIXTURE));
    expect(classifyCertRep(readCertRepStatus(der) ?? fallbackStatus(der))).toBeUndefined();
  });
});

describe('latency summary', () => {
  it('gives nearest-rank percentiles', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeLatencies(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
    expect(summarizeLatencies(new Float64Array(0)).p99).toBe(0);
  });
});
