/**
 * Interop: our client enrolls against micromdm's scepserver (Debian package scep 2.1.0), which answers with a
 * single-DES CertRep: readable under allowLegacyCiphers, a named ScepLegacyCipherError without it. The issued
 * certificate must chain to the depot's ca.pem (openssl verify).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../pki/pem.js';
import { generateKeyPair, type KeyPair } from '../pki/keys.js';
import { ScepClient, ScepLegacyCipherError, type ScepExchange } from './client.js';
import { micromdmUnavailable, startMicromdm, type MicromdmServer } from './client-micromdm.test-support.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';

const unavailable = micromdmUnavailable();
if (unavailable) console.log(`skipping micromdm interop: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('our client against micromdm scepserver', () => {
  let server: MicromdmServer;
  let keys: KeyPair[];
  beforeAll(async () => {
    [server, ...keys] = await Promise.all([startMicromdm(), generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'rsa', bits: 2048 })]) as [MicromdmServer, ...KeyPair[]];
  });
  afterAll(() => server?.close());

  const verifyChain = (certificate: Uint8Array, name: string) => {
    const path = join(server.depot, `${name}.pem`);
    writeFileSync(path, toPem('CERTIFICATE', certificate));
    const result = spawnSync('openssl', ['verify', '-CAfile', server.caPemPath, path], { encoding: 'utf8' });
    return `${result.stdout}${result.stderr}`.trim();
  };

  it('reads caps and the CA certificate', async () => {
    const client = new ScepClient({ url: server.url });
    const caps = await client.getCaCaps();
    expect([...caps.advertised].sort()).toEqual(['AES', 'DES3', 'POSTPKIOperation', 'Renewal', 'SCEPStandard', 'SHA-1', 'SHA-256']);
    const ca = await client.getCaCert();
    expect(ca.form).toBe('certificate');
    expect(ca.contentTypeMatches).toBe(true);
    expect(ca.raCertificates).toHaveLength(0);
    expect(ca.encryptionCertificate).toBe(ca.issuingCa);
  });

  it('enrolls by POST under allowLegacyCiphers, reports the single-DES CertRep, and the certificate chains to ca.pem', async () => {
    const exchanges: ScepExchange[] = [];
    const client = new ScepClient({ url: server.url, allowLegacyCiphers: true, onExchange: (e) => exchanges.push(e) });
    const result = await client.enroll({ subject: 'CN=mdmca interop post,O=mdmca', privateKey: keys[0]!.privateKey, challenge: server.challenge });
    expect(result.status).toBe(PkiStatus.SUCCESS);
    expect(result.method).toBe('POST');
    expect(result.cipher).toBe('aes-128-cbc');
    expect(result.reply.cipher).toBe('des-cbc');
    expect(result.legacyCipherUsed).toBe(true);
    expect(verifyChain(result.certificate!, 'post')).toMatch(/: OK$/);
    const pki = exchanges.find((e) => e.operation === 'PKIOperation')!;
    expect(pki.label).toBe('PKIOperation PKCSReq → CertRep SUCCESS');
    expect(pki.response?.cipher).toBe('des-cbc');
    console.log(`micromdm enrollment timings (ms): ${JSON.stringify(result.timings)}`);
  });

  it('fails with a named ScepLegacyCipherError without allowLegacyCiphers', async () => {
    const client = new ScepClient({ url: server.url });
    const attempt = client.enroll({ subject: 'CN=mdmca interop strict', privateKey: keys[1]!.privateKey, challenge: server.challenge });
    await expect(attempt).rejects.toBeInstanceOf(ScepLegacyCipherError);
    await expect(attempt).rejects.toMatchObject({ code: 'legacy-cipher', cipher: 'des-cbc', direction: 'response', message: expect.stringMatching(/single DES.*RFC 8894 §2\.9/) });
  });

  it('enrolls by GET (percent-escaped base64)', async () => {
    const client = new ScepClient({ url: server.url, allowLegacyCiphers: true, method: 'GET' });
    const result = await client.enroll({ subject: 'CN=mdmca interop get', privateKey: keys[1]!.privateKey, challenge: server.challenge });
    expect(result.method).toBe('GET');
    expect(result.status).toBe(PkiStatus.SUCCESS);
    expect(verifyChain(result.certificate!, 'get')).toMatch(/: OK$/);
  });

  it('gets FAILURE badRequest for a wrong challenge', async () => {
    const client = new ScepClient({ url: server.url, allowLegacyCiphers: true });
    const result = await client.enroll({ subject: 'CN=mdmca interop wrong', privateKey: keys[2]!.privateKey, challenge: 'not the challenge' });
    expect(result.status).toBe(PkiStatus.FAILURE);
    expect(result.failInfo).toBe(FailInfo.badRequest);
  });

  it('renews with RenewalReq signed by the issued certificate', async () => {
    const client = new ScepClient({ url: server.url, allowLegacyCiphers: true });
    const first = await client.enroll({ subject: 'CN=mdmca interop renew', privateKey: keys[2]!.privateKey, challenge: server.challenge });
    const renewed = await client.enroll({
      subject: 'CN=mdmca interop renew',
      privateKey: keys[0]!.privateKey,
      challenge: server.challenge,
      messageType: MessageType.RenewalReq,
      signer: { certificate: first.certificate!, privateKey: keys[2]!.privateKey },
    });
    expect(renewed.status).toBe(PkiStatus.SUCCESS);
    expect(verifyChain(renewed.certificate!, 'renewed')).toMatch(/: OK$/);
  });
});
