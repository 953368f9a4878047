/**
 * One WSDL per service (SOAP 1.1, document/literal, elementFormDefault="qualified", §A.1), generated from compact
 * type tables so each element is declared once and matches what operations write. Served at `<service>?wsdl`,
 * soap:address = the URL it was fetched from. The real WSDLs import WS-Security and WS-Authorization schemas;
 * ASSUMPTION: here the few types used from them are declared inline, so a generated client needs no download.
 */
import { SERVICES, soapAction, type SymantecService, WS_TRUST_NS } from '../../core/connectors/symantec-mpki/wire.js';
import { escapeXml } from '../../core/soap/index.js';

/** [name, type, occurs]: '1' required, '?' optional (default), '*' optional repeated, '+' required repeated. */
type Field = [name: string, type: string, occurs?: '1' | '?' | '*' | '+'];
type Types = Record<string, Field[]>;
interface ServiceWsdl {
  /** complexTypes; tns: refers to the service namespace. */
  types: Types;
  /** top-level element → its type. */
  elements: Record<string, string>;
  /** operation → [input element, output element, SOAPAction operation name]. */
  operations: Record<string, [string, string, string]>;
  /** Extra schema text (simple types). */
  extra?: string;
  /** complexType → attribute declarations after its sequence. */
  attributes?: Record<string, string>;
}

const s = 'xs:string';
const head: Field[] = [['clientTransactionID', 'tns:TransactionIDType']];
const tail: Field[] = [['version', 'tns:VersionType', '1']];
const SIMPLE =
  `<xs:simpleType name="VersionType"><xs:restriction base="xs:string"><xs:pattern value="\\d{1,3}\\.\\d{0,3}"/></xs:restriction></xs:simpleType>` +
  `<xs:simpleType name="TransactionIDType"><xs:restriction base="xs:string"><xs:maxLength value="40"/></xs:restriction></xs:simpleType>` +
  `<xs:complexType name="NameValueType"><xs:sequence><xs:element name="name" type="xs:string"/><xs:element name="value" type="xs:string"/></xs:sequence></xs:complexType>`;

const statusRequest: Field[] = [...head, ['version', 'tns:VersionType', '1'], ['certificateIssuer', s], ['revocationReason', s], ['challenge', s], ['comment', s]];
const statusResponse: Field[] = [...head, ['serverTransactionID', 'tns:TransactionIDType'], ['version', 'tns:VersionType', '1'], ['successCode', 'xs:int', '1'], ['successMsg', s, '1'], ['revocationCount', 'xs:int', '1']];
const userInformation: Field[] = [['seatId', s, '1'], ['firstName', s], ['lastName', s], ['emailAddress', s], ['deskPhoneNumber', s], ['mobilePhoneNumber', s], ['userAttribute', 'tns:NameValueType', '*']];
const passcodeInformation: Field[] = [['passcode', s], ['numberOfBadAttempts', 'xs:int'], ['passcodeStatus', s], ['expiryDateTime', 'xs:dateTime'], ['creationDateTime', 'xs:dateTime'], ['seatId', s, '1'], ['firstName', s], ['lastName', s], ['email', s], ['certificateProfileOid', s, '1'], ['enrollmentURL', s], ['userAttribute', 'tns:NameValueType', '*']];
const serverHead: Field[] = [...head, ['serverTransactionID', 'tns:TransactionIDType', '1']];

