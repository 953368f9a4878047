/** ProfileDetail and OrderDetail as the query operations return them (reference §3, shared types). */
import { el, els } from '../../core/soap/index.js';
import { toPem } from '../../core/pki/pem.js';
import type { EpkiOrder, EpkiProfile } from './state.js';
import { epkiTimestamp } from './wire.js';

const ts = (iso: string | undefined): string | undefined => (iso ? epkiTimestamp(new Date(iso)) : undefined);

export function profileDetailXml(profile: EpkiProfile): string {
  return el('ProfileDetail', [
    el('ProfileInfo', [
      el('ProfileOrderNo', profile.profileId),
      el('ProfileOrderState', profile.state),
      el('RequestDate', ts(profile.requestDate)),
      el('IssueDate', ts(profile.issueDate)),
    ]),
    el('ProfileDnAttributes', [
      el('Organization', profile.organization),
      el('OrganizationUnits', [els('OrganizationUnit', profile.organizationUnits)]),
      el('StateOrProvince', profile.stateOrProvince),
      el('Locality', profile.locality),
      el('Country', profile.country),
    ]),
    el('ProfileAttributes', [el('HashType', profile.hash), el('EFSOption', 'false'), el('UPN', 'false'), el('NonExportable', 'false')]),
  ]);
}

export interface DetailOptions {
  certificateInfo: boolean;
  fulfillment: boolean;
  modEvents?: boolean;
}

export function orderDetailXml(order: EpkiOrder, options: DetailOptions): string {
  const info = el('OrderInfo', [
    el('OrderNo', order.orderId),
    el('OrderStatus', order.status),
    el('ProductCode', order.productCode),
    el('OriginalOrderIDForReIssue', order.originalOrderId),
    el('ProfileNo', order.profileId),
    el('LicenseNo', order.licenseNo),
    el('RequestDate', ts(order.requestDate)),
    el('IssueDate', ts(order.issueDate)),
    el('CancelDate', ts(order.cancelDate)),
    el('RevokeDate', ts(order.revokeDate)),
    order.notBefore ? el('ValidityPeriod', [el('NotBefore', ts(order.notBefore)), el('NotAfter', ts(order.notAfter))]) : '',
  ]);
  const certInfo =
    options.certificateInfo && order.serialHex
      ? el('CrCertificateInfo', [
          el('CertificateStatus', order.status),
          el('SerialNumber', order.serialHex),
          el('StartDate', ts(order.notBefore)),
          el('EndDate', ts(order.notAfter)),
          el('Email', order.email),
          el('CommonName', order.commonName),
          el('OrganizationUnits', [els('OrganizationUnit', order.organizationUnits)]),
        ])
      : '';
  const fulfillment =
    options.fulfillment && order.certificate
      ? el('Fulfillment', [el('CrCertificate', [el('Certificate', toPem('CERTIFICATE', Buffer.from(order.certificate, 'base64')))])])
      : '';
  const events = options.modEvents
    ? el('ModificationEvents', order.events.map((e) => el('ModificationEvent', [el('ModificationEventName', e.name), el('ModificationEventTimestamp', ts(e.at))])))
    : '';
  return el('OrderDetail', [info, certInfo, fulfillment, events]);
}
