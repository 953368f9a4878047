/**
 * The device API contract (core/engine/http/DEVICE-API.md), route by route and error code by error code, and the
 * engine behaviours around it: configuration CRUD validation, distribution by group, a template failure with the
 * product's text in the certificate logs, Issue Test Certificate, direct SCEP, timings of registration + SCEP
 * proxy enrolment (p50).
 */
import * as plist from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { ScepClient } from '../../core/scep/client.js';
import { PkiStatus } from '../../core/scep/constants.js';
import { startEmbeddedSimulators, type EmbeddedSimulators } from '../../simulators/embedded.js';
import { makeImei } from '../../core/directory/identifiers.js';
import { createDeviceApi, MdmEngine } from '../../core/engine/index.js';
import { systemClock } from '../../core/clock.js';
import { createMemoryStore } from '../../simulators/store/memory.js';
import { loopbackPeer } from '../../core/http.js';
import { scenario } from '../../core/engine/failure-scenarios.js';

/** The body-limit check needs the engine's handler without the adapter in front. */
const engineOf = async () => MdmEngine.create({ store: createMemoryStore(), clock: systemClock });

type Dict = Record<string, unknown>;

describe('MDM device API contract and engine rules', () => {
  let sims: EmbeddedSimulators;
  let mdm: string;
  let admin: string;
  let keys: KeyPair[];
  const call = async (url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    const text = await response.text();
    let json: Dict | undefined;
    try {
      json = text ? (JSON.parse(text) as Dict) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text, headers: response.headers };
  };
  const errorCode = (r: { json?: Dict }) => (r.json?.error as Dict | undefined)?.code;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    [sims, ...keys] = (await Promise.all([startEmbeddedSimulators(), ...Array.from({ length: 6 }, () => generateKeyPair({ type: 'rsa', bits: 2048 }))])) as [EmbeddedSimulators, ...KeyPair[]];
    mdm = sims.url('mdm', 'mdm');
    admin = sims.url('mdm', 'admin');
  });
  afterAll(() => sims?.close());

  it('register: 201, 400 with issues, 401 invalid_credentials, 409 another user, 413 too_large', async () => {
    const ok = await call(`${mdm}/api/v1/register`, 'POST', { username: 'jdoe', password: 'Passw0rd!', platform: 'android', imei: '490154203237518' });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ platform: 'android', deviceId: expect.any(String), token: expect.any(String) });
    const bad = await call(`${mdm}/api/v1/register`, 'POST', { username: 'jdoe', platform: 'blackberry', extra: 1 });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('invalid_request');
    expect(((bad.json!.error as Dict).issues as Dict[]).map((i) => i.path).sort()).toEqual(['', 'password', 'platform']);
    expect((await call(`${mdm}/api/v1/register`, 'POST', '{not json')).status).toBe(400);
    const wrong = await call(`${mdm}/api/v1/register`, 'POST', { username: 'jdoe', password: 'nope', platform: 'ios' });
    expect([wrong.status, errorCode(wrong)]).toEqual([401, 'invalid_credentials']);
    const nobody = await call(`${mdm}/api/v1/register`, 'POST', { username: 'ghost', password: 'x', platform: 'ios' });
    expect([nobody.status, errorCode(nobody)]).toEqual([401, 'invalid_credentials']);
    const stolen = await call(`${mdm}/api/v1/register`, 'POST', { username: 'asmith', password: 'Ldap-Pass1', platform: 'android', imei: '490154203237518' });
    expect([stolen.status, errorCode(stolen)]).toEqual([409, 'conflict']);
    const big = JSON.stringify({ username: 'x'.repeat(1024 * 1024 + 10) });
    // Over a socket the adapter refuses a declared oversize body itself; the engine's own answer is the contract's.
    expect((await call(`${mdm}/api/v1/register`, 'POST', big)).status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) });
    const response = await createDeviceApi(await engineOf())(new Request(`${mdm}/api/v1/register`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit), loopbackPeer);
    expect([response.status, ((await response.json()) as { error: Dict }).error.code]).toEqual([413, 'too_large']);
  });

  it('configurations: 401 invalid_token, 404 not_found, 403 not_distributed; status: 204, 400, 404', async () => {
    const device = (await call(`${mdm}/api/v1/register`, 'POST', { username: 'jdoe', password: 'Passw0rd!', platform: 'ios', udid: '00008030-001A2B3C4D5E6F70' })).json as { deviceId: string; token: string };
    const base = `${mdm}/api/v1/devices/${device.deviceId}/configurations`;
    expect(errorCode(await call(base))).toBe('invalid_token');
    expect((await call(base, 'GET', undefined, bearer('wrong'))).status).toBe(401);
    const other = (await call(`${mdm}/api/v1/register`, 'POST', { username: 'asmith', password: 'Ldap-Pass1', platform: 'ios', serialNumber: 'F2LXK0ABCD12' })).json as { deviceId: string; token: string };
    expect(errorCode(await call(base, 'GET', undefined, bearer(other.token)))).toBe('invalid_token');
    const listed = await call(base, 'GET', undefined, bearer(device.token));
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({ configurations: [{ id: 'scep-identity', name: 'mdmca device identity (SCEP proxy)', type: 'scep', version: 1 }] });
    expect([(await call(`${base}/nope`, 'GET', undefined, bearer(device.token))).status]).toEqual([404]);
    const forbidden = await call(`${base}/pkcs12-identity`, 'GET', undefined, bearer(device.token));
    expect([forbidden.status, errorCode(forbidden)]).toEqual([403, 'not_distributed']);
    expect((await call(`${base}/scep-identity/status`, 'POST', { status: 'installed' }, bearer(device.token))).status).toBe(204);
    expect((await call(`${base}/scep-identity/status`, 'POST', { status: 'done' }, bearer(device.token))).status).toBe(400);
    expect((await call(`${base}/nope/status`, 'POST', { status: 'failed', error: 'x' }, bearer(device.token))).status).toBe(404);
    expect((await call(`${mdm}/api/v1/nothing`)).status).toBe(404);
    expect((await call(`${mdm}/api/v1/register`, 'DELETE')).status).toBe(405);
  });

  it('configuration CRUD validation: every problem with its path', async () => {
    const bad = await call(`${admin}/configurations`, 'POST', { name: 'Bad', ca: 'No such CA', subject: 'CN=${userDisplayname', keySize: 1000, distribution: { mode: 'custom', groups: ['Nobody'] } });
    expect(bad.status).toBe(400);
    expect(((bad.json!.error as Dict).issues as Dict[]).map((i) => i.path)).toEqual(['keySize']);
    const semantic = await call(`${admin}/configurations`, 'POST', { name: 'Bad', ca: 'No such CA', subject: 'CN=${userDisplayname}', distribution: { mode: 'custom', groups: ['Nobody'] } });
    expect(((semantic.json!.error as Dict).issues as Dict[]).map((i) => i.path)).toEqual(['ca', 'distribution.groups[0]', 'subject']);
    const duplicate = await call(`${admin}/configurations`, 'POST', { name: 'mdmca device identity (SCEP proxy)', ca: 'Embedded SCEP CA', subject: 'CN=x', distribution: { mode: 'all' } });
    expect([duplicate.status, errorCode(duplicate)]).toEqual([409, 'conflict']);
    expect((await call(`${admin}/configurations/nope`)).status).toBe(404);
  });

  it('a group distribution reaches only its users; ${userCN} for a local user fails with the product text in the logs', async () => {
    const created = await call(`${admin}/configurations`, 'POST', {
      name: 'LDAP Wi-Fi',
      ca: 'Embedded SCEP CA',
      subject: 'CN=${userCN}',
      distribution: { mode: 'custom', groups: ['Employees'] },
    });
    expect(created.status).toBe(201);
    const id = (created.json!.configuration as Dict).id as string;
    expect((await call(`${admin}/groups`, 'POST', { name: 'Nobody' })).status).toBe(201);
    expect((await call(`${admin}/configurations/${id}/distribution`, 'PUT', { mode: 'custom', groups: ['Nobody'] })).status).toBe(200);
    const jdoe = (await call(`${mdm}/api/v1/register`, 'POST', { username: 'jdoe', password: 'Passw0rd!', platform: 'ios', serialNumber: 'DNPX1234ABCD' })).json as { deviceId: string; token: string };
    const list = async () => ((await call(`${mdm}/api/v1/devices/${jdoe.deviceId}/configurations`, 'GET', undefined, bearer(jdoe.token))).json!.configurations as Dict[]).map((c) => c.id);
    expect(await list()).not.toContain(id);
    expect((await call(`${admin}/groups/Nobody/users/jdoe`, 'PUT')).status).toBe(200);
    expect(await list()).toContain(id);
    const failed = await call(`${mdm}/api/v1/devices/${jdoe.deviceId}/configurations/${id}`, 'GET', undefined, bearer(jdoe.token));
    // The catalogue's text for this scenario is what the device and the logs show.
    const expected = scenario('mobileiron-usercn-without-ldap').error.text.replace(/^Installation Error: /, '');
    expect([failed.status, errorCode(failed), (failed.json!.error as Dict).message]).toEqual([409, 'conflict', expected]);
    const logs = await call(`${admin}/certificates?search=LDAP%20Wi-Fi&status=failed`);
    expect(logs.json!.total).toBe(1);
    expect((logs.json!.certificates as Dict[])[0]).toMatchObject({ userId: 'jdoe', status: 'failed', error: { code: 'needs_ldap', message: 'Variable substitution failed for {UserCN}' } });
    // asmith is an LDAP user: the same configuration works for her.
    const asmith = (await call(`${mdm}/api/v1/register`, 'POST', { username: 'asmith', password: 'Ldap-Pass1', platform: 'android', imei: '356938035643809' })).json as { deviceId: string; token: string };
    expect((await call(`${admin}/groups/Nobody/users/asmith`, 'PUT')).status).toBe(200);
    const android = await call(`${mdm}/api/v1/devices/${asmith.deviceId}/configurations/${id}`, 'GET', undefined, bearer(asmith.token));
    expect(android.status).toBe(200);
    expect(android.json).toMatchObject({ type: 'scep', scep: { subject: 'CN=Alice Smith', keyType: 'rsa', keySize: 2048, url: `${sims.httpUrl}/mdm/scep/${id}` } });
  });

  it('Issue Test Certificate issues (and logs) a test certificate on every save', async () => {
    const created = await call(`${admin}/configurations`, 'POST', { name: 'Tested', ca: 'Embedded SCEP CA', subject: 'CN=${userDisplayName}', issueTestCertificate: true, distribution: { mode: 'none' } });
    expect(created.status).toBe(201);
    expect(created.json!.testCertificate).toMatchObject({ status: 'issued', test: true, userId: 'misys_anonymous', subject: 'CN=anonymous' });
    const tests = await call(`${admin}/certificates?test=true&status=issued`);
    expect(tests.json!.total).toBe(1);
  });

  it('direct SCEP hands the CA URL and challenge to the device; Test Connection answers', async () => {
    const created = await call(`${admin}/configurations`, 'POST', { name: 'Direct', ca: 'Embedded SCEP CA', subject: 'CN=${deviceUUID}', enableProxy: false, distribution: { mode: 'all' } });
    const id = (created.json!.configuration as Dict).id as string;
    const device = (await call(`${mdm}/api/v1/register`, 'POST', { username: 'jdoe', password: 'Passw0rd!', platform: 'android', imei: makeImei('35391805727101') })).json as { deviceId: string; token: string };
    const payload = await call(`${mdm}/api/v1/devices/${device.deviceId}/configurations/${id}`, 'GET', undefined, bearer(device.token));
    expect(payload.json).toMatchObject({ scep: { url: sims.url('scep-ca', 'scep'), challenge: 'mdmca-scep-challenge', subject: `CN=${device.deviceId}` } });
    const test = await call(`${admin}/cas/embedded-scep-ca/test-connection`, 'POST');
    expect(test.json).toMatchObject({ ok: true, message: 'Test Connection successful' });
  });

  it('registration + SCEP proxy enrolment timings (p50 over 6 devices, keys pre-generated)', async () => {
    const times: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const started = performance.now();
      const device = (await call(`${mdm}/api/v1/register`, 'POST', { username: 'jdoe', password: 'Passw0rd!', platform: 'ios', serialNumber: `TIMING${i}X` })).json as { deviceId: string; token: string };
      const profile = plist.parse((await call(`${mdm}/api/v1/devices/${device.deviceId}/configurations/scep-identity`, 'GET', undefined, bearer(device.token))).text) as Dict;
      const scep = ((profile.PayloadContent as Dict[])[1]!.PayloadContent) as Dict;
      const result = await new ScepClient({ url: scep.URL as string }).enroll({ subject: `CN=${device.deviceId},OU=jdoe,O=mdmca`, privateKey: keys[i]!.privateKey, challenge: scep.Challenge as string });
      expect(result.status).toBe(PkiStatus.SUCCESS);
      expect(parseCertificate(result.certificate!).subject.toString()).toBe(`CN=${device.deviceId},OU=jdoe,O=mdmca`);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`register + configuration + SCEP proxy enrolment: p50 ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)} (first includes the connector's one-time CA-signed signer)`);
  });
});