const WSDLS: Record<SymantecService, ServiceWsdl> = {
  enrollment: {
    extra: `<xs:complexType name="BinarySecurityTokenType"><xs:simpleContent><xs:extension base="xs:string"><xs:attribute name="ValueType" type="xs:anyURI"/><xs:attribute name="EncodingType" type="xs:anyURI"/><xs:attribute name="Id" type="xs:ID"/></xs:extension></xs:simpleContent></xs:complexType>`,
    types: {
      RequestVSSecurityTokenEnrollmentType: [['certificateProfileID', s, '1'], ...head, ['tokenType', 'xs:anyURI'], ['requestType', 'xs:anyURI', '1'], ['binarySecurityToken', 'tns:BinarySecurityTokenType', '*'], ['additionalContext', 'tns:AdditionalContextType'], ['pendingTokenReferenceID', s], ['nameValuePair', 'tns:NameValueType', '*'], ...tail],
      // MS-WSTEP's AdditionalContext (ContextItem: Name and Scope attributes, a Value child).
      AdditionalContextType: [['ContextItem', 'tns:ContextItemType', '+']],
      ContextItemType: [['Value', s, '1']],
      RequestedVSSecurityTokenEnrollmentType: [['binarySecurityToken', 'tns:BinarySecurityTokenType'], ['pKCS12Password', s], ['pendingTokenReferenceID', s]],
      RequestVSSecurityTokenResponseEnrollmentType: [...head, ['serverTransactionID', 'tns:TransactionIDType', '1'], ['tokenType', 'xs:anyURI'], ['dispositionMessage', s], ['binarySecurityToken', 'tns:BinarySecurityTokenType'], ['requestedVSSecurityToken', 'tns:RequestedVSSecurityTokenEnrollmentType'], ...tail],
    },
    attributes: {
      RequestVSSecurityTokenEnrollmentType: `<xs:attribute name="preferredLanguage" type="xs:language"/>`,
      ContextItemType: `<xs:attribute name="Name" type="xs:string" use="required"/><xs:attribute name="Scope" type="xs:anyURI"/>`,
    },
    elements: { requestVSSecurityToken: 'RequestVSSecurityTokenEnrollmentType', RequestVSSecurityTokenResponse: 'RequestVSSecurityTokenResponseEnrollmentType' },
    operations: { RequestSecurityToken: ['wst:RequestSecurityToken', 'wst:RequestSecurityTokenResponse', 'requestSecurityToken'] },
  },
  policy: {
    types: {
      GetPoliciesType: [['version', 'tns:VersionType', '1'], ...head, ['client', 'tns:Client'], ['requestFilter', 'tns:RequestFilter'], ['signResponse', 'xs:boolean']],
      Client: [['lastUpdatetime', 'xs:dateTime'], ['preferredLanguage', s]],
      RequestFilter: [['policyIDs', 'tns:FilterOIDCollection']],
      FilterOIDCollection: [['oid', s, '*']],
      GetPoliciesResponseType: [...serverHead, ['response', 'tns:Response', '1'], ['cAs', 'tns:CACollection'], ['oIDs', 'tns:OIDCollection'], ['signedEnrollmentPolicy', 'xs:base64Binary']],
      Response: [['policyID', s, '1'], ['policyFriendlyName', s], ['nextUpdateHours', 'xs:unsignedInt'], ['policiesNotChanged', 'xs:boolean', '1'], ['policies', 'tns:PolicyCollection']],
      PolicyCollection: [['policy', 'tns:CertificateEnrollmentPolicy', '*']],
      CertificateEnrollmentPolicy: [['policyOIDReference', 'xs:int', '1'], ['cAs', 'tns:CAReferenceCollection', '1'], ['attributes', 'tns:Attributes', '1']],
      CAReferenceCollection: [['cAReference', 'xs:int', '*']],
      Attributes: [['policySchema', 'xs:int', '1'], ['certificateValidity', 'tns:CertificateValidity', '1'], ['subjectNameInfo', 'tns:SubjectName'], ['extensions', s], ['privateKeyAttributes', 'tns:PrivateKeyInfo', '1'], ['clientPolicy', s], ['systemInfo', 'tns:SystemInformation'], ['rAPolicy', 'tns:RAPolicy'], ['seatIdInfo', 'tns:SeatInfoType'], ['applicationInstructions', s], ['deploymentMode', s, '1'], ['status', s, '1'], ['migrationOIDs', s]],
      CertificateValidity: [['validityPeriodDays', 'xs:unsignedLong', '1'], ['renewalPeriodDays', 'xs:unsignedLong', '1']],
      SubjectName: [['subjectNameAttribute', 'tns:SubjectNameAttribute', '*'], ['overrideSubjectNameFormat', 'xs:boolean', '1']],
      SubjectNameAttribute: [['subjectNameAttributecount', 'xs:int'], ['subjectNameAttributeNameValuePair', 'tns:AttributeNameValuePairType', '+']],
      AttributeNameValuePairType: [['attributeName', s, '1'], ['attributeNameValue', 'tns:AttributeValueType'], ['attributeNameValueProperty', 'tns:AttributeNameValuePropertyType']],
      AttributeNameValuePropertyType: [['value', s], ['source', s], ['sourceAttributeName', s], ['mandatory', 'xs:boolean'], ['overridable', 'xs:boolean']],
      SeatInfoType: [['attributeNameValue', 'tns:AttributeValueType', '1'], ['attributeNameValueProperty', 'tns:AttributeNameValuePropertyType', '1']],
      PrivateKeyInfo: [['keysize', 'xs:int', '1'], ['keyEscrowPolicy', 'tns:KeyEscrowPolicyType'], ['keyexportable', 'xs:boolean', '1'], ['keyprotect', 'xs:boolean'], ['algorithmOIDReference', 'xs:int'], ['cryptoProviders', s]],
      KeyEscrowPolicyType: [['keyEscrowEnabled', 'xs:boolean', '1'], ['keyRecoveryDualAdminApprovalRequired', 'xs:boolean'], ['keyEscrowDeploymentMode', s], ['doKeyRecoveryForAdditionalEnrollRequest', 'xs:boolean']],
      SystemInformation: [['certificateDeliveryFormat', s, '1'], ['serviceEndpointList', 'tns:ServiceEndpointListType'], ['duplicateCertPolicy', s], ['supersededPolicyOID', s]],
      ServiceEndpointListType: [['serviceEndpoint', 'tns:ServiceEndpointType', '*']],
      ServiceEndpointType: [['type', s, '1'], ['endpointURI', 'xs:anyURI', '1']],
      RAPolicy: [['registerUser', 'xs:boolean', '1'], ['verifyUser', 'xs:boolean', '1'], ['publishCert', s, '1'], ['pollingPolicy', 'tns:PollingPolicyType']],
      PollingPolicyType: [['gatewayPollingTime', 'tns:PollingTimeType', '1']],
      PollingTimeType: [['nextUpdateHours', 'xs:int', '1']],
      CACollection: [['cA', 'tns:CA', '*']],
      CA: [['uris', 'xs:anyURI', '*'], ['certificate', 'xs:base64Binary', '1'], ['cAIssuerName', s], ['cAReferenceID', 'xs:int', '1'], ['cAType', s], ['intermediateCACertificates', 'xs:base64Binary', '*'], ['rootCACertificate', 'xs:base64Binary', '1']],
      OIDCollection: [['oID', 'tns:OID', '*']],
      OID: [['value', s, '1'], ['oIDReferenceID', 'xs:int', '1'], ['group', 'xs:unsignedInt', '1'], ['defaultName', s]],
    },
    extra: `<xs:complexType name="AttributeValueType"><xs:simpleContent><xs:extension base="xs:string"><xs:attribute name="mandatory" type="xs:boolean"/><xs:attribute name="type" type="xs:string"/></xs:extension></xs:simpleContent></xs:complexType>`,
    elements: { getPolicies: 'GetPoliciesType', getPoliciesResponse: 'GetPoliciesResponseType' },
    operations: { getPolicies: ['tns:getPolicies', 'tns:getPoliciesResponse', 'requestPolicies'] },
  },
  management: {
    types: {
      UpdateCertificateStatusRequestType: [...statusRequest, ['certificateSerialNumber', s], ['seatId', s], ['operationType', s, '1']],
      UpdateCertificateStatusResponseType: statusResponse,
      BulkUpdateCertificateStatusRequestType: [...head, ['version', 'tns:VersionType', '1'], ['revocationReason', s], ['comment', s], ['certificateSerialNumber', s, '*'], ['seatId', s, '*'], ['profileOID', s, '*'], ['operationType', s, '1']],
      BulkUpdateCertificateStatusResponseType: statusResponse,
      SearchCertificateRequestType: [...head, ...['seatId', 'accountId', 'profileOID', 'commonName', 'status', 'emailAddress', 'serialNumber'].map((n) => [n, s] as Field), ['issuingCA', 'xs:base64Binary'], ['validFrom', 'xs:long'], ['validTo', 'xs:long'], ['startIndex', 'xs:int'], ...tail],
      SearchCertificateResponseType: [...serverHead, ['certificateCount', 'xs:int', '1'], ['certificateList', 'tns:CertificateListType'], ['moreCertificateAvailable', 'xs:boolean'], ...tail],
      CertificateListType: [['certificateInformation', 'tns:CertificateSearchResultType', '*']],
      CertificateSearchResultType: [['certificate', 'xs:base64Binary', '1'], ['seatId', s, '1'], ['commonName', s, '1'], ['accountId', s, '1'], ['profileOID', s, '1'], ['emailAddress', s], ['status', s, '1'], ['revokeAt', 'xs:long'], ['revokeReason', s], ['validFrom', 'xs:long', '1'], ['validTo', 'xs:long', '1'], ['serialNumber', s, '1'], ['isEscrowed', 'xs:boolean', '1'], ['enrollmentNotes', s], ['revokeComments', s]],
      RequestKeyRecoveryMessageType: [...head, ['pKCS12Password', s], ['certificateSerialNumber', s, '1'], ['certificateIssuer', s, '1'], ['adminID', s, '1'], ...tail],
      // ASSUMPTION: the response element name requestKeyRecoveryResponseMessage and its fields (no public schema seen).
      RequestKeyRecoveryResponseMessageType: [...serverHead, ['adminApprovalPendingCount', 'xs:int'], ['pKCS12Password', s], ['pKCS12Message', s, '*'], ...tail],
    },
    elements: {
      updateCertificateStatusRequest: 'UpdateCertificateStatusRequestType',
      updateCertificateStatusResponse: 'UpdateCertificateStatusResponseType',
      bulkUpdateCertificateStatusRequest: 'BulkUpdateCertificateStatusRequestType',
      bulkUpdateCertificateStatusResponse: 'BulkUpdateCertificateStatusResponseType',
      searchCertificateRequest: 'SearchCertificateRequestType',
      searchCertificateResponse: 'SearchCertificateResponseType',
      requestKeyRecoveryMessage: 'RequestKeyRecoveryMessageType',
      requestKeyRecoveryResponseMessage: 'RequestKeyRecoveryResponseMessageType',
    },
    operations: {
      updateCertificateStatus: ['tns:updateCertificateStatusRequest', 'tns:updateCertificateStatusResponse', 'updateCertificateStatus'],
      bulkUpdateCertificateStatus: ['tns:bulkUpdateCertificateStatusRequest', 'tns:bulkUpdateCertificateStatusResponse', 'bulkUpdateCertificateStatus'],
      keyRecovery: ['tns:requestKeyRecoveryMessage', 'tns:requestKeyRecoveryResponseMessage', 'keyRecovery'],
      searchCertificate: ['tns:searchCertificateRequest', 'tns:searchCertificateResponse', 'searchCertificate'],
    },
  },
  userManagement: {
    types: {
      UserInformationType: userInformation,
      PasscodeInformationType: passcodeInformation,
      CreateOrUpdateUserRequestMessageType: [...head, ['userInformation', 'tns:UserInformationType', '+'], ...tail],
      CreateOrUpdateUserResponseMessageType: [...serverHead, ['userCreationStatus', 'tns:UserCreationStatusType', '+'], ...tail],
      UserCreationStatusType: [['seatId', s, '1'], ['statusCode', s, '1']],
      CreateOrUpdatePasscodeRequestMessageType: [...head, ['passcodeInformation', 'tns:PasscodeInformationType', '+'], ...tail],
      CreateOrUpdatePasscodeResponseMessageType: [...serverHead, ['passcodeCreationStatus', 'tns:PasscodeCreationStatusType', '+'], ...tail],
      PasscodeCreationStatusType: [['passcodeInformation', 'tns:PasscodeInformationType', '1'], ['statusCode', s, '1']],
      DeleteUserRequestMessageType: [...head, ['seatId', s, '1'], ['revocationReason', s], ...tail],
      DeleteUserStatusType: [['status', s, '1'], ['errorCode', s, '1'], ['seatId', s, '1'], ['revocationCount', 'xs:int', '1']],
      DeleteUserResponseMessageType: [...serverHead, ['deleteUserStatus', 'tns:DeleteUserStatusType', '1'], ...tail],
      BulkDeleteUserRequestMessageType: [...head, ['seatId', s, '+'], ['revocationReason', s], ...tail],
      BulkDeleteUserResponseMessageType: [...serverHead, ['deleteUserStatus', 'tns:DeleteUserStatusType', '+'], ...tail],
      GetPasscodeInformationRequestMessageType: [...head, ['seatId', s, '1'], ['certificateProfileOid', s, '1'], ...tail],
      GetPasscodeInformationResponseMessageType: [...serverHead, ['passcodeInformation', 'tns:PasscodeInformationType', '1'], ...tail],
      GetUserInformationRequestMessageType: [...head, ['seatId', s, '1'], ['getUserCertificate', 'xs:boolean'], ...tail],
      UserValidCertificatesType: [['userCertificate', s, '+']],
      GetUserInformationResponseMessageType: [...serverHead, ['userInformation', 'tns:UserInformationType', '1'], ['userValidCertificates', 'tns:UserValidCertificatesType'], ...tail],
    },
    elements: Object.fromEntries(
      ['CreateOrUpdateUser', 'CreateOrUpdatePasscode', 'DeleteUser', 'BulkDeleteUser', 'GetPasscodeInformation', 'GetUserInformation'].flatMap((op) => {
        const lower = op[0]!.toLowerCase() + op.slice(1);
        return [
          [`${lower}Request`, `${op}RequestMessageType`],
          [`${lower}Response`, `${op}ResponseMessageType`],
        ];
      }),
    ),
    operations: Object.fromEntries(
      ['createOrUpdateUser', 'createOrUpdatePasscode', 'deleteUser', 'bulkDeleteUser', 'getPasscodeInformation', 'getUserInformation'].map((op) => [op, [`tns:${op}Request`, `tns:${op}Response`, op]]),
    ) as Record<string, [string, string, string]>,
  },
  healthcheck: {
    types: {
      GetStatusRequestMessageType: [['version', 'tns:VersionType', '1'], ...head, ['operationType', s], ['profileOid', s]],
      GetStatusResponseMessageType: [...serverHead, ['statusCode', s, '1'], ['statusMessage', s], ...tail],
    },
    elements: { getStatusRequestMessage: 'GetStatusRequestMessageType', getStatusResponseMessage: 'GetStatusResponseMessageType' },
    operations: { getStatus: ['tns:getStatusRequestMessage', 'tns:getStatusResponseMessage', 'getStatus'] },
  },
};

