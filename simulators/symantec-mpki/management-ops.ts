/**
 * certificateManagementService and userManagementService on the wire (vendor-apis.md §A.4, §A.5; element names
 * from the services' schemas). Management outcomes such as "already revoked" answer HTTP 200 with a negative
 * successCode; malformed requests are faults.
 */
import { BULK_DELETE_USER_MAX, BULK_MAX, CERTIFICATE_STATUSES, OPERATION_TYPES, REVOCATION_REASONS } from '../../core/connectors/symantec-mpki/wire.js';
import { children, type XmlElement } from '../../core/soap/index.js';
import { MpkiError } from './errors.js';
import type { StatusOutcome, StatusTarget } from './management.js';
import type { OperationContext } from './operations.js';
import type { MpkiUser, Passcode } from './state.js';
import { bool, common, int, oneOf, text, writer } from './xml.js';

const m = writer('management');
const u = writer('userManagement');
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function statusResponse(name: string, head: { version: string; clientTransactionId: string | undefined }, context: OperationContext, outcome: StatusOutcome): string {
  return m.root(name, [
    m.q('clientTransactionID', head.clientTransactionId),
    m.q('serverTransactionID', context.service.newTransactionId()),
    m.q('version', head.version),
    m.q('successCode', outcome.successCode),
    m.q('successMsg', outcome.successMsg),
    m.q('revocationCount', outcome.revocationCount),
  ]);
}

function runStatus(context: OperationContext, request: XmlElement, target: StatusTarget): StatusOutcome {
  const operation = oneOf(OPERATION_TYPES, 'operationType', text(request, 'operationType'));
  if (!operation) throw new MpkiError('missingElement', 'operationType');
  const reason = oneOf(REVOCATION_REASONS, 'revocationReason', text(request, 'revocationReason'));
  const comment = text(request, 'comment');
  if (comment && comment.length > 512) throw new MpkiError('commentTooLong');
  try {
    return context.management.updateStatus(operation, target, reason, comment);
  } catch (error) {
    if (error instanceof MpkiError && error.result) {
      context.state.record({ event: operation.toLowerCase(), outcome: 'refused', detail: error.message, errorCode: error.code });
      return { successCode: Number(error.code), successMsg: error.message, revocationCount: 0 };
    }
    throw error;
  }
}

export async function updateCertificateStatus(request: XmlElement, context: OperationContext): Promise<string> {
  const head = common(request);
  context.ra();
  const serial = text(request, 'certificateSerialNumber');
  const seatId = text(request, 'seatId');
  if (!serial && !seatId) throw new MpkiError('missingElement', 'certificateSerialNumber or seatId');
  const outcome = runStatus(context, request, serial ? { serials: [serial] } : { seatIds: [seatId!] });
  return statusResponse('updateCertificateStatusResponse', head, context, outcome);
}

export async function bulkUpdateCertificateStatus(request: XmlElement, context: OperationContext): Promise<string> {
  const head = common(request);
  context.ra();
  const lists = { certificateSerialNumber: children(request, 'certificateSerialNumber'), seatId: children(request, 'seatId'), profileOID: children(request, 'profileOID') };
  const [name, elements] = Object.entries(lists).find(([, list]) => list.length > 0) ?? [];
  if (!name || !elements) throw new MpkiError('missingElement', 'certificateSerialNumber, seatId or profileOID');
  if (elements.length > BULK_MAX) throw new MpkiError('bulkTooMany', name, BULK_MAX);
  const values = elements.map((e) => e.text);
  const target: StatusTarget = name === 'certificateSerialNumber' ? { serials: values } : name === 'seatId' ? { seatIds: values } : { profileOids: values };
  return statusResponse('bulkUpdateCertificateStatusResponse', head, context, runStatus(context, request, target));
}

