/**
 * Symantec (DigiCert) Managed PKI 8.9 simulator: the five "PKI Web Services" (SOAP 1.1 document/literal, mutual
 * TLS with the RA certificate as the only credential), SCEP for the same profiles with per-seat passcodes, a CRL,
 * and the PKI Manager's views and switches as an admin surface (DESIGN.md; ../shared/reference/vendor-apis.md §A;
 * guide 000). Wire names come from core/connectors/symantec-mpki/wire.ts, refusals from errors.ts.
 *
 *   webServiceMounts (serve ONLY behind listenSymantecMpki's mutual-TLS listener):
 *     POST /pki-ws/{enrollmentService,policyService,certificateManagementService,userManagementService,healthcheckService}
 *     GET  <same>?wsdl
 *   publicMounts (the shared plain listener):
 *     /pki-scep/<profileOID>/pkiclient.exe   SCEP (scep.ts)
 *     /pki-crl/<name>/LatestCRL.crl          CRL of the certificates this simulator issued
 *     /__mdmca/<name>/…                      admin (admin.ts)
 */
import type { AdjustableClock } from '../../core/clock.js';
import type { Handler } from '../../core/http.js';
import type { CertificateAuthority } from '../../core/pki/ca.js';
import { servicePath, SERVICES, type SymantecService, scepPath, SCEP_PATH_PREFIX } from '../../core/connectors/symantec-mpki/wire.js';
import { endpointAddress, isWsdlRequest, readSoapRequest, SoapFault, soapResponse, wsdlResponse } from '../../core/soap/index.js';
import { adminBase } from '../admin-routes.js';
import { type FaultConfigInput, FaultInjector } from '../faults.js';
import { CrlPublisher } from '../scep-ca/crl.js';
import { compileMounts, type Mount, notFoundResponse } from '../mounts.js';
import { createRouter } from '../router.js';
import { CertificateRepository } from '../store/certificates.js';
import type { Store } from '../store/index.js';
import { mpkiAdminRoutes } from './admin.js';
import { MpkiError } from './errors.js';
import { MpkiManagement } from './management.js';
import { type OperationContext, runOperation } from './operations.js';
import { RaTrust } from './ra.js';
import { createMpkiScep } from './scep.js';
import { MpkiService } from './service.js';
import { MpkiState, type RaRecord } from './state.js';
import { serviceWsdl, soapActionsFor } from './wsdl.js';

export { SYMANTEC_DEFAULTS, SEAT_KINDS, type SeatKind } from './fixtures.js';
export { MPKI_ERRORS, MpkiError, type MpkiErrorKey } from './errors.js';
export { listenSymantecMpki, type SymantecListenOptions, type SymantecListening } from './listen.js';
export type { MpkiProfile, MpkiCertificate, SeatPool, Passcode, RaRecord, AuditEvent, DeploymentMode } from './state.js';
export { MpkiState } from './state.js';

export interface SymantecMpkiOptions {
  store: Store;
  clock: AdjustableClock;
  /** Issuing CA for end-entity certificates (the test PKI's issuing CA). */
  ca: CertificateAuthority;
  /** The CA that issues RA certificates, and the PEM chain the TLS listener trusts for client certificates. */
  raTrust: {
    issuer: CertificateAuthority;
    chainPem: string[];
    /**
     * The CAs above the issuer (the test PKI's root), to sign the empty CRLs Node's full-chain CRL check needs
     * (X509_V_FLAG_CRL_CHECK_ALL). Without them, for an intermediate issuer, a revoked RA is refused with a SOAP
     * fault instead of in the handshake.
     */
    parents?: CertificateAuthority[];
  };
  /** DER RA certificates registered to the default account, entitled to every profile (the test PKI's 'symantec-ra'). */
  registeredRaCertificates?: Uint8Array[];
  /** Default 'symantec-mpki': admin path /__mdmca/<name>/, Store prefix, issuer of recorded certificates. */
  name?: string;
  faults?: FaultInjector | FaultConfigInput;
  /** Default true: seed the default account (fixtures.ts) when the store has none. */
  seed?: boolean;
}

export interface SymantecMpki {
  /** The five /pki-ws/ services (+ ?wsdl): serve ONLY behind the mutual-TLS listener (listenSymantecMpki). */
  webServiceMounts: Mount[];
  /** SCEP, the CRL and the admin surface: for the shared plain HTTP listener. */
  publicMounts: Mount[];
  /** Every mount, for in-process tests (pass a Peer with the RA's clientCertificate). */
  handler: Handler;
  state: MpkiState;
  service: MpkiService;
  management: MpkiManagement;
  ras: RaTrust;
  repository: CertificateRepository;
  faults: FaultInjector;
  name: string;
  /** Origin of the plain listener, for the CRL distribution point and SCEP URLs. */
  setPublicBaseUrl(url: string): void;
  /** URL of the CRL (undefined until setPublicBaseUrl). */
  crlUrl(): string | undefined;
  /** PEM: trust anchors for RA client certificates, and a CRL of revoked RA certificates. */
  tlsTrust(): { ca: string[]; crl: string[] };
  /** Fired when an RA is revoked or issued, so the listener can setSecureContext. Returns an unsubscribe. */
  onTlsTrustChange(listener: () => void): () => void;
  /** Resolves when tlsTrust() reflects every RA change so far (the first CRL included). */
  tlsTrustReady(): Promise<void>;
}

