/**
 * Which element each service accepts and who handles it; the context handlers share (the authenticated RA, the
 * services, the public URLs). An operation element is matched by local name, in the service's namespace or
 * unqualified (lenient with clients that forget the qualification; the responses are always qualified).
 */
import { SERVICES, type SymantecService, WS_TRUST_NS } from '../../core/connectors/symantec-mpki/wire.js';
import type { XmlElement } from '../../core/soap/index.js';
import { getPolicies, getStatus, requestSecurityToken } from './enrollment-ops.js';
import { MpkiError } from './errors.js';
import type { MpkiManagement } from './management.js';
import {
  bulkDeleteUser,
  bulkUpdateCertificateStatus,
  createOrUpdatePasscode,
  createOrUpdateUser,
  deleteUser,
  getPasscodeInformation,
  getUserInformation,
  keyRecovery,
  searchCertificate,
  updateCertificateStatus,
} from './management-ops.js';
import type { MpkiService } from './service.js';
import type { MpkiState, RaRecord } from './state.js';

export interface OperationContext {
  service: MpkiService;
  management: MpkiManagement;
  state: MpkiState;
  /** The calling RA; MpkiError when the client certificate is missing, unknown, unregistered or revoked. */
  ra(): RaRecord;
  crlUrl(): string | undefined;
  scepUrl(oid: string): string | undefined;
}

type Operation = (element: XmlElement, context: OperationContext) => Promise<string>;

/** Request element → handler, per service; the WSDLs (wsdl.ts) announce the same names. */
export const OPERATIONS: Record<SymantecService, Record<string, Operation>> = {
  enrollment: { RequestSecurityToken: requestSecurityToken, requestVSSecurityToken: requestSecurityToken },
  policy: { getPolicies },
  management: {
    updateCertificateStatusRequest: updateCertificateStatus,
    bulkUpdateCertificateStatusRequest: bulkUpdateCertificateStatus,
    searchCertificateRequest: searchCertificate,
    requestKeyRecoveryMessage: keyRecovery,
  },
  userManagement: {
    createOrUpdateUserRequest: createOrUpdateUser,
    getUserInformationRequest: getUserInformation,
    createOrUpdatePasscodeRequest: createOrUpdatePasscode,
    getPasscodeInformationRequest: getPasscodeInformation,
    deleteUserRequest: deleteUser,
    bulkDeleteUserRequest: bulkDeleteUser,
  },
  healthcheck: { getStatusRequestMessage: getStatus },
};

export function runOperation(service: SymantecService, element: XmlElement, context: OperationContext): Promise<string> {
  const handler = OPERATIONS[service][element.name];
  const namespaces = ['', SERVICES[service].namespace, ...(service === 'enrollment' ? [WS_TRUST_NS, WS_TRUST_NS.replace(/\/$/, '')] : [])];
  if (!handler || !namespaces.includes(element.ns)) throw new MpkiError('unknownOperation', `{${element.ns}}${element.name}`);
  return handler(element, context);
}
