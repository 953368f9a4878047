/**
 * The engine's admin surface under /__mdmca/<name>/ (DESIGN.md: WireMock-style admin, JSON), what the MDM console
 * does in the guides:
 *
 *   users       GET · POST · GET/PATCH/DELETE :id · PUT :id/password {password}
 *   devices     GET [?userId&platform&label] · POST · POST import (CSV, ?partial=true) · GET/PATCH/DELETE :id ·
 *               POST :id/retire · GET :id/configurations (what is distributed to it)
 *   labels      GET · POST {name, description?} · DELETE :name · PUT/DELETE :name/devices/:deviceId
 *   groups      GET · POST {name, description?} · DELETE :name · PUT/DELETE :name/users/:userId
 *   cas         GET · POST · GET/PUT/DELETE :id · POST :id/test-connection
 *   configurations  GET · POST (201 {configuration, testCertificate?}) · GET/PUT/DELETE :id ·
 *               PUT :id/distribution · POST :id/test-certificate
 *   certificates    GET [?search&user&setting&configurationId&deviceId&status&expiresFrom&expiresTo&test&limit&offset]
 *               · GET :id (with PEM) · POST :id/revoke {reason?} · POST :id/remove (DELETE :id too)
 *   renewals/run    POST {at?} — renew what is due at the engine's clock (or `at`)
 * The clock (GET/POST clock) and faults are added by the simulator registry from simulators/admin-routes.ts.
 */
import { z } from 'zod';
import { importDevicesCsv } from '../../directory/csv-import.js';
import type { DeviceInput, DevicePatch, Platform, UserInput, UserPatch } from '../../directory/model.js';
import { REVOCATION_REASONS, type RevocationReason } from '../../pki/crl.js';
import { toPem } from '../../pki/pem.js';
import type { Handler } from '../../http.js';
import type { CertificateLogQuery, CertificateLogStatus } from '../cert-log.js';
import type { MdmEngine } from '../engine.js';
import { invalid } from '../errors.js';
import { dispatch, engineRoute, json, noContent, readBody, readText } from './routing.js';

const object = z.record(z.string(), z.unknown());
const nameBody = z.object({ name: z.string().min(1).max(128), description: z.string().max(1024).optional() }).strict();
const passwordBody = z.object({ password: z.string().min(1).max(1024) }).strict();
const revokeBody = z.object({ reason: z.enum(REVOCATION_REASONS.filter((r): r is RevocationReason => r !== undefined && r !== 'certificateHold' && r !== 'removeFromCRL') as [RevocationReason, ...RevocationReason[]]).optional() }).strict();
const renewalBody = z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict();
const STATUSES: readonly CertificateLogStatus[] = ['issued', 'revoked', 'removed', 'superseded', 'failed', 'reported'];

function dateParam(url: URL, name: string, endOfDay: boolean): Date | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === '') return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : value);
  if (Number.isNaN(date.getTime())) throw invalid(`${name} must be a date (YYYY-MM-DD) or an ISO 8601 date-time`, [{ path: name, message: 'not a date' }]);
  return date;
}

function intParam(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw invalid(`${name} must be a non-negative integer`, [{ path: name, message: 'not a non-negative integer' }]);
  return Number(value);
}

