/**
 * Hand-written PKI Web Services requests, as the observed clients send them (vendor-apis.md §A.3–A.5): every
 * child qualified by a default xmlns on the operation element, WS-Trust's wrapper with VeriSign's trailing-slash
 * namespace. The suite writes the wire itself (not through our connector) so it can look at the casing quirks
 * and send what a schema would refuse.
 */
import { el, escapeXml } from '../../core/soap/index.js';
import { SOAP11_ENVELOPE_NS } from '../../core/soap/fault.js';
import { REQUEST_TYPES, SERVICES, TOKEN_TYPES, VALUE_TYPES, WS_TRUST_NS, type RequestTypeName, type TokenTypeName } from '../../core/connectors/symantec-mpki/wire.js';
import type { XmlElement } from '../../core/soap/index.js';
import { find } from '../../core/connectors/symantec-mpki/policy.js';

export function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP11_ENVELOPE_NS}"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

export interface EnrollmentInput {
  profileOid: string;
  clientTransactionID?: string;
  tokenType?: TokenTypeName;
  requestType?: RequestTypeName;
  /** PKCS#10 DER, sent as base64. */
  csr?: Uint8Array;
  pendingTokenReferenceID?: string;
  attributes?: Record<string, string>;
  version?: string;
  /** The operation element's name; the real one is requestVSSecurityToken (lower-case r). */
  elementName?: string;
  /** The WS-Trust namespace of the wrapper; VeriSign's has a trailing slash. */
  wsTrustNs?: string;
}

export function enrollmentRequest(input: EnrollmentInput): string {
  const name = input.elementName ?? 'requestVSSecurityToken';
  const token = input.csr
    ? `<binarySecurityToken ValueType="${VALUE_TYPES.PKCS10}">${Buffer.from(input.csr).toString('base64')}</binarySecurityToken>`
    : '';
  const pairs = Object.entries(input.attributes ?? {})
    .map(([n, v]) => `<nameValuePair><name>${escapeXml(n)}</name><value>${escapeXml(v)}</value></nameValuePair>`)
    .join('');
  return envelope(
    `<wst:RequestSecurityToken xmlns:wst="${input.wsTrustNs ?? WS_TRUST_NS}"><${name} xmlns="${SERVICES.enrollment.namespace}" preferredLanguage="en-US">` +
      el('certificateProfileID', input.profileOid) +
      el('clientTransactionID', input.clientTransactionID) +
      el('tokenType', input.tokenType ? TOKEN_TYPES[input.tokenType] : undefined) +
      el('requestType', REQUEST_TYPES[input.requestType ?? 'Issue']) +
      token +
      el('pendingTokenReferenceID', input.pendingTokenReferenceID) +
      pairs +
      el('version', input.version ?? '2.0') +
      `</${name}></wst:RequestSecurityToken>`,
  );
}

export function getPoliciesRequest(options: { clientTransactionID?: string; version?: string } = {}): string {
  return envelope(`<getPolicies xmlns="${SERVICES.policy.namespace}">${el('version', options.version ?? '2.0')}${el('clientTransactionID', options.clientTransactionID)}</getPolicies>`);
}

export interface SearchInput {
  seatId?: string;
  profileOID?: string;
  status?: string;
  serialNumber?: string;
  startIndex?: number;
  clientTransactionID?: string;
}

export function searchCertificateRequest(input: SearchInput): string {
  return envelope(
    `<searchCertificateRequest xmlns="${SERVICES.management.namespace}">` +
      el('clientTransactionID', input.clientTransactionID) +
      el('seatId', input.seatId) +
      el('profileOID', input.profileOID) +
      el('status', input.status) +
      el('serialNumber', input.serialNumber) +
      el('startIndex', input.startIndex) +
      el('version', '1.0') +
      `</searchCertificateRequest>`,
  );
}

export function updateStatusRequest(input: { serial?: string; seatId?: string; operationType?: string; reason?: string; clientTransactionID?: string }): string {
  return envelope(
    `<updateCertificateStatusRequest xmlns="${SERVICES.management.namespace}">` +
      el('clientTransactionID', input.clientTransactionID) +
      el('version', '1.0') +
      el('revocationReason', input.reason ?? 'CessationOfOperation') +
      el('certificateSerialNumber', input.serial) +
      el('seatId', input.seatId) +
      el('operationType', input.operationType ?? 'Revoke') +
      `</updateCertificateStatusRequest>`,
  );
}

export function healthRequest(profileOid?: string): string {
  return envelope(`<getStatusRequestMessage xmlns="${SERVICES.healthcheck.namespace}">${el('version', '1.0')}${el('operationType', 'ENROLL')}${el('profileOid', profileOid)}</getStatusRequestMessage>`);
}

/** The connector's search: the element or its shallowest descendant with this local name. */
export { find };

export function findAll(element: XmlElement | undefined, name: string, out: XmlElement[] = []): XmlElement[] {
  if (!element) return out;
  if (element.name === name) out.push(element);
  else for (const c of element.children) findAll(c, name, out);
  return out;
}

export const textOf = (element: XmlElement | undefined, name: string): string | undefined => find(element, name)?.text;
