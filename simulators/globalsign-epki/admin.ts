/**
 * The simulator's admin surface under /__mdmca/<name>/ (JSON):
 *
 *   GET  state                                  accounts, users (no passwords), profiles, licence packs
 *   POST reset                                  back to the default fixtures (fixtures.ts)
 *   PATCH accounts/:corporateId {state?, ipRanges?}   lock/unlock, the API IP address range
 *   POST users {userName, password, corporateId, admin?}
 *   POST profiles {profileId, …} | PATCH profiles/:id {…} | POST profiles/:id/vet | POST profiles/:id/unvet
 *   POST licences {licenseNo?, profileId, productCode, years, count, expiresAt?}
 *   POST licences/:no/expire | POST licences/:no/exhaust
 *   GET  orders | GET orders/:id | POST orders/:id/pickup {pickupPassword?, csr}   (the emailed pick-up link)
 *   GET  certificates                           certificates issued by this simulator (revocations included)
 *   GET  revocations                            orders revoked, or cancelled after issue
 * plus faults and clock (simulators/admin-routes.ts).
 */
import { z } from 'zod';
import type { AdjustableClock } from '../../core/clock.js';
import { adminBase, clockAdminRoutes, faultAdminRoutes } from '../admin-routes.js';
import type { FaultInjector } from '../faults.js';
import { HttpError, json, readJson, route, type Route } from '../router.js';
import type { CertificateRepository } from '../store/certificates.js';
import { EpkiError } from './errors.js';
import type { EpkiService } from './service.js';
import { type EpkiProfile, type EpkiState, hashPassword, type LicencePack } from './state.js';

const profileFields = {
  state: z.enum(['REQUESTED', 'VALIDATED', 'CANCELLED', 'SUSPENDED']).optional(),
  organization: z.string().min(1).optional(),
  organizationUnits: z.array(z.string().min(1)).optional(),
  locality: z.string().optional(),
  stateOrProvince: z.string().optional(),
  country: z.string().length(2).optional(),
  lockBaseDn: z.boolean().optional(),
  hash: z.enum(['SHA-256', 'SHA-1']).optional(),
};