export function certificateQuery(url: URL): CertificateLogQuery {
  const p = url.searchParams;
  const status = p.getAll('status').flatMap((s) => s.split(',')).filter(Boolean);
  const unknown = status.filter((s) => !STATUSES.includes(s as CertificateLogStatus));
  if (unknown.length) throw invalid(`status must be one of ${STATUSES.join(', ')}`, [{ path: 'status', message: `unknown: ${unknown.join(', ')}` }]);
  const test = p.get('test');
  const query: CertificateLogQuery = {};
  for (const key of ['search', 'user', 'setting', 'configurationId', 'deviceId'] as const) {
    const value = p.get(key);
    if (value) query[key] = value;
  }
  if (status.length) query.status = status as CertificateLogStatus[];
  if (test === 'true' || test === 'false') query.test = test === 'true';
  const from = dateParam(url, 'expiresFrom', false);
  const to = dateParam(url, 'expiresTo', true);
  const limit = intParam(url, 'limit');
  const offset = intParam(url, 'offset');
  return { ...query, ...(from ? { expiresFrom: from } : {}), ...(to ? { expiresTo: to } : {}), ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
}

export function createEngineAdmin(engine: MdmEngine, base: string): Handler {
  const { directory, configurations } = engine;
  const deviceView = (id: string) => {
    const device = directory.requireDevice(id);
    return { ...device, labels: directory.labelsOf(id), configurations: device.status === 'active' ? engine.delivery.listFor(device) : [] };
  };
  const entryView = (id: string) => {
    const entry = engine.requireEntry(id);
    return { ...entry, ...(entry.der ? { pem: toPem('CERTIFICATE', new Uint8Array(Buffer.from(entry.der, 'base64'))) } : {}) };
  };
  const summary = ({ der: _der, ...entry }: ReturnType<MdmEngine['requireEntry']>) => entry;

  return dispatch([
    engineRoute('GET', `${base}`, () =>
      json({
        product: configurations.product,
        users: directory.listUsers().length,
        devices: directory.listDevices().length,
        cas: configurations.listCas().length,
        configurations: configurations.listConfigurations().length,
        certificates: engine.log.search().total,
      }),
    ),
    // users
    engineRoute('GET', `${base}/users`, () => json({ users: directory.listUsers() })),
    engineRoute('POST', `${base}/users`, async ({ request }) => json(directory.addUser((await readBody(request, object)) as UserInput), 201)),
    engineRoute('GET', `${base}/users/:id`, ({ params }) => json({ ...directory.requireUser(params.id!), groups: directory.groupsOf(params.id!) })),
    engineRoute('PATCH', `${base}/users/:id`, async ({ request, params }) => json(directory.updateUser(params.id!, (await readBody(request, object)) as UserPatch))),
    engineRoute('DELETE', `${base}/users/:id`, ({ params }) => (directory.removeUser(params.id!), noContent())),
    engineRoute('PUT', `${base}/users/:id/password`, async ({ request, params }) => {
      const { password } = await readBody(request, passwordBody);
      directory.setPassword(params.id!, password);
      engine.savePasswords();
      return noContent();
    }),
    // devices
    engineRoute('GET', `${base}/devices`, ({ url }) => {
      const platform = url.searchParams.get('platform');
      return json({
        devices: directory.listDevices({
          ...(url.searchParams.get('userId') ? { userId: url.searchParams.get('userId')! } : {}),
          ...(platform ? { platform: platform as Platform } : {}),
          ...(url.searchParams.get('label') ? { label: url.searchParams.get('label')! } : {}),
        }),
      });
    }),
    engineRoute('POST', `${base}/devices`, async ({ request }) => json(directory.addDevice((await readBody(request, object)) as DeviceInput), 201)),
    engineRoute('POST', `${base}/devices/import`, async ({ request, url }) => {
      const result = importDevicesCsv(directory, await readText(request), { partial: url.searchParams.get('partial') === 'true' });
      engine.savePasswords();
      return json(result, result.applied ? 200 : 400);
    }),
    engineRoute('GET', `${base}/devices/:id`, ({ params }) => json(deviceView(params.id!))),
    engineRoute('PATCH', `${base}/devices/:id`, async ({ request, params }) => {
      directory.updateDevice(params.id!, (await readBody(request, object)) as DevicePatch);
      return json(deviceView(params.id!));
    }),
    engineRoute('DELETE', `${base}/devices/:id`, ({ params }) => {
      engine.retireDevice(params.id!);
      directory.removeDevice(params.id!);
      return noContent();
    }),
    engineRoute('POST', `${base}/devices/:id/retire`, ({ params }) => json(engine.retireDevice(params.id!))),
    engineRoute('GET', `${base}/devices/:id/configurations`, ({ params }) => json({ configurations: deviceView(params.id!).configurations })),
    // labels and groups
    engineRoute('GET', `${base}/labels`, () => json({ labels: directory.listLabels() })),
    engineRoute('POST', `${base}/labels`, async ({ request }) => {
      const { name, description } = await readBody(request, nameBody);
      return json(directory.addLabel(name, description), 201);
    }),
    engineRoute('DELETE', `${base}/labels/:name`, ({ params }) => (directory.removeLabel(params.name!), noContent())),
    engineRoute('PUT', `${base}/labels/:name/devices/:deviceId`, ({ params }) => json(directory.applyLabel(params.name!, params.deviceId!))),
    engineRoute('DELETE', `${base}/labels/:name/devices/:deviceId`, ({ params }) => json(directory.removeLabelFrom(params.name!, params.deviceId!))),
    engineRoute('GET', `${base}/groups`, () => json({ groups: directory.listGroups() })),
    engineRoute('POST', `${base}/groups`, async ({ request }) => {
      const { name, description } = await readBody(request, nameBody);
      return json(directory.addGroup(name, description), 201);
    }),
    engineRoute('DELETE', `${base}/groups/:name`, ({ params }) => (directory.removeGroup(params.name!), noContent())),
    engineRoute('PUT', `${base}/groups/:name/users/:userId`, ({ params }) => json(directory.addToGroup(params.name!, params.userId!))),
    engineRoute('DELETE', `${base}/groups/:name/users/:userId`, ({ params }) => json(directory.removeFromGroup(params.name!, params.userId!))),
    // CA configurations
    engineRoute('GET', `${base}/cas`, () => json({ cas: configurations.listCas() })),
    engineRoute('POST', `${base}/cas`, async ({ request }) => json(configurations.createCa(await readBody(request, object)), 201)),
    engineRoute('GET', `${base}/cas/:id`, ({ params }) => json(configurations.requireCa(params.id!))),
    engineRoute('PUT', `${base}/cas/:id`, async ({ request, params }) => json(configurations.updateCa(params.id!, await readBody(request, object)))),
    engineRoute('DELETE', `${base}/cas/:id`, ({ params }) => (configurations.deleteCa(params.id!), noContent())),
    engineRoute('POST', `${base}/cas/:id/test-connection`, async ({ params }) => {
      const ca = configurations.requireCa(params.id!);
      return json(await configurations.connector(ca.id).testConnection());
    }),
    // configurations
    engineRoute('GET', `${base}/configurations`, () => json({ configurations: configurations.listConfigurations() })),
    engineRoute('POST', `${base}/configurations`, async ({ request }) => json(await engine.saveConfiguration(await readBody(request, object)), 201)),
    engineRoute('GET', `${base}/configurations/:id`, ({ params }) => json(configurations.requireConfiguration(params.id!))),
    engineRoute('PUT', `${base}/configurations/:id`, async ({ request, params }) => {
      const id = configurations.requireConfiguration(params.id!).id;
      return json(await engine.saveConfiguration(await readBody(request, object), id));
    }),
    engineRoute('DELETE', `${base}/configurations/:id`, ({ params }) => (configurations.deleteConfiguration(params.id!), noContent())),
    engineRoute('PUT', `${base}/configurations/:id/distribution`, async ({ request, params }) => json(configurations.setDistribution(params.id!, await readBody(request, object)))),
    engineRoute('POST', `${base}/configurations/:id/test-certificate`, async ({ params }) => {
      const entry = await engine.issueTestCertificate(params.id!);
      return json(summary(entry), entry.status === 'failed' ? 422 : 201);
    }),
    // certificate logs
    engineRoute('GET', `${base}/certificates`, ({ url }) => {
      const { total, entries } = engine.log.search(certificateQuery(url));
      return json({ total, certificates: entries.map(summary) });
    }),
    engineRoute('GET', `${base}/certificates/:id`, ({ params }) => json(entryView(params.id!))),
    engineRoute('POST', `${base}/certificates/:id/revoke`, async ({ request, params }) => {
      const { reason } = await readBody(request, revokeBody, { optional: true });
      return json(summary(await engine.revoke(params.id!, reason)));
    }),
    engineRoute('POST', `${base}/certificates/:id/remove`, ({ params }) => json(summary(engine.remove(params.id!)))),
    engineRoute('DELETE', `${base}/certificates/:id`, ({ params }) => json(summary(engine.remove(params.id!)))),
    // renewals
    engineRoute('POST', `${base}/renewals/run`, async ({ request }) => {
      const { at } = await readBody(request, renewalBody, { optional: true });
      return json(await engine.renewals.run(at ? new Date(at) : undefined));
    }),
  ]);
}


