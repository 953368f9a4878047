/**
 * Admin surface /__mdmca/<name>/ (JSON): the PKI Manager's views (Manage certificates with their status, Seat
 * usage, certificate profiles, users, passcodes, View audit trail, RA certificates) and the switches the failure
 * scenarios need.
 *
 *   GET  state | POST reset | PUT health {status: UP|DOWN}
 *   GET  profiles | POST profiles {...} | PATCH profiles/:oid {...}
 *   GET  seat-pools | PATCH seat-pools/:kind {purchased?, used?} | POST seat-pools/:kind/exhaust | GET seats
 *   GET  users | POST users {seatId, ...} | DELETE users/:seatId
 *   GET  passcodes | POST passcodes {seatId, profileOid, passcode?, expiryDateTime?}
 *   POST passcodes/:seatId/:oid/(expire|redeem|lock|reset)
 *   GET  certificates | GET certificates/:serial | POST certificates/:serial/revoke {reason?}
 *   GET  pending | POST pending/:id/approve | POST pending/:id/reject
 *   GET  audit
 *   GET  ras | POST ras {password, commonName?, notBefore?, notAfter?, expired?, register?, entitledProfiles?}
 *        → {ra, p12: base64, password, certificatePem} | POST ras/register {certificate} | PATCH ras/:serial
 *        {registered?, entitledProfiles?} | POST ras/:serial/revoke
 * plus faults and clock (simulators/admin-routes.ts).
 */
import { z } from 'zod';
import type { AdjustableClock } from '../../core/clock.js';
import { derOrPem } from '../../core/pki/pem.js';
import { REVOCATION_REASONS } from '../../core/connectors/symantec-mpki/wire.js';
import { adminBase, clockAdminRoutes, faultAdminRoutes } from '../admin-routes.js';
import type { FaultInjector } from '../faults.js';
import { HttpError, json, readJson, route, type Route } from '../router.js';
import { canonicalSerial, type CertificateRepository, CertificateStoreError } from '../store/certificates.js';
import { MpkiError } from './errors.js';
import { SEAT_KINDS, SYMANTEC_DEFAULTS } from './fixtures.js';
import type { MpkiManagement } from './management.js';
import type { RaTrust } from './ra.js';
import type { MpkiService } from './service.js';
import { type MpkiProfile, type MpkiState, passcodeKey, userKey } from './state.js';

const profileFields = {
  name: z.string().min(1),
  template: z.string().min(1),
  mode: z.enum(['Test', 'Production']),
  seatKind: z.enum(SEAT_KINDS),
  webServices: z.boolean(),
  approvalRequired: z.boolean(),
  verifyUser: z.boolean(),
  keySizes: z.array(z.number().int().positive()).min(1),
  seatIdAttribute: z.string().min(1),
  requiredFields: z.array(z.string().min(1)),
  optionalFields: z.array(z.string().min(1)),
  upnField: z.string().min(1),
  validityDays: z.number().int().positive(),
  renewalDays: z.number().int().nonnegative(),
  keyEscrow: z.boolean(),
  status: z.enum(['Active', 'Disabled']),
};

export interface AdminOptions {
  name: string;
  state: MpkiState;
  service: MpkiService;
  management: MpkiManagement;
  ras: RaTrust;
  repository: CertificateRepository;
  faults: FaultInjector;
  clock: AdjustableClock;
}

