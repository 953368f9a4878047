/**
 * The SCEP CA's admin surface under /__mdmca/<name>/ (JSON):
 *
 *   GET  certificates[?status=valid|revoked|hold&subject=TEXT&limit=N&offset=N]   issued certificates (no DER)
 *   GET  certificates/:serial                         one certificate, with DER (base64) and PEM
 *   POST certificates/:serial/revoke {reason?}        revoke (RFC 5280 reason name)
 *   GET  challenge | PUT challenge {challenge}         the static challenge (null clears it)
 *   POST challenges {ttlSeconds?}                      a one-time challenge → {challenge, expiresAt}
 *   GET  pending                                       requests awaiting approval
 *   POST pending/:transactionId/approve | reject {reason?}
 *   GET  policy | PUT policy {approval?, challenge?}   approval 'auto'|'manual', challenge 'required'|'none'
 *   GET  exchanges[?limit=N] | DELETE exchanges        recent request/response summaries, oldest first
 *   GET  ca                                            the CA, chain and RA certificates as PEM
 * plus faults and clock (simulators/admin-routes.ts). Setting a challenge or issuing a one-time one turns
 * challenge checking on; PUT policy {challenge:'none'} turns it off.
 */
import { REVOCATION_REASONS, type RevocationReason } from '../../core/pki/crl.js';
import { z } from 'zod';
import type { AdjustableClock } from '../../core/clock.js';
import { toPem } from '../../core/pki/pem.js';
import type { OneTimeChallenges } from '../../core/scep/policy-challenge.js';
import { ScepAdminError, type ScepExchange, type ScepService } from '../../core/scep/server.js';
import type { ScepTransaction } from '../../core/scep/depot.js';
import { adminBase, clockAdminRoutes, faultAdminRoutes } from '../admin-routes.js';
import type { FaultInjector } from '../faults.js';
import { HttpError, json, readJson, route, type Route } from '../router.js';
import { type CertificateRecord, type CertificateRepository, CertificateStoreError, type CertificateStatus } from '../store/certificates.js';
import type { StoreScepDepot } from './depot.js';
import type { SettingsStore } from './settings.js';

export interface ScepCaAdminContext {
  name: string;
  service: ScepService;
  depot: StoreScepDepot;
  repository: CertificateRepository;
  challenges: OneTimeChallenges;
  settings: SettingsStore;
  faults: FaultInjector;
  clock: AdjustableClock;
  exchanges: () => readonly ScepExchange[];
  clearExchanges: () => void;
  /** Called after a revocation, so the CRL is rebuilt. */
  onRevoked?: () => void;
}

// Revocation proper: certificateHold and removeFromCRL are the hold/release routes' business.
const REASONS = REVOCATION_REASONS.filter(
  (reason): reason is Exclude<RevocationReason, 'certificateHold' | 'removeFromCRL'> => reason !== undefined && reason !== 'certificateHold' && reason !== 'removeFromCRL',
);
const STATUSES: readonly CertificateStatus[] = ['valid', 'revoked', 'hold'];

const revokeSchema = z.object({ reason: z.enum(REASONS).optional() }).strict();
const challengeSchema = z.object({ challenge: z.string().min(1).max(255).nullable() }).strict();
const oneTimeSchema = z.object({ ttlSeconds: z.number().int().min(1).max(30 * 86_400).optional() }).strict();
const rejectSchema = z.object({ reason: z.string().min(1).max(1000).optional() }).strict();
const policySchema = z.object({ approval: z.enum(['auto', 'manual']).optional(), challenge: z.enum(['required', 'none']).optional() }).strict();

/** A request body that may be absent: {} then. */
async function optionalJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  if (request.headers.get('content-length') === '0' || (!request.body && !request.headers.get('content-type'))) return schema.parse({});
  return readJson(request, schema);
}

function summary({ der: _der, ...record }: CertificateRecord) {
  return record;
}

function pendingSummary({ csr: _csr, signerCertificate: _signer, ...transaction }: ScepTransaction) {
  return transaction;
}

function storeError(error: unknown): never {
  if (error instanceof CertificateStoreError) {
    const status = error.code === 'not_found' ? 404 : error.code === 'invalid_state' ? 409 : 400;
    throw new HttpError(status, error.code, error.message);
  }
  if (error instanceof ScepAdminError) throw new HttpError(error.code === 'not_found' ? 404 : 409, error.code, error.message);
  throw error;
}