export function epkiAdminRoutes(options: {
  name: string;
  state: EpkiState;
  service: EpkiService;
  repository: CertificateRepository;
  faults: FaultInjector;
  clock: AdjustableClock;
}): Route[] {
  const { name, state, service, repository, clock } = options;
  const base = adminBase(name);
  const must = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new HttpError(404, 'not_found', `${what} not found`);
    return value;
  };
  const snapshot = () => ({
    accounts: state.accounts.list(),
    users: state.users.list().map(({ passwordSha256: _hidden, ...user }) => user),
    profiles: state.profiles.list(),
    licences: state.licences.list(),
  });
  return [
    route('GET', `${base}/state`, () => json(snapshot())),
    route('POST', `${base}/reset`, () => {
      state.reset();
      return json(snapshot());
    }),
    route('PATCH', `${base}/accounts/:corporateId`, async ({ request, params }) => {
      const body = await readJson(request, z.object({ state: z.enum(['active', 'locked']).optional(), ipRanges: z.array(z.string().min(1)).optional() }).strict());
      must(state.accounts.get(params.corporateId), `account ${params.corporateId}`);
      return json(state.accounts.update(params.corporateId, (a) => ({ ...a, ...body })));
    }),
    route('POST', `${base}/users`, async ({ request }) => {
      const body = await readJson(request, z.object({ userName: z.string().min(1), password: z.string().min(1), corporateId: z.string().min(1), admin: z.boolean().default(true) }).strict());
      must(state.accounts.get(body.corporateId), `account ${body.corporateId}`);
      state.users.put(body.userName, { userName: body.userName, corporateId: body.corporateId, passwordSha256: hashPassword(body.password), admin: body.admin });
      return json({ userName: body.userName, corporateId: body.corporateId, admin: body.admin }, 201);
    }),
    route('POST', `${base}/profiles`, async ({ request }) => {
      const body = await readJson(request, z.object({ profileId: z.string().regex(/^MP\d{12}$/), corporateId: z.string().optional(), ...profileFields }).strict());
      const defaults = state.profiles.list()[0];
      const now = clock.now().toISOString();
      const profile: EpkiProfile = {
        profileId: body.profileId,
        corporateId: body.corporateId ?? defaults?.corporateId ?? '',
        state: body.state ?? 'REQUESTED',
        organization: body.organization ?? defaults?.organization ?? 'mdmca Test Org',
        organizationUnits: body.organizationUnits ?? [],
        country: body.country ?? 'US',
        lockBaseDn: body.lockBaseDn ?? false,
        hash: body.hash ?? 'SHA-256',
        requestDate: now,
        ...(body.locality !== undefined ? { locality: body.locality } : {}),
        ...(body.stateOrProvince !== undefined ? { stateOrProvince: body.stateOrProvince } : {}),
      };
      state.profiles.put(profile.profileId, profile);
      return json(profile, 201);
    }),
    route('PATCH', `${base}/profiles/:id`, async ({ request, params }) => {
      const body = await readJson(request, z.object(profileFields).strict());
      must(state.profiles.get(params.id), `profile ${params.id}`);
      return json(state.profiles.update(params.id, (p) => ({ ...p, ...(body as Partial<EpkiProfile>) })));
    }),
    route('POST', `${base}/profiles/:id/vet`, ({ params }) => {
      must(state.profiles.get(params.id), `profile ${params.id}`);
      return json(state.profiles.update(params.id, (p) => ({ ...p, state: 'VALIDATED', issueDate: clock.now().toISOString() })));
    }),
    route('POST', `${base}/profiles/:id/unvet`, ({ params }) => {
      must(state.profiles.get(params.id), `profile ${params.id}`);
      return json(state.profiles.update(params.id, (p) => ({ ...p, state: 'REQUESTED' })));
    }),
    route('GET', `${base}/licences`, () => json({ licences: state.licences.list() })),
    route('POST', `${base}/licences`, async ({ request }) => {
      const body = await readJson(
        request,
        z.object({ licenseNo: z.string().min(1).optional(), profileId: z.string(), productCode: z.string().min(1), years: z.number().int().min(1).max(3), count: z.number().int().min(0), expiresAt: z.iso.datetime({ offset: true }).optional() }).strict(),
      );
      const profile = must(state.profiles.get(body.profileId), `profile ${body.profileId}`);
      const now = clock.now();
      const pack: LicencePack = {
        licenseNo: body.licenseNo ?? `MPL${now.toISOString().slice(0, 10).replace(/-/g, '')}${String(state.licences.count() + 1).padStart(4, '0')}`,
        corporateId: profile.corporateId,
        profileId: profile.profileId,
        productCode: body.productCode,
        years: body.years,
        count: body.count,
        used: 0,
        expiresAt: body.expiresAt ? new Date(body.expiresAt).toISOString() : new Date(now.getTime() + 365 * 86_400_000).toISOString(),
        orderedAt: now.toISOString(),
      };
      state.licences.put(pack.licenseNo, pack);
      return json(pack, 201);
    }),
    route('POST', `${base}/licences/:no/expire`, ({ params }) => {
      must(state.licences.get(params.no), `licence pack ${params.no}`);
      return json(state.licences.update(params.no, (p) => ({ ...p, expiresAt: new Date(clock.now().getTime() - 1000).toISOString() })));
    }),
    route('POST', `${base}/licences/:no/exhaust`, ({ params }) => {
      must(state.licences.get(params.no), `licence pack ${params.no}`);
      return json(state.licences.update(params.no, (p) => ({ ...p, used: p.count })));
    }),
    route('GET', `${base}/orders`, () => json({ orders: state.orders.list() })),
    route('GET', `${base}/orders/:id`, ({ params }) => json(must(state.orders.get(params.id), `order ${params.id}`))),
    route('POST', `${base}/orders/:id/pickup`, async ({ request, params }) => {
      const body = await readJson(request, z.object({ pickupPassword: z.string().optional(), csr: z.string().min(1) }).strict());
      try {
        const result = await service.pickup(params.id, body.pickupPassword, body.csr);
        return json(result.order);
      } catch (error) {
        if (error instanceof EpkiError) throw new HttpError(409, 'order_refused', `${error.code} ${error.field ?? ''}: ${error.message}`);
        throw error;
      }
    }),
    route('GET', `${base}/revocations`, () =>
      json({ revocations: state.orders.list({ where: (o) => o.revokeDate !== undefined || (o.cancelDate !== undefined && o.serialHex !== undefined) }).map(({ certificate: _der, ...order }) => order) }),
    ),
    route('GET', `${base}/certificates`, () => json({ certificates: repository.list({ issuer: name }).map(({ der: _der, ...record }) => record) })),
    ...faultAdminRoutes(name, options.faults),
    ...clockAdminRoutes(name, clock),
  ];
}
