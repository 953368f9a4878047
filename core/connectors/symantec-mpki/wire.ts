/**
 * The wire contract of Symantec (DigiCert) Managed PKI 8.x "PKI Web Services": the one place that names the
 * five services, their namespaces, SOAPAction values and the enumerated URIs, shared by the simulator
 * (simulators/symantec-mpki) and the MobileIron VSP connector (core/connectors/symantec-mpki).
 * Facts: ../shared/reference/vendor-apis.md §A (tags [C] confirmed, [I] inferred).
 */
import type { RevocationReason } from '../../pki/crl.js';

/** The production host MobileIron VSP's "Server" field defaults to (guide 000, Table 2-1). */
export const SYMANTEC_DEFAULT_SERVER = 'pki-ws.symauth.com';

/** Every service lives under this path (§A.1 [C]). */
export const PKI_WS_BASE_PATH = '/pki-ws';

export type SymantecService = 'enrollment' | 'policy' | 'management' | 'userManagement' | 'healthcheck';

export interface ServiceDescriptor {
  /** Path under PKI_WS_BASE_PATH. */
  path: string;
  /** The schema's targetNamespace; every child element is qualified with it (elementFormDefault="qualified"). */
  namespace: string;
  /** WSDL service name. ASSUMPTION where the reference does not give it: the path with an upper-case first letter. */
  serviceName: string;
}

export const SERVICES: Readonly<Record<SymantecService, ServiceDescriptor>> = {
  enrollment: { path: '/enrollmentService', namespace: 'http://schemas.verisign.com/pkiservices/2009/07/enrollment', serviceName: 'EnrollmentService' },
  policy: { path: '/policyService', namespace: 'http://schemas.verisign.com/pkiservices/2009/07/policy', serviceName: 'PolicyService' },
  management: { path: '/certificateManagementService', namespace: 'http://schemas.verisign.com/pkiservices/2009/07/management', serviceName: 'CertificateManagementService' },
  userManagement: { path: '/userManagementService', namespace: 'http://schemas.verisign.com/pkiservices/2011/08/usermanagement', serviceName: 'UserManagementService' },
  healthcheck: { path: '/healthcheckService', namespace: 'http://schemas.pki.symantec.com/pkiservices/healthcheck', serviceName: 'HealthcheckService' },
};

/** The full path of a service, e.g. /pki-ws/enrollmentService. */
export function servicePath(service: SymantecService): string {
  return `${PKI_WS_BASE_PATH}${SERVICES[service].path}`;
}

/** SOAPAction = <targetNamespace>/<operation> (§A.1 [C]); getPolicies is announced as requestPolicies. */
export function soapAction(service: SymantecService, operation: string): string {
  return `${SERVICES[service].namespace}/${operation}`;
}

/** VeriSign's copy of WS-Trust 1.3: with a trailing slash, unlike the OASIS standard (§A.1 [C]). */
export const WS_TRUST_NS = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/';
/** WS-Security secext, for binarySecurityToken's ValueType/EncodingType attributes. */
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';

/** tokenType values (§A.3 [C]). */
export const TOKEN_TYPES = {
  X509v3: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3',
  PKCS7: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7',
  PKCS12: 'http://schemas.verisign.com/pkiservices/2009/07/PKCS12',
} as const;
export type TokenTypeName = keyof typeof TOKEN_TYPES;

/** requestType values (§A.3 [C]); note Issue/Renew use the slash namespace. */
export const REQUEST_TYPES = {
  Issue: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue',
  Renew: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew',
  QueryTokenStatus: 'http://schemas.verisign.com/pkiservices/2009/07/QueryTokenStatus',
} as const;
export type RequestTypeName = keyof typeof REQUEST_TYPES;

/** binarySecurityToken ValueType / EncodingType (§A.3 [C]). */
export const VALUE_TYPES = {
  PKCS10: 'http://schemas.verisign.com/pkiservices/2009/07/PKCS10',
  SPKAC: 'http://schemas.verisign.com/pkiservices/2009/07/SPKAC',
} as const;
export const BASE64_ENCODING_TYPE = `${WSSE_NS}#base64binary`;

/** clientTransactionID / serverTransactionID: at most 40 characters (§A.3 [C] schema). */
export const TRANSACTION_ID_MAX = 40;
/** The version element's pattern (§A.3 [C] schema); clients send "2.0" (enrollment) and "1.0" (management). */
export const VERSION_PATTERN = /^\d{1,3}\.\d{0,3}$/;