export async function searchCertificate(request: XmlElement, context: OperationContext): Promise<string> {
  const head = common(request);
  context.ra();
  const result = context.management.search({
    ...defined({
      seatId: text(request, 'seatId'),
      accountId: text(request, 'accountId'),
      profileOid: text(request, 'profileOID'),
      commonName: text(request, 'commonName'),
      status: oneOf(CERTIFICATE_STATUSES, 'status', text(request, 'status')),
      emailAddress: text(request, 'emailAddress'),
      serialNumber: text(request, 'serialNumber'),
      validFrom: int(request, 'validFrom'),
      validTo: int(request, 'validTo'),
      startIndex: int(request, 'startIndex'),
    }),
  });
  const items = result.items.map(({ meta, record, status }) =>
    m.q('certificateInformation', [
      m.q('certificate', record.der),
      m.q('seatId', meta.seatId),
      m.q('commonName', meta.commonName),
      m.q('accountId', meta.accountId),
      m.q('profileOID', meta.profileOid),
      m.q('emailAddress', meta.emailAddress ?? null),
      m.q('status', status),
      m.q('revokeAt', record.status === 'revoked' && record.revokedAt ? epoch(record.revokedAt) : undefined),
      m.q('revokeReason', record.status === 'revoked' ? (meta.revokeReason ?? 'Unspecified') : undefined),
      m.q('validFrom', epoch(record.notBefore)),
      m.q('validTo', epoch(record.notAfter)),
      m.q('serialNumber', meta.serialHex),
      m.q('isEscrowed', meta.escrow !== undefined),
      m.q('enrollmentNotes', meta.enrollmentNotes ?? null),
      m.q('revokeComments', meta.revokeComments ?? null),
    ]),
  );
  return m.root('searchCertificateResponse', [
    m.q('clientTransactionID', head.clientTransactionId),
    m.q('serverTransactionID', context.service.newTransactionId()),
    m.q('certificateCount', result.total),
    items.length ? m.q('certificateList', items) : '',
    m.q('moreCertificateAvailable', result.more),
    m.q('version', head.version),
  ]);
}

export async function keyRecovery(request: XmlElement, context: OperationContext): Promise<string> {
  const head = common(request);
  context.ra();
  if (!text(request, 'adminID')) throw new MpkiError('missingElement', 'adminID');
  const recovered = context.management.keyRecovery(text(request, 'certificateSerialNumber'), text(request, 'pKCS12Password'));
  // ASSUMPTION: the response element requestKeyRecoveryResponseMessage and its fields (no public schema seen; wsdl.ts).
  return m.root('requestKeyRecoveryResponseMessage', [
    m.q('clientTransactionID', head.clientTransactionId),
    m.q('serverTransactionID', context.service.newTransactionId()),
    m.q('adminApprovalPendingCount', 0),
    m.q('pKCS12Password', recovered.password),
    m.q('pKCS12Message', recovered.p12),
    m.q('version', head.version),
  ]);
}

function userXml(user: MpkiUser): string {
  return u.q('userInformation', [
    u.q('seatId', user.seatId),
    u.q('firstName', user.firstName),
    u.q('lastName', user.lastName),
    u.q('emailAddress', user.emailAddress),
    u.q('deskPhoneNumber', user.deskPhoneNumber),
    u.q('mobilePhoneNumber', user.mobilePhoneNumber),
    ...user.attributes.map((a) => u.q('userAttribute', [u.q('name', a.name), u.q('value', a.value)])),
  ]);
}

function passcodeXml(p: Passcode): string {
  return u.q('passcodeInformation', [
    u.q('passcode', p.passcode),
    u.q('numberOfBadAttempts', p.numberOfBadAttempts),
    u.q('passcodeStatus', p.status),
    u.q('expiryDateTime', p.expiryDateTime),
    u.q('creationDateTime', p.creationDateTime),
    u.q('seatId', p.seatId),
    u.q('firstName', p.firstName),
    u.q('lastName', p.lastName),
    u.q('email', p.email),
    u.q('certificateProfileOid', p.certificateProfileOid),
  ]);
}

function head(context: OperationContext, h: { clientTransactionId: string | undefined }): string[] {
  return [u.q('clientTransactionID', h.clientTransactionId), u.q('serverTransactionID', context.service.newTransactionId())];
}

/** An xsd:dateTime as ISO 8601 UTC, or undefined when absent; a value Date cannot read is invalidValue. */
function dateTime(element: XmlElement | undefined, name: string): string | undefined {
  const value = text(element, name);
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new MpkiError('invalidValue', name, value);
  return new Date(ms).toISOString();
}

const required = (element: XmlElement | undefined, name: string): string => {
  const value = text(element, name);
  if (!value) throw new MpkiError('missingElement', name);
  return value;
};

export async function createOrUpdateUser(request: XmlElement, context: OperationContext): Promise<string> {
  const h = common(request);
  context.ra();
  const infos = children(request, 'userInformation');
  if (infos.length === 0) throw new MpkiError('missingElement', 'userInformation');
  // One transaction: a later entry's fault leaves no earlier entry saved.
  const statuses = context.state.store.transaction(() => infos.map((info) => {
    const user = context.management.createOrUpdateUser({
      seatId: required(info, 'seatId'),
      attributes: children(info, 'userAttribute').map((a) => ({ name: text(a, 'name') ?? '', value: text(a, 'value') ?? '' })),
      ...defined({ firstName: text(info, 'firstName'), lastName: text(info, 'lastName'), emailAddress: text(info, 'emailAddress'), deskPhoneNumber: text(info, 'deskPhoneNumber'), mobilePhoneNumber: text(info, 'mobilePhoneNumber') }),
    });
    // ASSUMPTION: statusCode "0" for success.
    return u.q('userCreationStatus', [u.q('seatId', user.seatId), u.q('statusCode', '0')]);
  }));
  return u.root('createOrUpdateUserResponse', [...head(context, h), ...statuses, u.q('version', h.version)]);
}

