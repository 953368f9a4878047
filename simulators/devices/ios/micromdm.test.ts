/**
 * The emulated iPhone against micromdm's scepserver (Debian package scep 2.1.0), a real SCEP server that real
 * iPhones enrol against. scepserver offers AES, so the request goes out AES-128; its CertRep comes back in
 * single DES (it can encrypt nothing else). iOS accepts such answers — that is why micromdm works with iPhones —
 * so the emulator accepts them too and flags the legacy cipher in the result (RFC 8894 §2.9 forbids DES).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../../../core/pki/pem.js';
import { micromdmUnavailable, startMicromdm, type MicromdmServer } from '../../../core/scep/client-micromdm.test-support.js';
import { KeyPool } from '../key-pool.js';
import { IosDevice } from './device.js';
import { IosProfileError } from './errors.js';
import { buildMobileconfig, subjectToApple } from './profile-builder.js';

const unavailable = micromdmUnavailable();
if (unavailable) console.log(`skipping iOS against micromdm: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('iOS device against micromdm scepserver', () => {
  let server: MicromdmServer;
  let pool: KeyPool;
  beforeAll(async () => {
    [server, pool] = await Promise.all([startMicromdm(), KeyPool.create({ keys: [{ spec: { type: 'rsa', bits: 2048 }, count: 2 }] })]);
  });
  afterAll(() => server?.close());

  const profile = (challenge: string, cn: string) =>
    buildMobileconfig({
      payloads: [
        { type: 'scep', content: { URL: server.url, Name: 'micromdm', Subject: subjectToApple(`CN=${cn},O=mdmca`), Challenge: challenge, Keysize: 2048, 'Key Usage': 5 } },
      ],
    });

  it('enrolls: AES-128 request by POST, single-DES CertRep accepted and flagged, certificate chains to ca.pem', async () => {
    const phone = new IosDevice({ keys: pool.source });
    const result = await phone.installProfile(profile(server.challenge, 'ios-micromdm'));
    expect(result.enrollments[0]).toMatchObject({ method: 'POST', cipher: 'aes-128-cbc', replyCipher: 'des-cbc', digest: 'sha256', legacyCipherUsed: true });
    const path = join(server.depot, 'ios.pem');
    writeFileSync(path, toPem('CERTIFICATE', result.identities[0]!.certificate));
    const verify = spawnSync('openssl', ['verify', '-CAfile', server.caPemPath, path], { encoding: 'utf8' });
    expect(`${verify.stdout}${verify.stderr}`.trim()).toMatch(/: OK$/);
  });

  it('shows "The SCEP server returned an invalid response." for a wrong challenge (micromdm answers FAILURE badRequest)', async () => {
    const phone = new IosDevice({ keys: pool.source });
    const error = await phone.installProfile(profile('wrong', 'ios-micromdm-wrong')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IosProfileError);
    expect((error as IosProfileError).message).toBe('The SCEP server returned an invalid response.');
    expect((error as IosProfileError).detail).toMatch(/badRequest/);
  });
});
