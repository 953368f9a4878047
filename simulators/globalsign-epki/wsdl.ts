/**
 * The GasOrderService WSDL (document/literal wrapped, elementFormDefault unqualified, reference §2-§3), generated
 * from a compact type table so every operation and field is declared once. Served on `<endpoint>?wsdl`.
 */
import { escapeXml } from '../../core/soap/index.js';
import { EPKI_NAMESPACE } from './wire.js';

/** A field: name, XSD type (tns: for our complex types), and `*` for repeatable / `?` optional (default optional). */
type Field = [name: string, type: string, occurs?: '*' | '1'];

const s = 'xs:string';
const TYPES: Record<string, Field[]> = {
  AuthToken: [['UserName', s, '1'], ['Password', s, '1']],
  OrderRequestHeader: [['AuthToken', 'tns:AuthToken', '1']],
  QueryRequestHeader: [['AuthToken', 'tns:AuthToken', '1']],
  Error: [['ErrorCode', s], ['ErrorField', s], ['ErrorMessage', s]],
  Errors: [['Error', 'tns:Error', '*']],
  OrderResponseHeader: [['SuccessCode', 'xs:int', '1'], ['Errors', 'tns:Errors'], ['Timestamp', s]],
  QueryResponseHeader: [['SuccessCode', 'xs:int', '1'], ['Errors', 'tns:Errors'], ['Timestamp', s], ['ReturnCount', 'xs:int']],
  DnAttributes: [['CommonName', s], ['OrganizationUnit', s, '*'], ['Email', s]],
  CertificateTemplate: [['Template', s], ['MajorVersion', s], ['MinorVersion', s]],
  OrderAndIssueRequest: [['OrderRequestHeader', 'tns:OrderRequestHeader', '1'], ['ProfileID', s], ['ProductCode', s], ['Year', 'xs:int'], ['CSR', s], ['EFSOption', 'xs:boolean'], ['UPN', s], ['DnAttributes', 'tns:DnAttributes'], ['PickupPassword', s], ['CertificateTemplate', 'tns:CertificateTemplate'], ['EmailLanguage', s]],
  OrderAndIssueResponse: [['OrderResponseHeader', 'tns:OrderResponseHeader'], ['OrderID', s], ['CERT', s]],
  Pkcs12OrderRequest: [['OrderRequestHeader', 'tns:OrderRequestHeader', '1'], ['ProfileID', s], ['PKCS12PIN', s], ['ProductCode', s], ['Year', 'xs:int'], ['EFSOption', 'xs:boolean'], ['Renew', 'xs:boolean'], ['UPN', s], ['DnAttributes', 'tns:DnAttributes'], ['EmailLanguage', s]],
  Pkcs12OrderResponse: [['OrderResponseHeader', 'tns:OrderResponseHeader'], ['OrderID', s], ['BASE64PKCS12', s], ['PKCS12', 'xs:base64Binary']],
  OrderRequest: [['OrderRequestHeader', 'tns:OrderRequestHeader', '1'], ['ProfileID', s], ['ProductCode', s], ['Year', 'xs:int'], ['HasCSR', 'xs:boolean'], ['PKCS12Option', 'xs:boolean'], ['EFSOption', 'xs:boolean'], ['UPN', s], ['DnAttributes', 'tns:DnAttributes'], ['PickupPassword', s], ['EmailLanguage', s]],
  OrderResponse: [['OrderResponseHeader', 'tns:OrderResponseHeader'], ['OrderID', s]],
  OrderRequest4DS: [['OrderRequestHeader', 'tns:OrderRequestHeader', '1'], ['ProfileOrderNo', s], ['ProductCode', s], ['IssueType', s], ['Year', 'xs:int'], ['CSR', s], ['PickupPassword', s], ['DnAttributes', 'tns:DnAttributes'], ['EmailLanguage', s]],
  OrderResponse4DS: [['OrderResponseHeader', 'tns:OrderResponseHeader'], ['OrderID', s], ['Certificate', s]],
  CancelOrderRequest: [['OrderRequestHeader', 'tns:OrderRequestHeader', '1'], ['OrderID', s]],
  CancelOrderResponse: [['OrderResponseHeader', 'tns:OrderResponseHeader'], ['OrderID', s]],
  RevokeOrderRequest: [['OrderRequestHeader', 'tns:OrderRequestHeader', '1'], ['OrderID', s]],
  RevokeOrderResponse: [['orderResponseHeader', 'tns:OrderResponseHeader'], ['orderNo', s]],
  ReissueOrderRequest: [['OrderRequestHeader', 'tns:OrderRequestHeader', '1'], ['TargetOrderID', s], ['PickupPassword', s]],
  ReissueOrderResponse: [['OrderResponseHeader', 'tns:OrderResponseHeader'], ['OrderID', s]],
  ProfileQueryParam: ['ProfileOrderNo', 'ProfileOrderState', 'RequestDateFrom', 'RequestDateTo', 'IssueDateFrom', 'IssueDateTo', 'Locality', 'StateOrProvince', 'Organization', 'OrganizationUnit', 'ContractorUserId'].map((n) => [n, s] as Field),
  GetCrProfileRequest: [['QueryRequestHeader', 'tns:QueryRequestHeader', '1'], ['ProfileQueryParam', 'tns:ProfileQueryParam']],
  ValidityPeriod: [['NotBefore', s], ['NotAfter', s]],
  ProfileInfo: [...['ProfileOrderNo', 'ProfileOrderState', 'RequestDate', 'RequestBeforeDate', 'RequestAfterDate', 'OrderDate', 'IssueDate', 'CancelRequestDate', 'CancelDate', 'SuspendRequestDate', 'SuspendDate'].map((n) => [n, s] as Field), ['ValidityPeriod', 'tns:ValidityPeriod']],
  OrganizationUnits: [['OrganizationUnit', s, '*']],
  ProfileDnAttributes: [['CommonName', s], ['Organization', s], ['OrganizationUnits', 'tns:OrganizationUnits'], ['StateOrProvince', s], ['Locality', s], ['Country', s]],
  ProfileAttributes: ['HashType', 'EFSOption', 'UPN', 'RenewalType', 'NonExportable', 'NonRepudiation', 'OCSPOption'].map((n) => [n, s] as Field),
  ProfileDetail: [['ProfileInfo', 'tns:ProfileInfo'], ['ProfileDnAttributes', 'tns:ProfileDnAttributes'], ['ProfileAttributes', 'tns:ProfileAttributes']],
  ProfileDetails: [['ProfileDetail', 'tns:ProfileDetail', '*']],
  GetCrProfileResponse: [['QueryResponseHeader', 'tns:QueryResponseHeader'], ['TotalCount', 'xs:int'], ['ProfileDetails', 'tns:ProfileDetails']],
  OrderQueryParam: ['ProductCode', 'ProfileOrderNo', 'LicenseOrderNo', 'OrderState', 'CertState', 'RequestDateFrom', 'RequestDateTo', 'IssueDateFrom', 'IssueDateTo', 'CommonName'].map((n) => [n, s] as Field),
  OrdersQueryOption: [['ReturnCertificateInfo', 'xs:boolean'], ['ReturnFulfillment', 'xs:boolean']],
  GetCrOrdersRequest: [['QueryRequestHeader', 'tns:QueryRequestHeader', '1'], ['OrderQueryParam', 'tns:OrderQueryParam'], ['OrdersQueryOption', 'tns:OrdersQueryOption']],
  OrderInfo: [...['OrderNo', 'OrderStatus', 'ProductCode', 'OriginalOrderIDForReIssue', 'ProfileNo', 'LicenseNo', 'RequestDate', 'RequestBeforeDate', 'RequestAfterDate', 'OrderDate', 'IssueDate', 'CancelRequestDate', 'CancelRequestUser', 'CancelDate', 'RevokeRequestDate', 'RevokeRequestUser', 'RevokeDate'].map((n) => [n, s] as Field), ['ValidityPeriod', 'tns:ValidityPeriod']],
  CertificateInfo: [...['CertificateStatus', 'SerialNumber', 'StartDate', 'EndDate', 'Email', 'CommonName'].map((n) => [n, s] as Field), ['OrganizationUnits', 'tns:OrganizationUnits'], ...['Organization', 'Locality', 'State', 'Country'].map((n) => [n, s] as Field)],
  CrCertificate: [['Certificate', s], ['PKCS7Cert', s]],
  Fulfillment: [['CrCertificate', 'tns:CrCertificate']],
  ModificationEvent: [['ModificationEventName', s], ['ModificationEventTimestamp', s]],
  ModificationEvents: [['ModificationEvent', 'tns:ModificationEvent', '*']],
  OrderDetail: [['OrderInfo', 'tns:OrderInfo'], ['CrCertificateInfo', 'tns:CertificateInfo'], ['Fulfillment', 'tns:Fulfillment'], ['ModificationEvents', 'tns:ModificationEvents']],
  OrderDetails: [['OrderDetail', 'tns:OrderDetail', '*']],
  GetCrOrdersResponse: [['QueryResponseHeader', 'tns:QueryResponseHeader'], ['TotalCount', 'xs:int'], ['OrderDetails', 'tns:OrderDetails']],
  OrderQueryOption: [['ReturnCertificateInfo', 'xs:boolean'], ['ReturnFulfillment', 'xs:boolean'], ['ReturnP7', 'xs:boolean'], ['ReturnModEvents', 'xs:boolean']],
  GetCrOrderByOrderIdRequest: [['QueryRequestHeader', 'tns:QueryRequestHeader', '1'], ['OrderNo', s], ['OrderQueryOption', 'tns:OrderQueryOption']],
  GetCrOrderByOrderIdResponse: [['QueryResponseHeader', 'tns:QueryResponseHeader'], ['OrderNo', s], ['OrderDetail', 'tns:OrderDetail']],
};