export async function getUserInformation(request: XmlElement, context: OperationContext): Promise<string> {
  const h = common(request);
  context.ra();
  const seatId = required(request, 'seatId');
  const user = context.management.user(seatId);
  const certificates = bool(request, 'getUserCertificate') ? context.management.validCertificatesOf(seatId) : [];
  return u.root('getUserInformationResponse', [
    ...head(context, h),
    userXml(user),
    certificates.length ? u.q('userValidCertificates', certificates.map((c) => u.q('userCertificate', c))) : '',
    u.q('version', h.version),
  ]);
}

export async function createOrUpdatePasscode(request: XmlElement, context: OperationContext): Promise<string> {
  const h = common(request);
  const ra = context.ra();
  const infos = children(request, 'passcodeInformation');
  if (infos.length === 0) throw new MpkiError('missingElement', 'passcodeInformation');
  const statuses = context.state.store.transaction(() => infos.map((info) => {
    const oid = required(info, 'certificateProfileOid');
    context.service.checkEntitled(ra, oid);
    const passcode = context.management.createOrUpdatePasscode({
      seatId: required(info, 'seatId'),
      certificateProfileOid: oid,
      ...defined({
        passcode: text(info, 'passcode'),
        expiryDateTime: dateTime(info, 'expiryDateTime'),
        firstName: text(info, 'firstName'),
        lastName: text(info, 'lastName'),
        email: text(info, 'email'),
      }),
    });
    return u.q('passcodeCreationStatus', [passcodeXml({ ...passcode }).replace('</usermgmt:passcodeInformation>', `${u.q('enrollmentURL', context.scepUrl(oid))}</usermgmt:passcodeInformation>`), u.q('statusCode', '0')]);
  }));
  return u.root('createOrUpdatePasscodeResponse', [...head(context, h), ...statuses, u.q('version', h.version)]);
}

export async function getPasscodeInformation(request: XmlElement, context: OperationContext): Promise<string> {
  const h = common(request);
  context.ra();
  const passcode = context.management.passcode(required(request, 'seatId'), required(request, 'certificateProfileOid'));
  return u.root('getPasscodeInformationResponse', [...head(context, h), passcodeXml(passcode), u.q('version', h.version)]);
}

export async function deleteUser(request: XmlElement, context: OperationContext): Promise<string> {
  const h = common(request);
  context.ra();
  const seatId = required(request, 'seatId');
  const reason = oneOf(REVOCATION_REASONS, 'revocationReason', text(request, 'revocationReason'));
  const count = context.management.deleteUser(seatId, reason);
  return u.root('deleteUserResponse', [
    ...head(context, h),
    u.q('deleteUserStatus', [u.q('status', 'SUCCESS'), u.q('errorCode', '0'), u.q('seatId', seatId), u.q('revocationCount', count)]),
    u.q('version', h.version),
  ]);
}

/** bulkDeleteUser: up to 25 seats (§A.5 [C] schema); a seat that fails gets its own FAILURE status. */
export async function bulkDeleteUser(request: XmlElement, context: OperationContext): Promise<string> {
  const h = common(request);
  context.ra();
  const seats = children(request, 'seatId').map((e) => e.text);
  if (seats.length === 0) throw new MpkiError('missingElement', 'seatId');
  if (seats.length > BULK_DELETE_USER_MAX) throw new MpkiError('bulkTooMany', 'seatId', BULK_DELETE_USER_MAX);
  const reason = oneOf(REVOCATION_REASONS, 'revocationReason', text(request, 'revocationReason'));
  const statuses = seats.map((seatId) => {
    try {
      const count = context.management.deleteUser(seatId, reason);
      return u.q('deleteUserStatus', [u.q('status', 'SUCCESS'), u.q('errorCode', '0'), u.q('seatId', seatId), u.q('revocationCount', count)]);
    } catch (error) {
      if (!(error instanceof MpkiError)) throw error;
      return u.q('deleteUserStatus', [u.q('status', 'FAILURE'), u.q('errorCode', error.code), u.q('seatId', seatId), u.q('revocationCount', 0)]);
    }
  });
  return u.root('bulkDeleteUserResponse', [...head(context, h), ...statuses, u.q('version', h.version)]);
}

function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

