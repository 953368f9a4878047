/**
 * The enrollment, policy and health-check operations on the wire (vendor-apis.md §A.3, §A.5):
 * wst:RequestSecurityToken wrapping vswstep:requestVSSecurityToken (lower-case r) in, and
 * wst:RequestSecurityTokenResponse wrapping vswstep:RequestVSSecurityTokenResponse (upper-case R) out, in
 * VeriSign's WS-Trust namespace with its trailing slash; getPolicies; getStatus.
 */
import { BASE64_ENCODING_TYPE, REQUEST_TYPES, TOKEN_TYPES, VALUE_TYPES, WS_TRUST_NS } from '../../core/connectors/symantec-mpki/wire.js';
import { child, children, els, type XmlElement } from '../../core/soap/index.js';
import { MpkiError } from './errors.js';
import type { OperationContext } from './operations.js';
import { type EnrollOutcome, type IssuedToken, type NameValue, tokenTypeOf } from './service.js';
import type { MpkiProfile } from './state.js';
import { common, text, writer } from './xml.js';

const vs = writer('enrollment');
const pol = writer('policy');
const hc = writer('healthcheck');

function pairsOf(request: XmlElement): NameValue[] {
  const pairs = children(request, 'nameValuePair').map((p) => ({ name: text(p, 'name') ?? '', value: child(p, 'value')?.text ?? '' }));
  // ASSUMPTION: MS-WSTEP style additionalContext/ContextItem (Name attribute, Value child) as aliases (§A.3 [I]).
  for (const item of children(child(request, 'additionalContext'), 'ContextItem')) {
    const name = item.attributes.Name ?? item.attributes.name;
    if (name) pairs.push({ name, value: text(item, 'Value') ?? '' });
  }
  return pairs.filter((p) => p.name !== '');
}

function requestTypeOf(uri: string | undefined): keyof typeof REQUEST_TYPES {
  if (uri === undefined) throw new MpkiError('missingElement', 'requestType');
  const found = (Object.keys(REQUEST_TYPES) as (keyof typeof REQUEST_TYPES)[]).find((k) => REQUEST_TYPES[k] === uri);
  if (!found) throw new MpkiError('invalidValue', 'requestType', uri);
  return found;
}