/** updateCertificateStatus (§A.4 [C]). */
export const OPERATION_TYPES = ['Revoke', 'Suspend', 'Resume'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];
export const REVOCATION_REASONS = [
  'Unspecified',
  'KeyCompromise',
  'CACompromise',
  'AffiliationChanged',
  'CessationOfOperation',
  'PrivilegeWithdrawn',
  'AACompromise',
  'Superseded',
] as const;
export type RevocationReasonName = (typeof REVOCATION_REASONS)[number];

/**
 * RFC 5280 reason (core/pki/crl.ts) <-> wire revocationReason, both ways from one table. certificateHold and
 * removeFromCRL have no wire reason: they are the operations Suspend and Resume (revocationOperation).
 */
const REASON_PAIRS: ReadonlyArray<readonly [RevocationReason, RevocationReasonName]> = [
  ['unspecified', 'Unspecified'],
  ['keyCompromise', 'KeyCompromise'],
  ['cACompromise', 'CACompromise'],
  ['affiliationChanged', 'AffiliationChanged'],
  ['superseded', 'Superseded'],
  ['cessationOfOperation', 'CessationOfOperation'],
  ['privilegeWithdrawn', 'PrivilegeWithdrawn'],
  ['aACompromise', 'AACompromise'],
];
export const REVOCATION_REASON_MAP: {
  readonly toWire: Readonly<Partial<Record<RevocationReason, RevocationReasonName>>>;
  readonly fromWire: Readonly<Record<RevocationReasonName, RevocationReason>>;
} = {
  toWire: Object.freeze(Object.fromEntries(REASON_PAIRS)),
  fromWire: Object.freeze(Object.fromEntries(REASON_PAIRS.map(([ours, wire]) => [wire, ours])) as Record<RevocationReasonName, RevocationReason>),
};

/** The updateCertificateStatus operation for a reason: a hold is Suspend, removeFromCRL is Resume, the rest Revoke. */
export function revocationOperation(reason?: RevocationReason): { operationType: OperationType; revocationReason?: RevocationReasonName } {
  if (reason === 'certificateHold') return { operationType: 'Suspend' };
  if (reason === 'removeFromCRL') return { operationType: 'Resume' };
  return { operationType: 'Revoke', revocationReason: (reason && REVOCATION_REASON_MAP.toWire[reason]) ?? 'Unspecified' };
}
/** bulkUpdateCertificateStatus takes at most this many serials, seats or profile OIDs (§A.4 [C]). */
export const BULK_MAX = 100;
/** userManagementService bulkDeleteUser takes at most this many seatIds (§A.5 [C] schema). */
export const BULK_DELETE_USER_MAX = 25;
/** searchCertificate status enum (§A.4 [C]). */
export const CERTIFICATE_STATUSES = ['VALID', 'EXPIRED', 'REVOKED', 'SUSPENDED'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];
/** searchCertificate page size. ASSUMPTION (§A.4 [I]: one client assumes 50). */
export const SEARCH_PAGE_SIZE = 50;

/** Health check (§A.5 [C]). */
export const HEALTH_STATUSES = ['UP', 'DOWN'] as const;

/**
 * The SCEP interface of the same profiles. ASSUMPTION (§A.6 [I]: the legacy MPKI SCEP URL is not public):
 * /pki-scep/<profileOID>/pkiclient.exe, the common SCEP CGI name.
 */
export function scepPath(profileOid: string): string {
  return `/pki-scep/${profileOid}/pkiclient.exe`;
}
export const SCEP_PATH_PREFIX = '/pki-scep/';

/** The SCEP server's HTTP refusals, status and text verbatim (§A.6 [C], S9). */
export const SCEP_PASSCODE_ERRORS = {
  verificationFailed: { status: 400, text: 'Passcode Verification Failed' },
  authenticationFailed: { status: 401, text: 'Passcode Authentication Failed' },
  expired: { status: 406, text: 'Passcode Has expired' },
  redeemedOrLocked: { status: 412, text: 'Passcode is either redeemed or locked' },
} as const;
export type ScepPasscodeError = keyof typeof SCEP_PASSCODE_ERRORS;

/** The RA certificate's subject CN as the portal issues it: "Registration Authority <13 digits>" (§A.2 [C]). */
export const RA_COMMON_NAME_PATTERN = /^Registration Authority \d{13}$/;