function occurs(o: Field[2]): string {
  switch (o) {
    case '1':
      return '';
    case '*':
      return ' minOccurs="0" maxOccurs="unbounded"';
    case '+':
      return ' maxOccurs="unbounded"';
    default:
      return ' minOccurs="0"';
  }
}

function complexType(name: string, fields: Field[], attributes = ''): string {
  const elements = fields.map(([n, t, o]) => `<xs:element name="${n}" type="${t}"${occurs(o)}${o === '1' || o === '+' ? '' : ' nillable="true"'}/>`).join('');
  return `<xs:complexType name="${name}"><xs:sequence>${elements}</xs:sequence>${attributes}</xs:complexType>`;
}

/** Besides the WSDL's own (below), the policy service also takes …/getPolicies, the operation's element name. */
const EXTRA_ACTIONS: Partial<Record<SymantecService, Record<string, string[]>>> = { policy: { getPolicies: ['getPolicies'] } };

/** soapActionsFor per service and element: it is asked on every request and its answer never changes. */
const actionsCache = new Map<string, readonly string[]>();

/**
 * The SOAPAction values that may come with a body element of `service` (local name): those the WSDL announces for
 * the operation whose input it is. The bare requestVSSecurityToken counts as RequestSecurityToken's input.
 */
export function soapActionsFor(service: SymantecService, elementName: string): string[] {
  const key = `${service} ${elementName}`;
  const cached = actionsCache.get(key);
  if (cached) return [...cached];
  const name = service === 'enrollment' && elementName === 'requestVSSecurityToken' ? 'RequestSecurityToken' : elementName;
  const actions = Object.entries(WSDLS[service].operations)
    .filter(([, [input]]) => input.slice(input.indexOf(':') + 1) === name)
    .flatMap(([op, [, , action]]) => [action, ...(EXTRA_ACTIONS[service]?.[op] ?? [])])
    .map((action) => soapAction(service, action));
  // Only known operations are kept: the names are the client's, and an unknown one must not grow the cache.
  if (actions.length > 0) actionsCache.set(key, actions);
  return [...actions];
}

