/**
 * GasOrderService operations: read the document/literal request, call the service, write the response. Names and
 * fields are the WSDL's (reference §3), Revoke's lower-camel `orderResponseHeader` / `orderNo` included. On a
 * business error the header carries SuccessCode -1 and the result fields are xsi:nil.
 */
import { generateKeyPair } from '../../core/pki/keys.js';
import { buildPkcs12 } from '../../core/pki/pkcs12.js';
import { toPem } from '../../core/pki/pem.js';
import { buildCertsOnly } from '../../core/scep/certs-only.js';
import { at, child, children, el, SoapFault, type XmlElement } from '../../core/soap/index.js';
import { EpkiError } from './errors.js';
import { orderDetailXml, profileDetailXml } from './render.js';
import type { Caller, EpkiService, IssueResult, OrderInput } from './service.js';
import { bool, int, requestOf, responseHeader, text, wrapResponse } from './wire.js';

/** What CERT holds. ASSUMPTION: the guide's "Ordering PKCS7 certificates" suggests a base64 PKCS#7; PEM is the other reading. */
export type CertificateForm = 'pkcs7' | 'pem';

export interface OperationContext {
  service: EpkiService;
  address: string;
  certificateForm: CertificateForm;
}

interface OperationSpec {
  header: 'OrderRequestHeader' | 'QueryRequestHeader';
  responseHeader: string;
  /** Result fields, written xsi:nil on failure. */
  results: readonly string[];
  run(request: XmlElement, caller: Caller, context: OperationContext): Promise<string[]>;
}

function orderInput(operation: string, request: XmlElement): OrderInput {
  const dn = child(request, 'DnAttributes');
  return {
    operation,
    profileId: text(request, 'ProfileID') ?? text(request, 'ProfileOrderNo'),
    productCode: text(request, 'ProductCode'),
    years: int(request, 'Year'),
    commonName: text(dn, 'CommonName'),
    organizationUnits: children(dn, 'OrganizationUnit').map((e) => e.text).filter((v) => v !== ''),
    email: text(dn, 'Email'),
    pickupPassword: text(request, 'PickupPassword'),
  };
}

function certificateField(result: IssueResult, form: CertificateForm): string {
  if (form === 'pem') return toPem('CERTIFICATE', result.certificate);
  return Buffer.from(buildCertsOnly({ certificates: [result.certificate, ...result.chain] })).toString('base64');
}

