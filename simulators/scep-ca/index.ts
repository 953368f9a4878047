/**
 * A generic SCEP CA (RFC 8894) simulator: core/scep's server mounted at the paths real clients use, with its
 * state in a Store and an admin surface to steer it (DESIGN.md, "Simulators are Fetch handlers").
 *
 *   /scep, /scep/<anything>, /cgi-bin/pkiclient.exe   the SCEP endpoint (the path is ignored, RFC 8894 §4.1)
 *   /scep/crl                                          the CRL (DER, application/pkix-crl)
 *   /__mdmca/<name>/…                                  admin (admin.ts)
 *
 * Defaults chosen for a test CA that real clients can enrol against: legacy ciphers are accepted and mirrored
 * (micromdm's scepclient only sends DES, older iOS 3DES) and every use is flagged in the exchange records;
 * certificates look like micromdm's (clientAuth, notBefore ten minutes back).
 */
import { type AdjustableClock } from '../../core/clock.js';
import type { Handler } from '../../core/http.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import type { CertificateProfile } from '../../core/pki/profile.js';
import { SerialReserve } from '../../core/pki/serial.js';
import type { Capability } from '../../core/scep/caps.js';
import { csrPolicy, type CsrHook, type EnrollmentPolicy, manualApproval } from '../../core/scep/policy.js';
import { challengePolicy, type ChallengeRecord, OneTimeChallenges } from '../../core/scep/policy-challenge.js';
import { createScepServer, type ScepExchange, ScepService } from '../../core/scep/server.js';
import { adminBase } from '../admin-routes.js';
import { type FaultConfigInput, FaultInjector } from '../faults.js';
import { compileMounts, type Mount, notFoundResponse } from '../mounts.js';
import { createRouter } from '../router.js';
import { CertificateRepository } from '../store/certificates.js';
import type { Store } from '../store/index.js';
import { scepCaAdminRoutes } from './admin.js';
import { CrlPublisher } from './crl.js';
import { StoreScepDepot } from './depot.js';
import { parentsOf, type ScepCaIdentity } from './identity.js';
import { SettingsStore } from './settings.js';

export { defaultScepCaIdentity, type PkiIdentity, type ScepCaIdentity } from './identity.js';

export interface ScepCaOptions {
  store: Store;
  clock: AdjustableClock;
  identity: ScepCaIdentity;
  /** A static challenge; when given, enrolments need it (or a one-time challenge). */
  challenge?: string;
  /** 'manual' answers PENDING until an operator approves. Default: the stored setting, else 'auto'. */
  approval?: 'auto' | 'manual';
  faults?: FaultInjector | FaultConfigInput;
  /** The profile of issued certificates. Default: one year, digitalSignature + keyEncipherment, clientAuth, backdated 10 min. */
  profile?: CertificateProfile;
  /** Public origin (e.g. 'http://127.0.0.1:8080'): issued certificates then name <origin>/scep/crl as CRL distribution point. */
  publicBaseUrl?: string;
  /** Simulator id: admin path /__mdmca/<name>, Store collection prefix, issuer of recorded certificates. Default 'scep-ca'. */
  name?: string;
  /** Default true (see the module comment); false answers 3DES/DES requests with FAILURE badAlg. */
  allowLegacyCiphers?: boolean;
  caps?: readonly Capability[];
  /** Next CA certificate(s) for GetNextCACert. */
  nextCa?: readonly Uint8Array[];
  /** A CSR policy hook, run after the challenge and before approval. */
  csrPolicy?: CsrHook;
  /** More links, after the CSR hook and before approval. */
  policies?: readonly EnrollmentPolicy[];
  responseCertificates?: 'issued' | 'issued+ca' | 'chain';
  /** Exchanges kept for GET /exchanges. Default 200. */
  exchangeLimit?: number;
  onExchange?: (exchange: ScepExchange) => void;
}

export interface ScepCa {
  /** Every path of this simulator in one handler (for in-process use); `mounts` for listen(). */
  handler: Handler;
  mounts: Mount[];
  service: ScepService;
  ca: CertificateAuthority;
  repository: CertificateRepository;
  depot: StoreScepDepot;
  challenges: OneTimeChallenges;
  faults: FaultInjector;
  /** Recent exchanges, oldest first. */
  exchanges(): readonly ScepExchange[];
  /** The CRL DER served at /scep/crl. */
  crl(): Promise<Uint8Array>;
  /** Sets the public origin, so certificates issued from now on carry <origin>/scep/crl. */
  setPublicBaseUrl(url: string | undefined): void;
}

