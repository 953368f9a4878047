/**
 * What happens around enrolment: distribution (a device outside it gets nothing, a label change delivers),
 * renewal when the engine's clock reaches the renewal period (the device enrols again: iOS with a PKCSReq and the
 * new challenge), revocation that shows in the CA's CRL, and the device API's authentication errors.
 */
import { parseCertificate } from '../../core/pki/certificate.js';
import { parseCrl } from '../../core/pki/crl.js';
import { MdmApiError, MdmClient } from '../../simulators/devices/mdm-client.js';
import { type CheckDefinition, fail, pass, skip } from '../model.js';
import type { DevicesContext } from './context.js';

const CONTRACT = 'core/engine/http/DEVICE-API.md';
const DAY_MS = 86_400_000;

async function apiError(work: Promise<unknown>): Promise<MdmApiError | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    if (error instanceof MdmApiError) return error;
    throw error;
  }
}

export const lifecycleChecks: CheckDefinition<DevicesContext>[] = [
  {
    id: 'DEV-DIST-001',
    title: 'A device outside the distribution gets nothing, and a label change delivers',
    severity: 'error',
    source: 'guide 001 "Distribution Setting"; guide 000 (labels)',
    async run(ctx) {
      if (!ctx.admin) return skip('needs the engine\'s admin surface to create a configuration and apply a label');
      const label = `suite-${ctx.run}-dist`;
      await ctx.ensureLabel(label);
      const ca = await ctx.firstCa();
      const id = await ctx.createConfiguration({ kind: 'root', name: `suite ${ctx.run} root by label`, ca: ca.id, distribution: { mode: 'custom', labels: [label] } });
      const user = await ctx.newUser();
      const phone = ctx.androidAgent();
      const session = await phone.register(ctx.mdmUrl, user.username, user.password);
      const before = await phone.updateConfiguration();
      if (before.configurations.some((c) => c.id === id)) return fail('the configuration was listed for a device without the label');
      const refused = await apiError(session.client.fetchConfiguration(id));
      if (refused?.status !== 403 || refused.code !== 'not_distributed') {
        return fail('fetching a configuration that is not distributed to the device was not refused with 403 not_distributed', { observed: refused ? `${refused.status} ${refused.code}` : 'delivered', expected: '403 not_distributed' });
      }
      await ctx.adminCall('PUT', `/labels/${encodeURIComponent(label)}/devices/${encodeURIComponent(phone.deviceId!)}`);
      const after = await phone.updateConfiguration();
      const delivered = after.configurations.find((c) => c.id === id);
      if (delivered?.outcome !== 'installed') return fail('after the label was applied the configuration was not installed', { observed: JSON.stringify(after.configurations) });
      return pass('not listed and 403 not_distributed without the label; installed at the next update once labelled');
    },
  },
  {
    id: 'DEV-RENEW-001',
    title: 'Moving the clock into the renewal period makes iOS and Android devices enrol again',
    severity: 'error',
    source: 'guide 004 "Automatic Certificate Renewal"; anchors-scep-mdm.md §4 (iOS renews by PKCSReq with the challenge)',
    async run(ctx) {
      if (!ctx.admin) return skip('needs the engine\'s admin surface (clock and renewals)');
      const label = `suite-${ctx.run}-renew`;
      await ctx.ensureLabel(label);
      const ca = await ctx.firstCa();
      const id = await ctx.createConfiguration({
        name: `suite ${ctx.run} renewing identity`,
        ca: ca.id,
        certificateType: 'device',
        subject: 'CN=${deviceUUID},OU=${userUID},O=mdmca suite renewal',
        enableProxy: true,
        autoRenewal: { enabled: true, daysBeforeExpiry: 30 },
        distribution: { mode: 'custom', labels: [label] },
      });
      const user = await ctx.newUser();
      const ios = ctx.iosDevice();
      const android = ctx.androidAgent();
      await ios.register(ctx.mdmUrl, user.username, user.password);
      await android.register(ctx.mdmUrl, user.username, user.password);
      for (const device of [ios.deviceId!, android.deviceId!]) await ctx.adminCall('PUT', `/labels/${encodeURIComponent(label)}/devices/${encodeURIComponent(device)}`);
      await ios.sync();
      await android.updateConfiguration();
      const serialOf = () => ({
        ios: ios.keychain.identities().find((i) => i.profileIdentifier.includes(id)) ?? ios.keychain.identities().at(-1),
        android: android.keystore.keyPairs().find((e) => e.configurationId === id),
      });
      const first = serialOf();
      if (!first.ios || !first.android) return fail('the renewing configuration was not installed on both devices');
      const notAfter = Math.min(parseCertificate(first.ios.certificate).notAfter.getTime(), parseCertificate(first.android.certificate).notAfter.getTime());
      const { now } = await ctx.adminCall<{ now: string }>('GET', '/clock');
      const advance = notAfter - 29 * DAY_MS - new Date(now).getTime();
      await ctx.advanceClock(advance);
      try {
        const run = await ctx.adminCall<{ renewed: Array<{ configurationId: string; action: string }> }>('POST', '/renewals/run', {});
        const requested = run.renewed.filter((r) => r.configurationId === id);
        if (requested.length < 2) return fail('the renewal run did not ask both devices to enrol again', { observed: JSON.stringify(run.renewed), expected: '2 actions for the configuration' });
        const iosResult = await ios.sync();
        const androidResult = await android.updateConfiguration();
        const second = serialOf();
        const renewedIos = iosResult.configurations.find((c) => c.id === id)?.outcome === 'installed' && second.ios && parseCertificate(second.ios.certificate).serialHex !== parseCertificate(first.ios.certificate).serialHex;
        const renewedAndroid = androidResult.configurations.find((c) => c.id === id)?.outcome === 'installed' && second.android && parseCertificate(second.android.certificate).serialHex !== parseCertificate(first.android.certificate).serialHex;
        if (!renewedIos || !renewedAndroid) {
          return fail(`renewed: iOS ${renewedIos ? 'yes' : 'no'}, Android ${renewedAndroid ? 'yes' : 'no'}`, { observed: JSON.stringify([...iosResult.configurations, ...androidResult.configurations]) });
        }
        return pass(`clock moved ${(advance / DAY_MS).toFixed(0)} days; both devices enrolled again and hold new certificates`);
      } finally {
        await ctx.advanceClock(-advance);
      }
    },
  },
  {
    id: 'DEV-REVOKE-001',
    title: 'A certificate revoked in the engine appears in the CA\'s CRL',
    severity: 'error',
    source: 'guide 001 (certificate logs: Revoke); RFC 5280 §5',
    async run(ctx) {
      if (!ctx.admin) return skip('needs the engine\'s admin surface (certificate logs)');
      const user = await ctx.newUser();
      const phone = ctx.androidAgent();
      await phone.register(ctx.mdmUrl, user.username, user.password);
      await phone.updateConfiguration();
      const identity = phone.keystore.keyPairs()[0];
      if (!identity) return skip('no identity is distributed to a new device');
      const certificate = parseCertificate(identity.certificate);
      const points = certificate.extensions.crlDistributionPoints ?? [];
      if (!points.length) return skip('the certificate names no CRL distribution point');
      const { certificates } = await ctx.adminCall<{ certificates: Array<{ id: string; serialHex?: string }> }>('GET', `/certificates?deviceId=${encodeURIComponent(phone.deviceId!)}&status=issued`);
      const entry = certificates.find((c) => c.serialHex === certificate.serialHex);
      if (!entry) return fail(`the certificate log has no issued entry with serial ${certificate.serialHex}`);
      await ctx.adminCall('POST', `/certificates/${encodeURIComponent(entry.id)}/revoke`, { reason: 'keyCompromise' });
      const response = await fetch(points[0]!, { signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) return fail(`the CRL at ${points[0]} answered HTTP ${response.status}`);
      const crl = parseCrl(new Uint8Array(await response.arrayBuffer()));
      const listed = crl.entries.find((e) => e.serialHex === certificate.serialHex);
      return listed ? pass(`serial ${certificate.serialHex} is on the CRL${listed.reason ? ` (${listed.reason})` : ''}`) : fail(`serial ${certificate.serialHex} is not on the CRL at ${points[0]}`, { observed: `${crl.entries.length} entries` });
    },
  },
  {
    id: 'DEV-AUTH-001',
    title: 'Registration with a wrong password and calls with another device\'s token are refused (401)',
    severity: 'error',
    source: CONTRACT,
    async run(ctx) {
      const user = await ctx.newUser();
      const wrong = await apiError(new MdmClient({ baseUrl: ctx.mdmUrl }).register({ username: user.username, password: `${user.password}-wrong`, platform: 'ios' }));
      if (wrong?.status !== 401 || wrong.code !== 'invalid_credentials') return fail('a wrong password was not refused with 401 invalid_credentials', { observed: wrong ? `${wrong.status} ${wrong.code}` : 'registered' });
      const a = new MdmClient({ baseUrl: ctx.mdmUrl });
      const b = new MdmClient({ baseUrl: ctx.mdmUrl });
      await a.register({ username: user.username, password: user.password, platform: 'ios', serialNumber: `SUITEA${ctx.run}`.toUpperCase() });
      await b.register({ username: user.username, password: user.password, platform: 'ios', serialNumber: `SUITEB${ctx.run}`.toUpperCase() });
      // a's token on b's device.
      a.registration = { ...a.registration!, deviceId: b.deviceId };
      const foreign = await apiError(a.listConfigurations());
      if (foreign?.status !== 401) return fail('a token was accepted for another device', { observed: foreign ? `${foreign.status} ${foreign.code}` : 'accepted', expected: '401 invalid_token' });
      return pass(`wrong password: 401 ${wrong.code}; foreign token: 401 ${foreign.code}`);
    },
  },
];