export function scepCaAdminRoutes(context: ScepCaAdminContext): Route[] {
  const base = adminBase(context.name);
  const { repository, settings } = context;
  const mine = (serial: string) => {
    try {
      const record = repository.get(serial);
      if (record?.issuer === context.name) return record;
    } catch (error) {
      storeError(error);
    }
    throw new HttpError(404, 'not_found', `no certificate with serial ${serial}`);
  };
  const challengeState = () => ({ challenge: settings.current.challenge ?? null, required: settings.current.challengeRequired });
  const policyState = () => ({ approval: settings.current.approval, challenge: settings.current.challengeRequired ? 'required' : 'none' });

  return [
    route('GET', `${base}/certificates`, ({ url }) => {
      const status = url.searchParams.get('status');
      if (status !== null && !STATUSES.includes(status as CertificateStatus)) {
        throw new HttpError(400, 'invalid_request', `status must be one of ${STATUSES.join(', ')}`);
      }
      const subject = url.searchParams.get('subject')?.toLowerCase();
      const number = (name: string) => {
        const value = url.searchParams.get(name);
        if (value === null) return undefined;
        if (!/^\d+$/.test(value)) throw new HttpError(400, 'invalid_request', `${name} must be a non-negative integer`);
        return Number(value);
      };
      const limit = number('limit');
      const offset = number('offset') ?? 0;
      const all = repository
        .list({ issuer: context.name, ...(status ? { status: status as CertificateStatus } : {}) })
        .filter((record) => subject === undefined || record.subject.toLowerCase().includes(subject));
      const page = all.slice(offset, limit === undefined ? undefined : offset + limit);
      return json({ total: all.length, certificates: page.map(summary) });
    }),
    route('GET', `${base}/certificates/:serial`, ({ params }) => {
      const record = mine(params.serial);
      return json({ ...record, pem: toPem('CERTIFICATE', new Uint8Array(Buffer.from(record.der, 'base64'))) });
    }),
    route('POST', `${base}/certificates/:serial/revoke`, async ({ params, request }) => {
      const { reason } = await optionalJson(request, revokeSchema);
      const record = mine(params.serial);
      try {
        const revoked = repository.revoke(record.serialHex, reason ?? 'unspecified');
        context.onRevoked?.();
        return json(summary(revoked));
      } catch (error) {
        return storeError(error);
      }
    }),
    route('GET', `${base}/challenge`, () => json(challengeState())),
    route('PUT', `${base}/challenge`, async ({ request }) => {
      const { challenge } = await readJson(request, challengeSchema);
      settings.change(challenge === null ? { challenge: undefined } : { challenge, challengeRequired: true });
      return json(challengeState());
    }),
    route('POST', `${base}/challenges`, async ({ request }) => {
      const { ttlSeconds } = await optionalJson(request, oneTimeSchema);
      const issued = context.challenges.issue(ttlSeconds);
      if (!settings.current.challengeRequired) settings.change({ challengeRequired: true });
      return json({ challenge: issued.challenge, expiresAt: issued.expiresAt.toISOString() }, 201);
    }),
    route('GET', `${base}/pending`, () => json({ pending: context.depot.listTransactions('pending').map(pendingSummary) })),
    route('POST', `${base}/pending/:transactionId/approve`, async ({ params }) => {
      try {
        return json(pendingSummary(await context.service.approve(params.transactionId)));
      } catch (error) {
        return storeError(error);
      }
    }),
    route('POST', `${base}/pending/:transactionId/reject`, async ({ params, request }) => {
      const { reason } = await optionalJson(request, rejectSchema);
      try {
        return json(pendingSummary(await context.service.reject(params.transactionId, reason)));
      } catch (error) {
        return storeError(error);
      }
    }),
    route('GET', `${base}/policy`, () => json(policyState())),
    route('PUT', `${base}/policy`, async ({ request }) => {
      const patch = await readJson(request, policySchema);
      settings.change({
        ...(patch.approval ? { approval: patch.approval } : {}),
        ...(patch.challenge ? { challengeRequired: patch.challenge === 'required' } : {}),
      });
      return json(policyState());
    }),
    route('GET', `${base}/exchanges`, ({ url }) => {
      const all = context.exchanges();
      const limit = Number(url.searchParams.get('limit') ?? all.length);
      return json({ exchanges: Number.isInteger(limit) && limit >= 0 ? all.slice(Math.max(0, all.length - limit)) : all });
    }),
    route('DELETE', `${base}/exchanges`, () => {
      context.clearExchanges();
      return json({ exchanges: [] });
    }),
    route('GET', `${base}/ca`, () => {
      const identity = context.service.identity;
      const pem = (der: Uint8Array) => toPem('CERTIFICATE', der);
      return json({
        subject: identity.ca.subject.toString(),
        certificate: pem(identity.ca.der),
        chain: identity.chain.map(pem),
        caps: context.service.caps,
        ra: identity.hasRa ? pem(identity.replySigner.certificate) : null,
      });
    }),
    ...faultAdminRoutes(context.name, context.faults),
    ...clockAdminRoutes(context.name, context.clock),
  ];
}
