/**
 * Enrolment through the engine, device → engine → CA: an iPhone and a Mobile@Work-style Android agent register,
 * install what is distributed (SCEP with the key made on the device, DER and BER; PKCS#12 made by the MDM in
 * legacy encryption), and report it; the engine's certificate log must know the certificate.
 */
import { parseCertificate } from '../../core/pki/certificate.js';
import { publicKeyOf, spkiDer } from '../../core/pki/keys.js';
import type { AndroidAgent } from '../../simulators/devices/android/agent.js';
import type { IosDevice } from '../../simulators/devices/ios/device.js';
import { MdmClient } from '../../simulators/devices/mdm-client.js';
import type { SyncResult } from '../../simulators/devices/mdm-session.js';
import { parseMobileconfig } from '../../simulators/devices/ios/mobileconfig.js';
import { type CheckDefinition, type CheckOutcome, fail, pass, skip } from '../model.js';
import type { DevicesContext } from './context.js';

const CONTRACT = 'core/engine/http/DEVICE-API.md';

/** Fails with the first install error, or when nothing was distributed. */
function syncProblem(result: SyncResult): CheckOutcome | undefined {
  const failed = result.configurations.find((c) => c.outcome === 'failed');
  if (failed) return fail(`configuration "${failed.name}" failed: ${failed.error}`, { observed: failed.error ?? '' });
  const unreported = result.configurations.find((c) => c.statusError);
  if (unreported) return fail(`the status report of "${unreported.name}" failed: ${unreported.statusError}`);
  if (result.installed === 0) return fail('no configuration is distributed to a new device of a new user');
  return undefined;
}

/** With admin: the engine's certificate log has the serials the device reported. */
async function loggedSerials(ctx: DevicesContext, deviceId: string): Promise<string[] | undefined> {
  if (!ctx.admin) return undefined;
  const { certificates } = await ctx.adminCall<{ certificates: Array<{ serialHex?: string }> }>('GET', `/certificates?deviceId=${encodeURIComponent(deviceId)}`);
  return certificates.map((c) => c.serialHex ?? '').filter(Boolean);
}

async function enrollIos(ctx: DevicesContext): Promise<{ phone: IosDevice; result: SyncResult }> {
  const user = await ctx.newUser();
  const phone = ctx.iosDevice();
  await phone.register(ctx.mdmUrl, user.username, user.password);
  return { phone, result: await phone.sync() };
}

async function enrollAndroid(ctx: DevicesContext, ber: boolean): Promise<{ phone: AndroidAgent; result: SyncResult }> {
  const user = await ctx.newUser();
  const phone = ctx.androidAgent({ ber });
  await phone.register(ctx.mdmUrl, user.username, user.password);
  return { phone, result: await phone.updateConfiguration() };
}

async function androidOutcome(ctx: DevicesContext, ber: boolean): Promise<CheckOutcome> {
  const { phone, result } = await enrollAndroid(ctx, ber);
  const problem = syncProblem(result);
  if (problem) return problem;
  const scep = phone.keystore.keyPairs().find((entry) => entry.source === 'scep');
  if (!scep) return fail('no SCEP identity was distributed to an Android device', { observed: JSON.stringify(result.configurations) });
  const logged = await loggedSerials(ctx, phone.deviceId!);
  const serial = parseCertificate(scep.certificate).serialHex;
  if (logged && !logged.includes(serial)) return fail(`the engine's certificate log has no entry for serial ${serial}`, { observed: logged.join(', '), expected: serial });
  return pass(`installed under alias "${scep.alias}" (serial ${serial}${ber ? ', BER pkiMessages' : ''})`);
}

