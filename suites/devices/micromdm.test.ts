/**
 * A real SCEP server as the engine's CA: micromdm's scepserver (Debian package scep 2.1.0). The engine gets a CA
 * configuration for it and an identity configuration with "Enable Proxy" off, so the profile sends the devices
 * straight to scepserver with its static challenge; scepserver answers in single DES, which both device emulators
 * accept (as iOS and BouncyCastle-based agents do) and flag. The issued certificates must chain to scepserver's
 * CA (openssl verify), and the engine must log what the devices report.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/pki/certificate.js';
import { toPem } from '../../core/pki/pem.js';
import { micromdmUnavailable, startMicromdm, type MicromdmServer } from '../../core/scep/client-micromdm.test-support.js';
import { adminCall } from '../../simulators/devices/engine-admin.js';
import { KeyPool } from '../../simulators/devices/key-pool.js';
import { type EmbeddedSimulators, startEmbeddedSimulators } from '../../simulators/embedded.js';
import { DevicesContext } from './context.js';

const unavailable = micromdmUnavailable();
if (unavailable) console.log(`skipping devices through the engine to micromdm: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('devices → engine → micromdm scepserver as the CA', () => {
  let server: MicromdmServer;
  let simulators: EmbeddedSimulators;
  let ctx: DevicesContext;
  let configurationId: string;
  const label = 'micromdm-devices';

  beforeAll(async () => {
    let pool: KeyPool;
    [server, simulators, pool] = await Promise.all([startMicromdm(), startEmbeddedSimulators(), KeyPool.create({ keys: [{ spec: { type: 'rsa', bits: 2048 }, count: 2 }] })]);
    const admin = simulators.url('mdm', 'admin');
    ctx = await DevicesContext.create({ role: 'mdm', kind: 'url', url: simulators.url('mdm', 'mdm'), admin }, { record: () => undefined }, { keys: pool.source });
    await adminCall(admin, 'POST', '/cas', { name: 'micromdm scepserver', type: 'scep', url: server.url, challenge: server.challenge, allowLegacyCiphers: true });
    await ctx.ensureLabel(label);
    // Only the labelled devices get it; the embedded SCEP-proxy identity stays with everyone else.
    await adminCall(admin, 'PUT', '/configurations/scep-identity/distribution', { mode: 'none' });
    configurationId = await ctx.createConfiguration({
      name: 'micromdm identity (direct SCEP)',
      ca: 'micromdm scepserver',
      certificateType: 'device',
      subject: 'CN=${deviceUUID},O=mdmca micromdm',
      enableProxy: false,
      distribution: { mode: 'custom', labels: [label] },
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await simulators?.close();
    await server?.close();
  });

  const verify = (certificate: Uint8Array, name: string) => {
    const path = join(server.depot, `${name}.pem`);
    writeFileSync(path, toPem('CERTIFICATE', certificate));
    const result = spawnSync('openssl', ['verify', '-CAfile', server.caPemPath, path], { encoding: 'utf8' });
    return `${result.stdout}${result.stderr}`.trim();
  };

  const loggedSerials = async (deviceId: string) =>
    ((await ctx.adminCall('GET', `/certificates?deviceId=${deviceId}`)) as { certificates: Array<{ serialHex?: string; status: string }> }).certificates;

  it('an iPhone enrolls at scepserver from the engine\'s profile; the engine logs the reported certificate', async () => {
    const user = await ctx.newUser();
    const phone = ctx.iosDevice();
    await phone.register(ctx.mdmUrl, user.username, user.password);
    await ctx.adminCall('PUT', `/labels/${label}/devices/${phone.deviceId}`);
    const result = await phone.sync();
    expect(result.configurations.map((c) => [c.id, c.outcome, c.error])).toEqual([[configurationId, 'installed', undefined]]);
    const identity = phone.keychain.identities()[0]!;
    expect(verify(identity.certificate, 'ios')).toMatch(/: OK$/);
    const serial = parseCertificate(identity.certificate).serialHex;
    expect(await loggedSerials(phone.deviceId!)).toEqual([expect.objectContaining({ serialHex: serial, status: 'reported' })]);
  });

  it('an Android agent enrolls at scepserver with DER pkiMessages', async () => {
    const user = await ctx.newUser();
    const phone = ctx.androidAgent();
    await phone.register(ctx.mdmUrl, user.username, user.password);
    await ctx.adminCall('PUT', `/labels/${label}/devices/${phone.deviceId}`);
    const result = await phone.updateConfiguration();
    const outcome = result.configurations.find((c) => c.id === configurationId)!;
    expect([outcome.outcome, outcome.error]).toEqual(['installed', undefined]);
    expect(phone.installs.get(configurationId)!.scep).toMatchObject({ ber: false, replyCipher: 'des-cbc', legacyCipherUsed: true });
    expect(verify(phone.keystore.keyPairs()[0]!.certificate, 'android')).toMatch(/: OK$/);
  });

  it('reproduces the field failure: scepserver 2.1.0 refuses BER pkiMessages from a BouncyCastle-style agent (HTTP 500, digest mismatch)', async () => {
    // micromdm/scep#20, #79, Fleet #38579: Go's ber2der mangles the segmented eContent. OpenSSL and our server
    // verify the same message (android/ber.test.ts), so the fault is scepserver's; the engine hears "failed".
    const user = await ctx.newUser();
    const phone = ctx.androidAgent({ ber: true });
    await phone.register(ctx.mdmUrl, user.username, user.password);
    await ctx.adminCall('PUT', `/labels/${label}/devices/${phone.deviceId}`);
    const result = await phone.updateConfiguration();
    const outcome = result.configurations.find((c) => c.id === configurationId)!;
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toMatch(/HTTP 500: pkcs7: Message digest mismatch/);
    expect(phone.keystore.keyPairs()).toHaveLength(0);
  });
});
