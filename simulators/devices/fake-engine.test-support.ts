/**
 * A small stand-in for the MDM engine's device API (core/engine/http/DEVICE-API.md), so the devices and the fleet are
 * tested against the contract independently of core/engine: users with passwords, a root configuration and one
 * identity configuration per platform (SCEP straight to the test SCEP CA, or a PKCS#12 made here), a
 * distribution predicate, versions that a test can bump, and the status reports devices send. Tests only.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Handler } from '../../core/http.js';
import { publicKeyOf } from '../../core/pki/keys.js';
import { buildPkcs12 } from '../../core/pki/pkcs12.js';
import { createRouter, HttpError, json, readJson, route } from '../router.js';
import { type FetchLike, handlerFetch } from './fetch.js';
import { buildMobileconfig, subjectToApple } from './ios/profile-builder.js';
import type { KeySource } from './key-pool.js';
import type { TestScepCa } from './scep-ca.test-support.js';

export const FAKE_MDM_URL = 'http://mdm.test/mdm';

export interface FakeEngineOptions {
  ca: TestScepCa;
  /** How each platform gets its identity. Default SCEP for both. */
  identity?: { ios?: 'scep' | 'pkcs12'; android?: 'scep' | 'pkcs12' };
  pkcs12Form?: 'modern' | 'legacy';
  /** Keys for server-generated PKCS#12 identities. */
  keys?: KeySource;
  keySize?: 1024 | 2048;
  /** Which users get the configurations; default everyone. */
  distributedTo?: (username: string) => boolean;
}

interface FakeDevice {
  id: string;
  token: string;
  username: string;
  platform: 'ios' | 'android';
  serialNumber?: string;
}

export interface FakeStatus {
  deviceId: string;
  configurationId: string;
  status: 'installed' | 'failed';
  certificateSerial?: string;
  error?: string;
}

export interface FakeEngine {
  handler: Handler;
  /** Routes /mdm to the engine and everything else to the SCEP CA. */
  fetch: FetchLike;
  url: string;
  devices: Map<string, FakeDevice>;
  statuses: FakeStatus[];
  addUser(username: string, password: string): void;
  /** A new version of the identity configuration: devices install it again at their next update. */
  bumpIdentityVersion(): void;
}

const RegisterBody = z.object({
  username: z.string(),
  password: z.string(),
  platform: z.enum(['ios', 'android']),
  serialNumber: z.string().optional(),
  udid: z.string().optional(),
  imei: z.string().optional(),
  phoneNumber: z.string().optional(),
  model: z.string().optional(),
  osVersion: z.string().optional(),
});
const StatusBody = z.object({ status: z.enum(['installed', 'failed']), certificateSerial: z.string().optional(), error: z.string().optional() });