export const DEFAULT_SCEP_CA_PROFILE: CertificateProfile = {
  validityDays: 365,
  backdateSeconds: 600,
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  extendedKeyUsage: ['clientAuth'],
};

export const SCEP_PATHS = ['/scep', '/cgi-bin/pkiclient.exe'] as const;

export function createScepCa(options: ScepCaOptions): ScepCa {
  const name = options.name ?? 'scep-ca';
  const { store, clock } = options;
  const repository = new CertificateRepository(store, clock);
  const ca = new CertificateAuthority({
    certificate: options.identity.ca.certificate,
    privateKey: options.identity.ca.privateKey,
    parents: parentsOf(options.identity.ca),
    clock,
    serials: new SerialReserve(repository.claimSerialsBatched),
  });
  const faults = options.faults instanceof FaultInjector ? options.faults : new FaultInjector(options.faults ?? {}, { clock });
  const settings = new SettingsStore(store, name, {
    ...(options.approval ? { approval: options.approval } : {}),
    ...(options.challenge !== undefined ? { challenge: options.challenge, challengeRequired: true } : {}),
  });
  const challenges = new OneTimeChallenges(clock, store.collection<ChallengeRecord>(`${name}:challenges`));
  const crl = new CrlPublisher(ca, repository, name, clock, store, name);
  const depot = new StoreScepDepot({
    store,
    repository,
    issuer: name,
    prefix: name,
    crl: () => crl.current(),
    ...(options.nextCa ? { nextCa: options.nextCa } : {}),
  });

  const baseProfile = options.profile ?? DEFAULT_SCEP_CA_PROFILE;
  let profile = baseProfile;
  const setPublicBaseUrl = (url: string | undefined) => {
    // A new object: CertificateAuthority caches the compiled form of a profile by identity.
    profile = url ? { ...baseProfile, crlDistributionPoints: [`${url.replace(/\/+$/, '')}/scep/crl`] } : baseProfile;
  };
  setPublicBaseUrl(options.publicBaseUrl);

  const recent: ScepExchange[] = [];
  const limit = options.exchangeLimit ?? 200;
  const service = new ScepService({
    ca,
    profile: () => profile,
    identity: { caCertificate: ca.certificateDer, caKey: ca.privateKey, caChain: ca.chain.slice(1), ...(options.identity.ra ? { ra: options.identity.ra } : {}) },
    depot,
    clock,
    allowLegacyCiphers: options.allowLegacyCiphers ?? true,
    ...(options.caps ? { caps: options.caps } : {}),
    ...(options.responseCertificates ? { responseCertificates: options.responseCertificates } : {}),
    policies: [
      challengePolicy({ secret: () => settings.current.challenge, oneTime: challenges, required: () => settings.current.challengeRequired }),
      ...(options.csrPolicy ? [csrPolicy(options.csrPolicy)] : []),
      ...(options.policies ?? []),
      manualApproval({ enabled: () => settings.current.approval === 'manual' }),
    ],
  });
  const scep = faults.wrap(
    createScepServer(service, {
      onExchange: (exchange) => {
        recent.push(exchange);
        if (recent.length > limit) recent.splice(0, recent.length - limit);
        options.onExchange?.(exchange);
      },
    }),
  );
  const serveCrl: Handler = async () =>
    new Response((await crl.current()) as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': 'application/pkix-crl' } });
  const crlHandler = faults.wrap(serveCrl);
  const scepWithCrl: Handler = (request, peer) => {
    const path = new URL(request.url).pathname.replace(/\/+$/, '');
    return path === '/scep/crl' && (request.method === 'GET' || request.method === 'HEAD') ? crlHandler(request, peer) : scep(request, peer);
  };
  const admin = createRouter(
    scepCaAdminRoutes({
      name,
      service,
      depot,
      repository,
      challenges,
      settings,
      faults,
      clock,
      exchanges: () => recent,
      clearExchanges: () => void recent.splice(0),
    }),
  );
  const mounts: Mount[] = [
    { name, prefix: '/scep', handler: scepWithCrl },
    { name, prefix: '/cgi-bin/pkiclient.exe', handler: scep },
    { name, prefix: adminBase(name), handler: admin },
  ];
  const table = compileMounts(mounts);
  const handler: Handler = (request, peer) => {
    const mount = table.select(new URL(request.url).pathname);
    return mount ? mount.handler(request, peer) : Promise.resolve(notFoundResponse(new URL(request.url).pathname));
  };
  return {
    handler,
    mounts,
    service,
    ca,
    repository,
    depot,
    challenges,
    faults,
    exchanges: () => [...recent],
    crl: () => crl.current(),
    setPublicBaseUrl,
  };
}
