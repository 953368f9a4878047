import { describe, expect, it } from 'vitest';
import type { EnrollmentRequest } from '../connectors/types.js';
import { readFileSync } from 'node:fs';
import { Directory } from '../directory/directory.js';
import type { UserInput } from '../directory/model.js';
import { buildCsr, parseCsr } from '../pki/csr.js';
import { generateKeyPair } from '../pki/keys.js';
import { createMemoryStore } from '../../simulators/store/memory.js';
import { identityConfigurationSchema } from './model.js';
import { ProxyEnrollment } from './proxy-enrollment.js';
import { EngineState, sha256Hex } from './state.js';

const seed = JSON.parse(readFileSync(new URL('../../fixtures/directory/users.json', import.meta.url), 'utf8')) as { users: UserInput[] };
const key = await generateKeyPair({ type: 'rsa', bits: 2048 });

/** A proxy enrolment with the engine's collaborators reduced to what enroll() uses; returns what the connector got. */
async function proxyEnroll(spec: Record<string, unknown>) {
  const directory = new Directory({ newDeviceId: () => 'dev-1' });
  for (const user of seed.users) directory.addUser(user);
  // No UDID: a subject template using ${deviceUDID} cannot be evaluated for this device.
  const device = directory.addDevice({ userId: 'asmith', platform: 'android', imei: '490154203237518', serialNumber: 'R58M12ABCDE' });
  const configuration = { ...identityConfigurationSchema.parse({ kind: 'identity', name: 'c', ca: 'ca', distribution: { mode: 'all' }, ...spec }), id: 'cfg', caId: 'ca' };
  const state = new EngineState(createMemoryStore(), 'mdm');
  const challenge = 'one-time-challenge-0123456789';
  state.challenges.insert(sha256Hex(challenge), { deviceId: device.id, configurationId: 'cfg', generation: 1, subject: 'CN=Alice Smith', expiresAt: '2099-01-01T00:00:00Z' });
  const requests: EnrollmentRequest[] = [];
  const connector = {
    enroll: async (request: EnrollmentRequest) => {
      requests.push(request);
      return { certificate: new Uint8Array([0x30]), chain: [], serialHex: '01', subject: 'CN=Alice Smith', notBefore: new Date(0), notAfter: new Date(1) };
    },
  };
  const failures: unknown[] = [];
  const proxy = new ProxyEnrollment({
    configurations: { findConfiguration: () => configuration, connector: () => connector, productOf: () => 'mobileiron-cloud' } as never,
    directory: { getDevice: () => ({ ...device, status: 'active' }), requireUser: (id: string) => directory.requireUser(id) } as never,
    state,
    log: { get: () => undefined, update: () => undefined } as never,
    issuance: { logIssued: () => ({ id: 'entry-1' }), logFailure: (_c: unknown, _u: unknown, _d: unknown, _s: unknown, error: Error) => (failures.push(error), { error: { message: error.message } }) } as never,
    delivery: { isDistributed: () => true } as never,
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
  });
  const csr = parseCsr(await buildCsr({ subject: 'CN=Alice Smith', privateKey: key.privateKey, challengePassword: challenge }));
  const outcome = await proxy.enroll('cfg', csr, 'tx-1');
  return { outcome, requests, failures };
}

describe('SCEP proxy enrolment: what reaches the connector', () => {
  it('GlobalSign: profile.params are the caParams exactly; fields go apart and never override them', async () => {
    const { outcome, requests } = await proxyEnroll({
      subject: 'CN=${userDisplayName}',
      caParams: { profileId: 'PROFILE-1', productCode: 'EPKIPSPersonal' },
      fields: { profileId: '${userEmailAddress}', email: '${deviceUDID}' },
    });
    expect(outcome.kind).toBe('issued');
    expect(requests[0]!.profile.params).toEqual({ profileId: 'PROFILE-1', productCode: 'EPKIPSPersonal' });
    // email has no value for this device: left out, so a connector's `params.email ?? SAN` fallback still works.
    expect(Object.keys(requests[0]!.profile.fields ?? {})).toEqual(['profileId']);
  });

  it('SCEP: the subject/SAN/email templates are not evaluated again at enrolment (the CSR subject was checked)', async () => {
    // ${deviceUDID} has no value for this device: re-evaluating the subject or email would fail the enrolment.
    const { outcome, requests, failures } = await proxyEnroll({ subject: 'CN=${deviceUDID}', email: '${deviceUDID}' });
    expect(failures).toEqual([]);
    expect(outcome.kind).toBe('issued');
    expect(requests[0]!.profile).toMatchObject({ params: {}, fields: {} });
  });

  it('a field with a template error still fails the proxy request, logged, before the CA is asked', async () => {
    const { outcome, requests, failures } = await proxyEnroll({ subject: 'CN=${userDisplayName}', fields: { seatId: '${noSuchVariable}' } });
    expect(outcome.kind).toBe('failed');
    expect(failures).toHaveLength(1);
    expect(requests).toHaveLength(0);
  });
});