export function createFakeEngine(options: FakeEngineOptions): FakeEngine {
  const users = new Map<string, string>();
  const devices = new Map<string, FakeDevice>();
  const statuses: FakeStatus[] = [];
  let identityVersion = 1;
  const { ca } = options;
  const identityKind = (platform: 'ios' | 'android') => options.identity?.[platform] ?? 'scep';

  const authenticate = (request: Request, deviceId: string): FakeDevice => {
    const token = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
    const device = devices.get(deviceId);
    if (!token || !device || device.token !== token) throw new HttpError(401, 'invalid_token', 'missing or wrong bearer token');
    return device;
  };
  const list = (device: FakeDevice) =>
    options.distributedTo && !options.distributedTo(device.username)
      ? []
      : [
          { id: 'root', name: 'Corporate root', type: 'root' as const, version: 1 },
          { id: 'identity', name: 'Device identity', type: identityKind(device.platform), version: identityVersion },
        ];

  const pkcs12For = async (device: FakeDevice) => {
    if (!options.keys) throw new HttpError(409, 'conflict', 'the fake engine has no key source for PKCS#12');
    const key = await options.keys({ type: 'rsa', bits: options.keySize ?? 2048 });
    const issued = await ca.sim.ca.issue({ subject: `CN=${device.username} ${device.id.slice(0, 8)},O=mdmca`, publicKey: publicKeyOf(key.privateKey) });
    const password = randomUUID();
    const form = options.pkcs12Form ?? 'modern';
    return { der: buildPkcs12({ privateKey: key.privateKey, certificate: issued.der, chain: [ca.pki.issuingCa.certificate], password, form }), password, form };
  };

  const configuration = async (device: FakeDevice, id: string): Promise<Response> => {
    const entry = list(device).find((c) => c.id === id);
    if (!entry) throw new HttpError(403, 'not_distributed', `configuration ${id} is not distributed to this device`);
    const subject = `CN=${device.username} ${device.serialNumber ?? device.id.slice(0, 8)},O=mdmca`;
    const root = ca.pki.root.certificate;
    if (device.platform === 'ios') {
      const payloads =
        id === 'root'
          ? [{ type: 'root' as const, certificate: root }]
          : entry.type === 'pkcs12'
            ? await (async () => {
                const p12 = await pkcs12For(device);
                return [{ type: 'pkcs12' as const, data: p12.der, password: p12.password }];
              })()
            : [
                {
                  type: 'scep' as const,
                  content: {
                    URL: ca.url,
                    Name: 'mdmca',
                    Subject: subjectToApple(subject),
                    Challenge: ca.challenge,
                    Keysize: options.keySize ?? 2048,
                    'Key Type': 'RSA',
                    'Key Usage': 5,
                    SubjectAltName: { rfc822Name: `${device.username}@example.com` },
                  },
                },
              ];
      return new Response(buildMobileconfig({ identifier: `com.mdmca.fake.${id}`, payloads }), { headers: { 'content-type': 'application/x-apple-aspen-config' } });
    }
    const base = { id, name: entry.name, version: entry.version };
    if (id === 'root') return json({ ...base, type: 'root', alias: 'corp-root', certificate: Buffer.from(root).toString('base64') });
    if (entry.type === 'pkcs12') {
      const p12 = await pkcs12For(device);
      return json({ ...base, type: 'pkcs12', alias: 'identity', pkcs12: Buffer.from(p12.der).toString('base64'), password: p12.password, form: p12.form });
    }
    return json({
      ...base,
      type: 'scep',
      alias: 'identity',
      scep: { url: ca.url, challenge: ca.challenge, subject, subjectAltNames: [{ type: 'email', value: `${device.username}@example.com` }], keyType: 'rsa', keySize: options.keySize ?? 2048 },
    });
  };

  const handler = createRouter([
    route('POST', '/mdm/api/v1/register', async ({ request }) => {
      const body = await readJson(request, RegisterBody);
      if (users.get(body.username) !== body.password) throw new HttpError(401, 'invalid_credentials', 'wrong user name or password');
      const device: FakeDevice = { id: randomUUID(), token: randomUUID(), username: body.username, platform: body.platform, ...(body.serialNumber ? { serialNumber: body.serialNumber } : {}) };
      devices.set(device.id, device);
      return json({ deviceId: device.id, token: device.token, platform: device.platform }, 201);
    }),
    route('GET', '/mdm/api/v1/devices/:deviceId/configurations', ({ request, params }) => json({ configurations: list(authenticate(request, params.deviceId)) })),
    route('GET', '/mdm/api/v1/devices/:deviceId/configurations/:id', ({ request, params }) => configuration(authenticate(request, params.deviceId), params.id)),
    route('POST', '/mdm/api/v1/devices/:deviceId/configurations/:id/status', async ({ request, params }) => {
      const device = authenticate(request, params.deviceId);
      const body = await readJson(request, StatusBody);
      statuses.push({ deviceId: device.id, configurationId: params.id, ...body });
      return new Response(null, { status: 204 });
    }),
  ]);
  const engineFetch = handlerFetch(handler);
  return {
    handler,
    fetch: (input, init) => (new URL(input).host === 'mdm.test' ? engineFetch(input, init) : ca.fetch(input, init)),
    url: FAKE_MDM_URL,
    devices,
    statuses,
    addUser: (username, password) => void users.set(username, password),
    bumpIdentityVersion: () => void identityVersion++,
  };
}