export function mpkiAdminRoutes(options: AdminOptions): Route[] {
  const { name, state, service, management, ras, repository, clock } = options;
  const base = adminBase(name);
  const must = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new HttpError(404, 'not_found', `${what} not found`);
    return value;
  };
  /** An RA serial from the path: hex (with or without colons), else 404 like any unknown RA. */
  const raSerial = (serial: string): string => {
    try {
      return canonicalSerial(serial);
    } catch (error) {
      if (error instanceof CertificateStoreError) throw new HttpError(404, 'not_found', `RA ${serial} not found`);
      throw error;
    }
  };
  const refused = (error: unknown): never => {
    if (error instanceof MpkiError) throw new HttpError(409, 'refused', `${error.message} (${error.code})`);
    throw error;
  };
  const certificates = () =>
    state.certificates.list().map((meta) => {
      const record = repository.get(meta.serialHex);
      const { escrow, fields: _f, ...rest } = meta;
      return { ...rest, isEscrowed: escrow !== undefined, status: record ? management.statusOf(record) : 'UNKNOWN', subject: record?.subject, notBefore: record?.notBefore, notAfter: record?.notAfter, revokedAt: record?.revokedAt };
    });
  const snapshot = () => ({ account: state.account(), profiles: state.profiles.list(), seatPools: state.pools.list(), ras: ras.list().map(({ der: _d, ...r }) => r), certificates: state.certificates.count(), pending: state.pending.count() });
  const passcodeAction = (status: 'expire' | 'redeem' | 'lock' | 'reset') =>
    route('POST', `${base}/passcodes/:seatId/:oid/${status}`, ({ params }) => {
      const key = passcodeKey(params.seatId, params.oid);
      must(state.passcodes.get(key), `passcode of ${params.seatId} for ${params.oid}`);
      const now = clock.now().getTime();
      return json(
        state.passcodes.update(key, (p) =>
          status === 'expire'
            ? { ...p, expiryDateTime: new Date(now - 1000).toISOString() }
            : status === 'redeem'
              ? { ...p, status: 'REDEEMED' }
              : status === 'lock'
                ? { ...p, status: 'LOCKED', numberOfBadAttempts: SYMANTEC_DEFAULTS.maxPasscodeAttempts }
                : { ...p, status: 'ACTIVE', numberOfBadAttempts: 0 },
        ),
      );
    });
  return [
    route('GET', `${base}/state`, () => json(snapshot())),
    route('POST', `${base}/reset`, () => {
      state.reset();
      return json(snapshot());
    }),
    route('PUT', `${base}/health`, async ({ request }) => {
      const body = await readJson(request, z.object({ status: z.enum(['UP', 'DOWN']) }).strict());
      const account = state.account();
      return json(state.accounts.update(account.accountId, (a) => ({ ...a, health: body.status })));
    }),
    route('GET', `${base}/profiles`, () => json({ profiles: state.profiles.list() })),
    route('POST', `${base}/profiles`, async ({ request }) => {
      const body = await readJson(request, z.object({ oid: z.string().regex(/^\d+(\.\d+)+$/) }).extend(z.object(profileFields).partial().shape).strict());
      const defaults = state.profiles.get(SYMANTEC_DEFAULTS.profiles.user) ?? state.profiles.list()[0];
      const profile = { ...(defaults as MpkiProfile), ...body, createdAt: clock.now().toISOString() } as MpkiProfile;
      if (!body.name) profile.name = `Profile ${body.oid}`;
      state.profiles.put(profile.oid, profile);
      return json(profile, 201);
    }),
    route('PATCH', `${base}/profiles/:oid`, async ({ request, params }) => {
      const body = await readJson(request, z.object(profileFields).partial().strict());
      must(state.profiles.get(params.oid), `profile ${params.oid}`);
      return json(state.profiles.update(params.oid, (p) => ({ ...p, ...(body as Partial<MpkiProfile>) })));
    }),
    route('GET', `${base}/seat-pools`, () => json({ seatPools: state.pools.list() })),
    route('PATCH', `${base}/seat-pools/:kind`, async ({ request, params }) => {
      const body = await readJson(request, z.object({ purchased: z.number().int().nonnegative().optional(), used: z.number().int().nonnegative().optional() }).strict());
      must(state.pools.get(params.kind), `seat pool ${params.kind}`);
      return json(state.pools.update(params.kind, (p) => ({ ...p, ...body })));
    }),
    route('POST', `${base}/seat-pools/:kind/exhaust`, ({ params }) => {
      must(state.pools.get(params.kind), `seat pool ${params.kind}`);
      return json(state.pools.update(params.kind, (p) => ({ ...p, used: p.purchased })));
    }),
    route('GET', `${base}/seats`, () => json({ seats: state.seats.list() })),
    route('GET', `${base}/users`, () => json({ users: state.users.list() })),
    route('POST', `${base}/users`, async ({ request }) => {
      const body = await readJson(request, z.object({ seatId: z.string().min(1), firstName: z.string().optional(), lastName: z.string().optional(), emailAddress: z.string().optional(), mobilePhoneNumber: z.string().optional() }).strict());
      return json(management.createOrUpdateUser({ attributes: [], ...body }), 201);
    }),
    route('DELETE', `${base}/users/:seatId`, ({ params }) => {
      must(state.users.get(userKey(params.seatId)), `user ${params.seatId}`);
      try {
        return json({ seatId: params.seatId, revocationCount: management.deleteUser(params.seatId, 'CessationOfOperation') });
      } catch (error) {
        return refused(error);
      }
    }),
    route('GET', `${base}/passcodes`, () => json({ passcodes: state.passcodes.list() })),
    route('POST', `${base}/passcodes`, async ({ request }) => {
      const body = await readJson(request, z.object({ seatId: z.string().min(1), profileOid: z.string().min(1), passcode: z.string().min(1).optional(), expiryDateTime: z.iso.datetime({ offset: true }).optional(), email: z.string().optional() }).strict());
      try {
        return json(
          management.createOrUpdatePasscode({
            seatId: body.seatId,
            certificateProfileOid: body.profileOid,
            ...(body.passcode ? { passcode: body.passcode } : {}),
            ...(body.email ? { email: body.email } : {}),
            ...(body.expiryDateTime ? { expiryDateTime: new Date(body.expiryDateTime).toISOString() } : {}),
          }),
          201,
        );
      } catch (error) {
        return refused(error);
      }
    }),
    passcodeAction('expire'),
    passcodeAction('redeem'),
    passcodeAction('lock'),
    passcodeAction('reset'),
    route('GET', `${base}/certificates`, () => json({ certificates: certificates() })),
    route('GET', `${base}/certificates/:serial`, ({ params }) => json(must(certificates().find((c) => c.serialHex === params.serial.toLowerCase()), `certificate ${params.serial}`))),
    route('POST', `${base}/certificates/:serial/revoke`, async ({ request, params }) => {
      const body = request.body ? await readJson(request, z.object({ reason: z.enum(REVOCATION_REASONS).optional() }).strict()) : undefined;
      try {
        return json(management.updateStatus('Revoke', { serials: [params.serial] }, body?.reason, 'revoked by the administrator'));
      } catch (error) {
        return refused(error);
      }
    }),
    route('GET', `${base}/pending`, () => json({ pending: state.pending.list() })),
    route('POST', `${base}/pending/:id/approve`, async ({ params }) => {
      try {
        return json(await service.approve(params.id));
      } catch (error) {
        return refused(error);
      }
    }),
    route('POST', `${base}/pending/:id/reject`, ({ params }) => {
      try {
        service.reject(params.id);
        return json(state.pending.get(params.id));
      } catch (error) {
        return refused(error);
      }
    }),
    route('GET', `${base}/audit`, () => json({ events: state.audit.list() })),
    route('GET', `${base}/ras`, () => json({ ras: ras.list().map(({ der: _d, ...r }) => r) })),
    route('POST', `${base}/ras`, async ({ request }) => {
      const body = await readJson(
        request,
        z
          .object({
            password: z.string().min(1),
            commonName: z.string().min(1).optional(),
            notBefore: z.iso.datetime({ offset: true }).optional(),
            notAfter: z.iso.datetime({ offset: true }).optional(),
            expired: z.boolean().optional(),
            register: z.boolean().optional(),
            entitledProfiles: z.union([z.literal('*'), z.array(z.string().min(1))]).optional(),
          })
          .strict(),
      );
      const now = Date.now();
      const issued = await ras.issue({
        password: body.password,
        ...(body.commonName ? { commonName: body.commonName } : {}),
        ...(body.expired ? { notBefore: new Date(now - 2 * 86_400_000), notAfter: new Date(now - 86_400_000) } : {}),
        ...(body.notBefore ? { notBefore: new Date(body.notBefore) } : {}),
        ...(body.notAfter ? { notAfter: new Date(body.notAfter) } : {}),
        ...(body.register !== undefined ? { register: body.register } : {}),
        ...(body.entitledProfiles !== undefined ? { entitledProfiles: body.entitledProfiles } : {}),
      });
      await ras.ready();
      const { der: _d, ...ra } = issued.record;
      return json({ ra, p12: Buffer.from(issued.p12).toString('base64'), password: body.password, certificatePem: issued.certificatePem }, 201);
    }),
    route('POST', `${base}/ras/register`, async ({ request }) => {
      const body = await readJson(request, z.object({ certificate: z.string().min(1), entitledProfiles: z.union([z.literal('*'), z.array(z.string())]).optional() }).strict());
      const der = derOrPem(body.certificate.includes('-----BEGIN') ? body.certificate : new Uint8Array(Buffer.from(body.certificate, 'base64')), 'CERTIFICATE');
      const { der: _d, ...ra } = ras.register(der, { registered: true, ...(body.entitledProfiles ? { entitledProfiles: body.entitledProfiles } : {}) });
      return json(ra, 201);
    }),
    route('PATCH', `${base}/ras/:serial`, async ({ request, params }) => {
      const body = await readJson(request, z.object({ registered: z.boolean().optional(), entitledProfiles: z.union([z.literal('*'), z.array(z.string())]).optional() }).strict());
      const updated = must(ras.update(raSerial(params.serial), body as { registered?: boolean; entitledProfiles?: string[] | '*' }), `RA ${params.serial}`);
      const { der: _d, ...ra } = updated;
      return json(ra);
    }),
    route('POST', `${base}/ras/:serial/revoke`, async ({ params }) => {
      const revoked = must(ras.revoke(raSerial(params.serial)), `RA ${params.serial}`);
      await ras.ready();
      const { der: _d, ...ra } = revoked;
      return json(ra);
    }),
    ...faultAdminRoutes(name, options.faults),
    ...clockAdminRoutes(name, clock),
  ];
}