export const OPERATIONS: Record<string, OperationSpec> = {
  GetProfiles: {
    header: 'QueryRequestHeader',
    responseHeader: 'QueryResponseHeader',
    results: ['TotalCount'],
    async run(request, caller, { service }) {
      const param = child(request, 'ProfileQueryParam');
      const no = text(param, 'ProfileOrderNo');
      const state = text(param, 'ProfileOrderState');
      const profiles = service.profilesOf(caller).filter((p) => (!no || p.profileId === no) && (!state || p.state === state));
      return [el('TotalCount', profiles.length), el('ProfileDetails', profiles.map(profileDetailXml))];
    },
  },
  OrderAndIssueCertificate: {
    header: 'OrderRequestHeader',
    responseHeader: 'OrderResponseHeader',
    results: ['OrderID', 'CERT'],
    async run(request, caller, context) {
      bool(request, 'EFSOption');
      const result = await context.service.orderWithCsr(caller, orderInput('OrderAndIssueCertificate', request), text(request, 'CSR'));
      return [el('OrderID', result.order.orderId), el('CERT', certificateField(result, context.certificateForm))];
    },
  },
  OrderDS: {
    header: 'OrderRequestHeader',
    responseHeader: 'OrderResponseHeader',
    results: ['OrderID', 'Certificate'],
    async run(request, caller, context) {
      const result = await context.service.orderWithCsr(caller, orderInput('OrderDS', request), text(request, 'CSR'));
      return [el('OrderID', result.order.orderId), el('Certificate', certificateField(result, context.certificateForm))];
    },
  },
  OrderPkcs12: {
    header: 'OrderRequestHeader',
    responseHeader: 'OrderResponseHeader',
    results: ['OrderID', 'BASE64PKCS12', 'PKCS12'],
    async run(request, caller, { service }) {
      const pin = text(request, 'PKCS12PIN');
      if (!pin) throw new EpkiError('missingParameter', 'PKCS12PIN');
      bool(request, 'Renew');
      const input = orderInput('OrderPkcs12', request);
      service.precheck(caller, input);
      const keys = await generateKeyPair({ type: 'rsa', bits: 2048 });
      const result = await service.orderWithKey(caller, input, keys.publicKey);
      const p12 = buildPkcs12({ privateKey: keys.privateKey, certificate: result.certificate, chain: result.chain, password: pin, form: 'modern', friendlyName: input.commonName! });
      const base64 = Buffer.from(p12).toString('base64');
      return [el('OrderID', result.order.orderId), el('BASE64PKCS12', base64), el('PKCS12', base64)];
    },
  },
  OrderCertificate: {
    header: 'OrderRequestHeader',
    responseHeader: 'OrderResponseHeader',
    results: ['OrderID'],
    async run(request, caller, { service }) {
      bool(request, 'HasCSR');
      bool(request, 'PKCS12Option');
      return [el('OrderID', service.orderForPickup(caller, orderInput('OrderCertificate', request)).orderId)];
    },
  },
  Cancel: {
    header: 'OrderRequestHeader',
    responseHeader: 'OrderResponseHeader',
    results: ['OrderID'],
    async run(request, caller, { service }) {
      return [el('OrderID', service.cancel(caller, text(request, 'OrderID')).orderId)];
    },
  },
  Revoke: {
    header: 'OrderRequestHeader',
    responseHeader: 'orderResponseHeader',
    results: ['orderNo'],
    async run(request, caller, { service }) {
      return [el('orderNo', service.revoke(caller, text(request, 'OrderID')).orderId)];
    },
  },
  Reissue: {
    header: 'OrderRequestHeader',
    responseHeader: 'OrderResponseHeader',
    results: ['OrderID'],
    async run(request, caller, { service }) {
      return [el('OrderID', service.reissue(caller, text(request, 'TargetOrderID'), text(request, 'PickupPassword')).orderId)];
    },
  },
  GetOrders: {
    header: 'QueryRequestHeader',
    responseHeader: 'QueryResponseHeader',
    results: ['TotalCount'],
    async run(request, caller, { service }) {
      const param = child(request, 'OrderQueryParam');
      const option = child(request, 'OrdersQueryOption');
      const filters = {
        ProductCode: text(param, 'ProductCode'),
        ProfileOrderNo: text(param, 'ProfileOrderNo'),
        LicenseOrderNo: text(param, 'LicenseOrderNo'),
        OrderState: int(param, 'OrderState'),
        CommonName: text(param, 'CommonName'),
      };
      const orders = service.state.orders.list({
        where: (o) =>
          o.corporateId === caller.account.corporateId &&
          (!filters.ProductCode || o.productCode === filters.ProductCode) &&
          (!filters.ProfileOrderNo || o.profileId === filters.ProfileOrderNo) &&
          (!filters.LicenseOrderNo || o.licenseNo === filters.LicenseOrderNo) &&
          (filters.OrderState === undefined || o.status === filters.OrderState) &&
          (!filters.CommonName || o.commonName === filters.CommonName),
      });
      const options = { certificateInfo: bool(option, 'ReturnCertificateInfo') ?? false, fulfillment: bool(option, 'ReturnFulfillment') ?? false };
      return [el('TotalCount', orders.length), el('OrderDetails', orders.map((o) => orderDetailXml(o, options)))];
    },
  },
  GetOrderByOrderId: {
    header: 'QueryRequestHeader',
    responseHeader: 'QueryResponseHeader',
    results: ['OrderNo', 'OrderDetail'],
    async run(request, caller, { service }) {
      const order = service.ownOrder(caller, text(request, 'OrderNo'), 'OrderNo');
      const option = child(request, 'OrderQueryOption');
      const options = {
        certificateInfo: bool(option, 'ReturnCertificateInfo') ?? false,
        fulfillment: bool(option, 'ReturnFulfillment') ?? false,
        modEvents: bool(option, 'ReturnModEvents') ?? false,
      };
      return [el('OrderNo', order.orderId), orderDetailXml(order, options)];
    },
  },
};

/** Runs one operation element; the SOAP body content of the answer. SoapFault for unknown operations. */
export async function runOperation(operation: XmlElement, context: OperationContext): Promise<string> {
  const spec = Object.hasOwn(OPERATIONS, operation.name) ? OPERATIONS[operation.name] : undefined;
  if (!spec || (operation.ns !== '' && operation.ns !== 'https://system.globalsign.com/cr/ws/')) {
    throw new SoapFault('soap:Client', `Unexpected wrapper element {${operation.ns}}${operation.name} found.`);
  }
  const request = requestOf(operation);
  const now = () => context.service.clock.now();
  try {
    const header = child(request, spec.header);
    const caller = context.service.authenticate(text(at(header, 'AuthToken'), 'UserName'), text(at(header, 'AuthToken'), 'Password'), context.address);
    const results = await spec.run(request, caller, context);
    return wrapResponse(operation.name, [responseHeader(spec.responseHeader, now()), ...results]);
  } catch (error) {
    if (!(error instanceof EpkiError)) throw error;
    return wrapResponse(operation.name, [responseHeader(spec.responseHeader, now(), [error]), ...spec.results.map((name) => el(name, null))]);
  }
}