/** RequestSecurityToken: the outer wst element, or (leniently) the inner one sent bare. */
export async function requestSecurityToken(operation: XmlElement, context: OperationContext): Promise<string> {
  const request = operation.name === 'requestVSSecurityToken' ? operation : child(operation, 'requestVSSecurityToken');
  if (!request) throw new MpkiError('missingElement', 'requestVSSecurityToken');
  const { version, clientTransactionId } = common(request);
  const ra = context.ra();
  const { service } = context;
  const account = context.state.account();
  if (account.health === 'DOWN') throw new MpkiError('serviceDown');
  const requestType = requestTypeOf(text(request, 'requestType'));
  const tokenType = tokenTypeOf(text(request, 'tokenType'));
  const pairs = pairsOf(request);
  const tokens = children(request, 'binarySecurityToken').map((t) => ({ valueType: t.attributes.ValueType, text: t.text }));
  const csr = tokens.find((t) => t.valueType === undefined || t.valueType === VALUE_TYPES.PKCS10)?.text;
  const event = requestType === 'Issue' ? 'enroll' : requestType === 'Renew' ? 'renew' : 'query';
  let outcome: EnrollOutcome;
  let profile: MpkiProfile | undefined;
  let seatId: string | undefined;
  // An issued certificate's audit record is written with the certificate (one group commit, service.issue).
  let recorded = false;
  const auditIssued = (issued: IssuedToken) => {
    context.state.record({ event, outcome: 'success', detail: `issued ${issued.tokenType} ${issued.serialHex}`, serialHex: issued.serialHex, ra: ra.serialHex, ...(profile ? { profileOid: profile.oid } : {}), ...(seatId ? { seatId } : {}) });
    recorded = true;
  };
  if (requestType === 'QueryTokenStatus') {
    outcome = await service.queryPending(ra, text(request, 'pendingTokenReferenceID'));
  } else {
    const found = service.webServicesProfile(text(request, 'certificateProfileID'), ra);
    profile = found;
    seatId = pairs.find((p) => p.name === found.seatIdAttribute)?.value;
    if (requestType === 'Issue') {
      outcome = await service.enroll(ra, found, tokenType, pairs, csr, { onIssued: auditIssued, account });
    } else {
      const old = tokens.find((t) => t.valueType === TOKEN_TYPES.X509v3 || t.valueType === TOKEN_TYPES.PKCS7)?.text;
      outcome = await service.renew(ra, found, tokenType, pairs, csr, old, { onIssued: auditIssued, account });
    }
  }
  const serverTransactionId = service.newTransactionId();
  let inner: string;
  if (outcome.kind === 'pending') {
    context.state.record({ event, outcome: 'pending', detail: `pending approval: ${outcome.pendingId}`, ra: ra.serialHex, ...(profile ? { profileOid: profile.oid } : {}), ...(seatId ? { seatId } : {}) });
    inner = vs.q('requestedVSSecurityToken', [vs.q('pendingTokenReferenceID', outcome.pendingId)]);
  } else {
    const issued = outcome.issued;
    if (!recorded) auditIssued(issued);
    const attrs = `ValueType="${TOKEN_TYPES[issued.tokenType]}" EncodingType="${BASE64_ENCODING_TYPE}"`;
    inner = vs.q('requestedVSSecurityToken', [
      `<${vs.prefix}:binarySecurityToken ${attrs}>${issued.token}</${vs.prefix}:binarySecurityToken>`,
      vs.q('pKCS12Password', issued.pkcs12Password),
    ]);
  }
  const disposition = outcome.kind === 'pending' ? 'Pending' : 'Issued';
  const response = vs.root('RequestVSSecurityTokenResponse', [
    vs.q('clientTransactionID', clientTransactionId),
    vs.q('serverTransactionID', serverTransactionId),
    vs.q('tokenType', TOKEN_TYPES[outcome.kind === 'issued' ? outcome.issued.tokenType : tokenType]),
    vs.q('dispositionMessage', disposition),
    inner,
    vs.q('version', version),
  ]);
  return `<wst:RequestSecurityTokenResponse xmlns:wst="${WS_TRUST_NS}">${response}</wst:RequestSecurityTokenResponse>`;
}

/** ASSUMPTION: the DN attribute each nameValuePair fills, for subjectNameInfo. */
const DN_OF: Record<string, string> = { common_name: 'CN', mail_email: 'E', mail: 'E', emailAddress: 'E', country: 'C', upn: 'UPN', seat_id: 'CN' };

function nameValueProperty(field: string, mandatory: boolean): string {
  return pol.q('attributeNameValueProperty', [
    pol.q('value', null),
    pol.q('source', 'nameValuePair'),
    pol.q('sourceAttributeName', field),
    pol.q('mandatory', mandatory),
    pol.q('overridable', false),
  ]);
}

function attributeNameValue(field: string, mandatory: boolean): string {
  return `<${pol.prefix}:attributeNameValue mandatory="${mandatory}" type="string">${field}</${pol.prefix}:attributeNameValue>`;
}