export const enrollChecks: CheckDefinition<DevicesContext>[] = [
  {
    id: 'DEV-IOS-001',
    title: 'An iPhone registers, installs the distributed profiles and reports them',
    severity: 'error',
    source: `${CONTRACT}; anchors-scep-mdm.md §4, §6`,
    async run(ctx) {
      const { phone, result } = await enrollIos(ctx);
      const problem = syncProblem(result);
      if (problem) return problem;
      const identity = phone.keychain.identities()[0];
      if (!identity) return fail('the profiles held no identity (SCEP or PKCS#12 payload)');
      const certificate = parseCertificate(identity.certificate);
      if (Buffer.compare(certificate.spkiDer, spkiDer(publicKeyOf(identity.privateKey))) !== 0) return fail('the installed certificate is not for the device key');
      const logged = await loggedSerials(ctx, phone.deviceId!);
      if (logged && !logged.includes(certificate.serialHex)) return fail(`the engine's certificate log has no entry for serial ${certificate.serialHex}`, { observed: logged.join(', '), expected: certificate.serialHex });
      return pass(`${result.installed} configuration(s) installed; identity ${certificate.subject.toString()} (serial ${certificate.serialHex})`);
    },
  },
  {
    id: 'DEV-IOS-002',
    title: 'The .mobileconfig the engine serves uses only Apple\'s keys, with a challenge for SCEP',
    severity: 'warning',
    source: 'anchors-scep-mdm.md §6 (apple/device-management com.apple.security.scep)',
    fix: 'Write Apple\'s key names ("Key Type", "Key Usage", "Keysize"), Subject as nested arrays, and a Challenge.',
    async run(ctx) {
      const user = await ctx.newUser();
      const client = new MdmClient({ baseUrl: ctx.mdmUrl });
      await client.register({ username: user.username, password: user.password, platform: 'ios' });
      const configurations = await client.listConfigurations();
      const notes: string[] = [];
      let scep = 0;
      for (const configuration of configurations) {
        const body = await client.fetchConfiguration(configuration.id);
        if (body.contentType !== 'application/x-apple-aspen-config') notes.push(`${configuration.name}: served as ${body.contentType}`);
        const profile = parseMobileconfig(body.body);
        notes.push(...profile.warnings);
        for (const payload of profile.payloads) {
          if (payload.kind !== 'scep') continue;
          scep++;
          if (!payload.settings.challenge) notes.push(`${configuration.name}: the SCEP payload has no Challenge`);
          if (payload.settings.subject.length === 0) notes.push(`${configuration.name}: the SCEP payload has no Subject`);
        }
      }
      if (configurations.length === 0) return skip('nothing is distributed to a new device');
      return notes.length ? fail(notes.join('; '), { observed: notes.join('; ') }) : pass(`${configurations.length} profile(s), ${scep} SCEP payload(s), all keys understood`);
    },
  },
  {
    id: 'DEV-AND-001',
    title: 'An Android agent registers, enrolls by SCEP with a key made on the device, and reports it',
    severity: 'error',
    source: `${CONTRACT}; anchors-scep-mdm.md §7`,
    run: (ctx) => androidOutcome(ctx, false),
  },
  {
    id: 'DEV-AND-002',
    title: 'SCEP requests in BER with indefinite lengths (BouncyCastle, as Android agents send them) are accepted',
    severity: 'error',
    source: 'anchors-scep-mdm.md §2, §4 (micromdm/scep#20, #79; Fleet #38579)',
    fix: 'Parse pkiMessages as BER, not strict DER: indefinite lengths and constructed OCTET STRINGs are valid CMS.',
    run: (ctx) => androidOutcome(ctx, true),
  },
  {
    id: 'DEV-AND-003',
    title: 'A PKCS#12 made by the MDM in legacy encryption is installed under its alias',
    severity: 'error',
    source: `${CONTRACT}; guide 000 "Cache locally generated keys"`,
    async run(ctx) {
      if (!ctx.admin) return skip('needs the engine\'s admin surface to create a PKCS#12 configuration');
      const label = `suite-${ctx.run}-pkcs12`;
      await ctx.ensureLabel(label);
      const ca = await ctx.firstCa();
      const id = await ctx.createConfiguration({
        name: `suite ${ctx.run} legacy PKCS#12`,
        ca: ca.id,
        certificateType: 'device',
        subject: 'CN=${deviceUUID},OU=${userUID},O=mdmca suite',
        cacheLocallyGeneratedKeys: true,
        pkcs12Form: 'legacy',
        distribution: { mode: 'custom', labels: [label] },
      });
      const user = await ctx.newUser();
      const phone = ctx.androidAgent();
      await phone.register(ctx.mdmUrl, user.username, user.password);
      await ctx.adminCall('PUT', `/labels/${encodeURIComponent(label)}/devices/${encodeURIComponent(phone.deviceId!)}`);
      const result = await phone.updateConfiguration();
      const mine = result.configurations.find((c) => c.id === id);
      if (!mine) return fail('the labelled device was not offered the PKCS#12 configuration', { observed: JSON.stringify(result.configurations.map((c) => c.name)) });
      if (mine.outcome !== 'installed') return fail(`the PKCS#12 configuration failed: ${mine.error}`);
      const install = phone.installs.get(id);
      if (install?.pkcs12?.form !== 'legacy') return fail('the PFX is not in legacy encryption', { observed: install?.pkcs12?.keyEncryption ?? 'none', expected: 'pbeWithSHAAnd3-KeyTripleDES-CBC' });
      const entry = phone.keystore.get(install.alias!);
      return entry?.source === 'pkcs12' ? pass(`installed under alias "${install.alias}" (${install.pkcs12.keyEncryption}, MAC ${install.pkcs12.mac})`) : fail('nothing was installed under the alias');
    },
  },
];