export const CRL_FILE = 'LatestCRL.crl';

/**
 * A SOAPAction that is present, not empty and names another operation than the body's is refused (JAX-WS
 * dispatches on the body but checks a given action). An unknown body element is left to runOperation's fault.
 */
function checkSoapAction(service: SymantecService, operation: string, header: string | null): void {
  const action = header?.trim().replace(/^"(.*)"$/, '$1').trim();
  if (!action) return;
  const expected = soapActionsFor(service, operation);
  if (expected.length > 0 && !expected.includes(action)) throw new MpkiError('soapActionMismatch', action, operation, expected.join(' or '));
}
const SERVICE_NAMES = Object.keys(SERVICES) as SymantecService[];

export function createSymantecMpki(options: SymantecMpkiOptions): SymantecMpki {
  const name = options.name ?? 'symantec-mpki';
  const clock = options.clock;
  const repository = new CertificateRepository(options.store, clock);
  const state = new MpkiState(options.store, clock, name);
  if (options.seed ?? true) state.seedDefaults();
  let publicBase: string | undefined;
  const crlPath = `/pki-crl/${name}/${CRL_FILE}`;
  const crlUrl = () => (publicBase ? `${publicBase}${crlPath}` : undefined);
  const scepUrl = (oid: string) => (publicBase ? `${publicBase}${scepPath(oid)}` : undefined);
  const service = new MpkiService(state, options.ca, repository, clock, name, crlUrl);
  const management = new MpkiManagement(service, clock);
  const ras = new RaTrust(state, options.raTrust.issuer, options.raTrust.chainPem, clock, options.raTrust.parents);
  for (const der of options.registeredRaCertificates ?? []) {
    const known = state.ras.list().some((r) => Buffer.from(r.der, 'base64').equals(der));
    if (!known) ras.register(der, { registered: true, entitledProfiles: '*' });
  }
  void ras.ready();
  const faults = options.faults instanceof FaultInjector ? options.faults : new FaultInjector(options.faults ?? {}, { clock });

  const soapHandler = (serviceName: SymantecService): Handler => async (request, peer) => {
    if (isWsdlRequest(request)) return wsdlResponse(serviceWsdl(serviceName, endpointAddress(request)));
    if (request.method !== 'POST') return new SoapFault('soap:Client', `${request.method} is not supported; POST a SOAP 1.1 envelope or GET ?wsdl`, 405).toResponse();
    const context: OperationContext = {
      service,
      management,
      state,
      crlUrl,
      scepUrl,
      ra(): RaRecord {
        const record = ras.find(peer.clientCertificate);
        if (!peer.clientCertificate || peer.clientCertificateAuthorized === false) throw new MpkiError('raNotAuthenticated');
        if (!record || !record.registered) throw new MpkiError('raNotRegistered');
        if (record.revoked) throw new MpkiError('raNotAuthenticated');
        return record;
      },
    };
    let operationName = '';
    try {
      const message = await readSoapRequest(request);
      operationName = message.operation.name;
      checkSoapAction(serviceName, operationName, request.headers.get('soapaction'));
      return soapResponse(await runOperation(serviceName, message.operation, context));
    } catch (error) {
      if (error instanceof MpkiError) {
        state.record({ event: operationName || serviceName, outcome: 'refused', detail: error.message, errorCode: error.code, ...(peer.clientCertificate ? { ra: peer.clientCertificate.serialNumber } : {}) });
        return error.toFault().toResponse();
      }
      if (error instanceof SoapFault) return error.toResponse();
      const internal = new MpkiError('internal', (error as Error)?.message ?? String(error));
      return internal.toFault().toResponse();
    }
  };

  // The scep-ca simulator's publisher: CRL number persisted in the Store, one rebuild at a time.
  const crl = new CrlPublisher(options.ca, repository, name, clock, options.store, name);
  const crlHandler: Handler = async (request) => {
    if (new URL(request.url).pathname !== crlPath) return notFoundResponse(new URL(request.url).pathname);
    const der = await crl.current();
    return new Response(der as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': 'application/pkix-crl' } });
  };

  const webServiceMounts: Mount[] = SERVICE_NAMES.map((s) => ({ name, prefix: servicePath(s), handler: faults.wrap(soapHandler(s)) }));
  const admin = createRouter(mpkiAdminRoutes({ name, state, service, management, ras, repository, faults, clock }));
  const publicMounts: Mount[] = [
    { name, prefix: SCEP_PATH_PREFIX.replace(/\/$/, ''), handler: faults.wrap(createMpkiScep(service)) },
    { name, prefix: `/pki-crl/${name}`, handler: crlHandler },
    { name, prefix: adminBase(name), handler: admin },
  ];
  const table = compileMounts([...webServiceMounts, ...publicMounts]);
  const handler: Handler = (request, peer) => {
    const mount = table.select(new URL(request.url).pathname);
    return mount ? mount.handler(request, peer) : Promise.resolve(notFoundResponse(new URL(request.url).pathname));
  };
  return {
    webServiceMounts,
    publicMounts,
    handler,
    state,
    service,
    management,
    ras,
    repository,
    faults,
    name,
    setPublicBaseUrl(url: string) {
      publicBase = url.replace(/\/+$/, '');
    },
    crlUrl,
    tlsTrust: () => ras.tlsTrust(),
    onTlsTrustChange: (listener) => ras.onChange(listener),
    tlsTrustReady: () => ras.ready(),
  };
}
