/**
 * GlobalSign Enterprise PKI simulator: the GasOrderService SOAP 1.1 API (document/literal wrapped, namespace
 * https://system.globalsign.com/cr/ws/) at the real paths, with the GCC account model in a Store and an admin
 * surface (DESIGN.md, "Simulators are Fetch handlers"; ../shared/reference/globalsign-epki.md).
 *
 *   POST /cr/ws/GasOrderService, /services/cr/ws/GasOrderService   SOAP (text/xml, SOAPAction "")
 *   GET  <either path>?wsdl                                        the WSDL
 *   /__mdmca/<name>/…                                              admin (admin.ts)
 *
 * Business errors: HTTP 200, SuccessCode -1 (errors.ts). SOAP Faults only for unreadable messages (malformed XML,
 * a DTD or entity, a schema error, over 1 MiB).
 */
import type { AdjustableClock } from '../../core/clock.js';
import type { Handler } from '../../core/http.js';
import type { CertificateAuthority } from '../../core/pki/ca.js';
import { endpointAddress, isWsdlRequest, readSoapRequest, SoapFault, soapResponse, wsdlResponse } from '../../core/soap/index.js';
import { adminBase } from '../admin-routes.js';
import { type FaultConfigInput, FaultInjector } from '../faults.js';
import { compileMounts, type Mount, notFoundResponse } from '../mounts.js';
import { createRouter } from '../router.js';
import { CertificateRepository } from '../store/certificates.js';
import type { Store } from '../store/index.js';
import { epkiAdminRoutes } from './admin.js';
import { type CertificateForm, runOperation } from './operations.js';
import { EpkiService } from './service.js';
import { EpkiState } from './state.js';
import { epkiWsdl } from './wsdl.js';

export { EPKI_DEFAULTS } from './fixtures.js';
export { EPKI_ERRORS, EpkiError, type EpkiErrorKey, LICENCE_ERROR_CODES } from './errors.js';
export { EPKI_NAMESPACE } from './wire.js';
export type { CertificateForm } from './operations.js';

export const EPKI_PATHS = ['/cr/ws/GasOrderService', '/services/cr/ws/GasOrderService'] as const;

export interface GlobalSignEpkiOptions {
  store: Store;
  clock: AdjustableClock;
  /** The issuing CA (the test PKI's: context.pki.issuingAuthority(clock, serials)). */
  ca: CertificateAuthority;
  /** Simulator id: admin path, Store prefix, issuer of recorded certificates. Default 'globalsign-epki'. */
  name?: string;
  /** What CERT carries; default 'pkcs7' (ASSUMPTION, operations.ts). */
  certificateForm?: CertificateForm;
  faults?: FaultInjector | FaultConfigInput;
  /** Default true: seed the default account (fixtures.ts) when the store has none. */
  seed?: boolean;
}

export interface GlobalSignEpki {
  handler: Handler;
  mounts: Mount[];
  service: EpkiService;
  state: EpkiState;
  repository: CertificateRepository;
  faults: FaultInjector;
}

export function createGlobalSignEpki(options: GlobalSignEpkiOptions): GlobalSignEpki {
  const name = options.name ?? 'globalsign-epki';
  const repository = new CertificateRepository(options.store, options.clock);
  const state = new EpkiState(options.store, options.clock, name);
  if (options.seed ?? true) state.seedDefaults();
  const service = new EpkiService(state, options.ca, repository, options.clock, name);
  const faults = options.faults instanceof FaultInjector ? options.faults : new FaultInjector(options.faults ?? {}, { clock: options.clock });
  const certificateForm = options.certificateForm ?? 'pkcs7';

  const soap: Handler = async (request, peer) => {
    if (isWsdlRequest(request)) return wsdlResponse(epkiWsdl(endpointAddress(request)));
    if (request.method !== 'POST') return new SoapFault('soap:Client', `${request.method} is not supported; POST a SOAP 1.1 envelope or GET ?wsdl`, 405).toResponse();
    try {
      const message = await readSoapRequest(request);
      const body = await runOperation(message.operation, { service, address: peer.address, certificateForm });
      // The family's CXF stack sets a JSESSIONID (reference §1); Path /cr by analogy with /kb. ASSUMPTION.
      return soapResponse(body, { 'set-cookie': `JSESSIONID=${Math.random().toString(16).slice(2)}; Path=/cr; HttpOnly` });
    } catch (error) {
      if (error instanceof SoapFault) return error.toResponse();
      return new SoapFault('soap:Server', `Internal error: ${(error as Error).message}`).toResponse();
    }
  };
  const wrapped = faults.wrap(soap);
  const admin = createRouter(epkiAdminRoutes({ name, state, service, repository, faults, clock: options.clock }));
  const mounts: Mount[] = [
    ...EPKI_PATHS.map((prefix) => ({ name, prefix, handler: wrapped })),
    { name, prefix: adminBase(name), handler: admin },
  ];
  const table = compileMounts(mounts);
  const handler: Handler = (request, peer) => {
    const mount = table.select(new URL(request.url).pathname);
    return mount ? mount.handler(request, peer) : Promise.resolve(notFoundResponse(new URL(request.url).pathname));
  };
  return { handler, mounts, service, state, repository, faults };
}