function policyXml(profile: MpkiProfile, index: number, scepBase: string | undefined): string {
  const fields = [...profile.requiredFields.map((f) => [f, true] as const), ...profile.optionalFields.map((f) => [f, false] as const)];
  const subjectNameInfo = pol.q('subjectNameInfo', [
    ...fields.map(([field, mandatory]) =>
      pol.q('subjectNameAttribute', [
        pol.q('subjectNameAttributecount', 1),
        pol.q('subjectNameAttributeNameValuePair', [pol.q('attributeName', DN_OF[field] ?? field), attributeNameValue(field, mandatory), nameValueProperty(field, mandatory)]),
      ]),
    ),
    pol.q('overrideSubjectNameFormat', false),
  ]);
  return pol.q('policy', [
    pol.q('policyOIDReference', index),
    pol.q('cAs', [pol.q('cAReference', 0)]),
    pol.q('attributes', [
      pol.q('policySchema', 3),
      pol.q('certificateValidity', [pol.q('validityPeriodDays', profile.validityDays), pol.q('renewalPeriodDays', profile.renewalDays)]),
      subjectNameInfo,
      pol.q('extensions', null),
      pol.q('privateKeyAttributes', [
        pol.q('keysize', Math.min(...profile.keySizes)),
        pol.q('keyEscrowPolicy', [pol.q('keyEscrowEnabled', profile.keyEscrow), pol.q('keyEscrowDeploymentMode', profile.mode)]),
        pol.q('keyexportable', true),
        pol.q('algorithmOIDReference', null),
        pol.q('cryptoProviders', null),
      ]),
      pol.q('clientPolicy', null),
      pol.q('systemInfo', [
        pol.q('certificateDeliveryFormat', profile.keyEscrow ? TOKEN_TYPES.PKCS12 : TOKEN_TYPES.X509v3),
        pol.q('serviceEndpointList', scepBase ? [pol.q('serviceEndpoint', [pol.q('type', 'SCEP'), pol.q('endpointURI', `${scepBase}`)])] : null),
        pol.q('duplicateCertPolicy', 'allow'),
        pol.q('supersededPolicyOID', null),
      ]),
      pol.q('rAPolicy', [
        pol.q('registerUser', true),
        pol.q('verifyUser', profile.verifyUser),
        pol.q('publishCert', 'no'),
        pol.q('pollingPolicy', profile.approvalRequired ? [pol.q('gatewayPollingTime', [pol.q('nextUpdateHours', 1)])] : null),
      ]),
      pol.q('seatIdInfo', [attributeNameValue(profile.seatIdAttribute, true), nameValueProperty(profile.seatIdAttribute, true)]),
      pol.q('applicationInstructions', null),
      pol.q('deploymentMode', profile.mode),
      pol.q('status', profile.status),
      pol.q('migrationOIDs', null),
    ]),
  ]);
}

/** getPolicies: the profiles enabled for web services that this RA may use (§A.5). */
export async function getPolicies(operation: XmlElement, context: OperationContext): Promise<string> {
  const { clientTransactionId } = common(operation);
  const ra = context.ra();
  const filter = children(child(child(operation, 'requestFilter'), 'policyIDs'), 'oid').map((o) => o.text);
  const profiles = context.state.profiles.list({
    where: (p) => p.webServices && (ra.entitledProfiles === '*' || ra.entitledProfiles.includes(p.oid)) && (filter.length === 0 || filter.includes(p.oid)),
  });
  const ca = context.service.ca;
  const chain = ca.chain.map((der) => Buffer.from(der).toString('base64'));
  const account = context.state.account();
  return pol.root('getPoliciesResponse', [
    pol.q('clientTransactionID', clientTransactionId),
    pol.q('serverTransactionID', context.service.newTransactionId()),
    pol.q('response', [
      pol.q('policyID', account.accountId),
      pol.q('policyFriendlyName', account.name),
      pol.q('nextUpdateHours', 8),
      pol.q('policiesNotChanged', false),
      profiles.length ? pol.q('policies', profiles.map((p, i) => policyXml(p, i, context.scepUrl(p.oid)))) : pol.q('policies', null),
    ]),
    pol.q('cAs', [
      pol.q('cA', [
        pol.q('uris', context.crlUrl()),
        pol.q('certificate', chain[0]),
        pol.q('cAIssuerName', ca.subject.toString()),
        pol.q('cAReferenceID', 0),
        pol.q('cAType', 'private'),
        els(`${pol.prefix}:intermediateCACertificates`, chain.slice(1, -1)),
        pol.q('rootCACertificate', chain[chain.length - 1]),
      ]),
    ]),
    profiles.length
      ? pol.q('oIDs', profiles.map((p, i) => pol.q('oID', [pol.q('value', p.oid), pol.q('oIDReferenceID', i), pol.q('group', 6), pol.q('defaultName', p.name)])))
      : pol.q('oIDs', null),
  ]);
}

/** getStatus: UP or DOWN (the admin switch). */
export async function getStatus(operation: XmlElement, context: OperationContext): Promise<string> {
  const { version, clientTransactionId } = common(operation);
  context.ra();
  const health = context.state.account().health;
  return hc.root('getStatusResponseMessage', [
    hc.q('clientTransactionID', clientTransactionId),
    hc.q('serverTransactionID', context.service.newTransactionId()),
    hc.q('statusCode', health),
    hc.q('statusMessage', health === 'UP' ? 'Service is up' : 'Service is down'),
    hc.q('version', version),
  ]);
}