/** Operation → [request type, response type]. */
export const WSDL_OPERATIONS: Record<string, [string, string]> = {
  GetProfiles: ['GetCrProfileRequest', 'GetCrProfileResponse'],
  OrderAndIssueCertificate: ['OrderAndIssueRequest', 'OrderAndIssueResponse'],
  OrderPkcs12: ['Pkcs12OrderRequest', 'Pkcs12OrderResponse'],
  OrderCertificate: ['OrderRequest', 'OrderResponse'],
  OrderDS: ['OrderRequest4DS', 'OrderResponse4DS'],
  Cancel: ['CancelOrderRequest', 'CancelOrderResponse'],
  Revoke: ['RevokeOrderRequest', 'RevokeOrderResponse'],
  Reissue: ['ReissueOrderRequest', 'ReissueOrderResponse'],
  GetOrders: ['GetCrOrdersRequest', 'GetCrOrdersResponse'],
  GetOrderByOrderId: ['GetCrOrderByOrderIdRequest', 'GetCrOrderByOrderIdResponse'],
};

function complexType(name: string, fields: Field[]): string {
  const elements = fields
    .map(([n, t, o]) => `<xs:element name="${n}" type="${t}"${o === '*' ? ' minOccurs="0" maxOccurs="unbounded"' : o === '1' ? '' : ' minOccurs="0"'}${t === 'xs:string' && o !== '1' ? ' nillable="true"' : ''}/>`)
    .join('');
  return `<xs:complexType name="${name}"><xs:sequence>${elements}</xs:sequence></xs:complexType>`;
}