/** VeriSign's WS-Trust schema, as far as the enrollment uses it (the slash namespace, §A.1). */
function wsTrustSchema(enrollmentNs: string): string {
  return (
    `<xs:schema targetNamespace="${WS_TRUST_NS}" elementFormDefault="qualified" xmlns:vswstep="${enrollmentNs}">` +
    `<xs:import namespace="${enrollmentNs}"/>` +
    `<xs:element name="RequestSecurityToken"><xs:complexType><xs:sequence><xs:element ref="vswstep:requestVSSecurityToken"/></xs:sequence><xs:attribute name="Context" type="xs:anyURI"/></xs:complexType></xs:element>` +
    `<xs:element name="RequestSecurityTokenResponse"><xs:complexType><xs:sequence><xs:element ref="vswstep:RequestVSSecurityTokenResponse"/></xs:sequence><xs:attribute name="Context" type="xs:anyURI"/></xs:complexType></xs:element>` +
    `</xs:schema>`
  );
}

export function serviceWsdl(service: SymantecService, address: string): string {
  const { namespace: ns, serviceName } = SERVICES[service];
  const def = WSDLS[service];
  const types = Object.entries(def.types).map(([n, f]) => complexType(n, f, def.attributes?.[n])).join('');
  const elements = Object.entries(def.elements).map(([n, t]) => `<xs:element name="${n}" type="tns:${t}"/>`).join('');
  const schema = `<xs:schema targetNamespace="${ns}" elementFormDefault="qualified" xmlns:tns="${ns}">${SIMPLE}${def.extra ?? ''}${elements}${types}</xs:schema>`;
  const ops = Object.entries(def.operations);
  const messages = ops
    .map(([op, [input, output]]) => `<wsdl:message name="${op}Request"><wsdl:part name="parameters" element="${input}"/></wsdl:message><wsdl:message name="${op}Response"><wsdl:part name="parameters" element="${output}"/></wsdl:message>`)
    .join('');
  const port = `${serviceName}PortType`;
  const portOps = ops.map(([op]) => `<wsdl:operation name="${op}"><wsdl:input message="tns:${op}Request"/><wsdl:output message="tns:${op}Response"/></wsdl:operation>`).join('');
  const bindingOps = ops
    .map(([op, [, , action]]) => `<wsdl:operation name="${op}"><soap:operation soapAction="${soapAction(service, action)}" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<wsdl:definitions name="${serviceName}" targetNamespace="${ns}" xmlns:tns="${ns}" xmlns:wst="${WS_TRUST_NS}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">` +
    `<wsdl:types>${schema}${service === 'enrollment' ? wsTrustSchema(ns) : ''}</wsdl:types>` +
    messages +
    `<wsdl:portType name="${port}">${portOps}</wsdl:portType>` +
    `<wsdl:binding name="${serviceName}SoapBinding" type="tns:${port}"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOps}</wsdl:binding>` +
    `<wsdl:service name="${serviceName}"><wsdl:port name="${serviceName}Port" binding="tns:${serviceName}SoapBinding"><soap:address location="${escapeXml(address)}"/></wsdl:port></wsdl:service>` +
    `</wsdl:definitions>`
  );
}