export function epkiWsdl(address: string): string {
  const ns = EPKI_NAMESPACE;
  const ops = Object.entries(WSDL_OPERATIONS);
  const wrappers = ops
    .map(
      ([op, [req, res]]) =>
        `<xs:element name="${op}"><xs:complexType><xs:sequence><xs:element name="Request" type="tns:${req}"/></xs:sequence></xs:complexType></xs:element>` +
        `<xs:element name="${op}Response"><xs:complexType><xs:sequence><xs:element name="Response" type="tns:${res}"/></xs:sequence></xs:complexType></xs:element>`,
    )
    .join('');
  const types = Object.entries(TYPES).map(([n, f]) => complexType(n, f)).join('');
  const messages = ops.map(([op]) => `<wsdl:message name="${op}"><wsdl:part name="parameters" element="tns:${op}"/></wsdl:message><wsdl:message name="${op}Response"><wsdl:part name="parameters" element="tns:${op}Response"/></wsdl:message>`).join('');
  const portOps = ops.map(([op]) => `<wsdl:operation name="${op}"><wsdl:input name="${op}" message="tns:${op}"/><wsdl:output name="${op}Response" message="tns:${op}Response"/></wsdl:operation>`).join('');
  const bindingOps = ops.map(([op]) => `<wsdl:operation name="${op}"><soap:operation soapAction="" style="document"/><wsdl:input name="${op}"><soap:body use="literal"/></wsdl:input><wsdl:output name="${op}Response"><soap:body use="literal"/></wsdl:output></wsdl:operation>`).join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<wsdl:definitions name="GasOrderService" targetNamespace="${ns}" xmlns:tns="${ns}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">` +
    `<wsdl:types><xs:schema targetNamespace="${ns}" elementFormDefault="unqualified" attributeFormDefault="unqualified" xmlns:tns="${ns}">${wrappers}${types}</xs:schema></wsdl:types>` +
    messages +
    `<wsdl:portType name="GasOrderService">${portOps}</wsdl:portType>` +
    `<wsdl:binding name="GasOrderServiceSoapBinding" type="tns:GasOrderService"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOps}</wsdl:binding>` +
    `<wsdl:service name="GasOrderService"><wsdl:port name="GasOrderServicePort" binding="tns:GasOrderServiceSoapBinding"><soap:address location="${escapeXml(address)}"/></wsdl:port></wsdl:service>` +
    `</wsdl:definitions>`
  );
}
