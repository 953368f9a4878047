/**
 * Interop: a SOAP client generated at run time from the served WSDL (the npm `soap` package, as a customer's
 * own tooling would be) calls every GasOrderService operation over a real loopback socket and gets the
 * simulator's answers. It proves the WSDL is complete and consistent with what the service accepts and emits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as soap from 'soap';
import { AdjustableClock } from '../../core/clock.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { buildCsr } from '../../core/pki/csr.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { parseCertsOnly } from '../../core/scep/certs-only.js';
import { listen, type Listening } from '../http.js';
import { createMemoryStore } from '../store/memory.js';
import { createGlobalSignEpki, EPKI_DEFAULTS as D } from './index.js';

let server: Listening;
let client: soap.Client;
let keys: KeyPair[];

beforeAll(async () => {
  keys = await Promise.all(Array.from({ length: 4 }, () => generateKeyPair({ type: 'rsa', bits: 2048 })));
  const ca = await CertificateAuthority.createRoot({ subject: 'CN=Test GlobalSign CA', keys: keys[0]!, clock: new AdjustableClock() });
  const sim = createGlobalSignEpki({ store: createMemoryStore(), clock: new AdjustableClock(), ca });
  server = await listen({ mounts: sim.mounts });
  client = await soap.createClientAsync(`${server.httpUrl}/cr/ws/GasOrderService?wsdl`);
}, 30_000);
afterAll(() => server?.close());

const header = { AuthToken: { UserName: D.username, Password: D.password } };
const csr = async (cn: string, key: KeyPair) => Buffer.from(await buildCsr({ subject: `CN=${cn}`, privateKey: key.privateKey })).toString('base64');
type Result = { Response: Record<string, any> };
async function call(operation: string, request: Record<string, unknown>): Promise<Record<string, any>> {
  const method = (client as unknown as Record<string, (args: unknown) => Promise<[Result, string]>>)[`${operation}Async`];
  if (!method) throw new Error(`the generated client has no ${operation}`);
  const [result] = await method.call(client, { Request: request });
  return result.Response;
}
const ok = (response: Record<string, any>, name = 'OrderResponseHeader') => expect(String(response[name].SuccessCode)).toBe('0');

describe('a client generated from the served WSDL (npm soap)', () => {
  it('describes every GasOrderService operation', () => {
    const operations = Object.keys(client.describe().GasOrderService.GasOrderServicePort).sort();
    expect(operations).toEqual(['Cancel', 'GetOrderByOrderId', 'GetOrders', 'GetProfiles', 'OrderAndIssueCertificate', 'OrderCertificate', 'OrderDS', 'OrderPkcs12', 'Reissue', 'Revoke']);
  });

  it('GetProfiles lists the validated default profile', async () => {
    const response = await call('GetProfiles', { QueryRequestHeader: header });
    ok(response, 'QueryResponseHeader');
    const details = [response.ProfileDetails.ProfileDetail].flat();
    expect(details.map((d: any) => d.ProfileInfo.ProfileOrderNo)).toContain(D.profileId);
  });

  it('OrderAndIssueCertificate issues for the CSR; GetOrderByOrderId and GetOrders find the order; Revoke (lower-camel response); Reissue', async () => {
    const issued = await call('OrderAndIssueCertificate', {
      OrderRequestHeader: header,
      ProfileID: D.profileId,
      ProductCode: D.productCode,
      Year: 1,
      CSR: await csr('Generated Client', keys[1]!),
      DnAttributes: { CommonName: 'Generated Client', OrganizationUnit: D.organizationUnit, Email: 'gen@example.com' },
    });
    ok(issued);
    const orderId = String(issued.OrderID);
    const [certificate] = parseCertsOnly(new Uint8Array(Buffer.from(String(issued.CERT), 'base64'))).certificates;
    expect(parseCertificate(certificate!).subject.toString()).toContain('CN=Generated Client');

    const byId = await call('GetOrderByOrderId', { QueryRequestHeader: header, OrderNo: orderId, OrderQueryOption: { ReturnCertificateInfo: true, ReturnFulfillment: true } });
    ok(byId, 'QueryResponseHeader');
    expect(byId.OrderDetail.CrCertificateInfo.CommonName).toBe('Generated Client');
    const list = await call('GetOrders', { QueryRequestHeader: header, OrderQueryParam: { ProductCode: D.productCode } });
    ok(list, 'QueryResponseHeader');
    expect([list.OrderDetails.OrderDetail].flat().map((d: any) => d.OrderInfo.OrderNo)).toContain(orderId);

    ok(await call('Reissue', { OrderRequestHeader: header, TargetOrderID: orderId, PickupPassword: 'x' }));
    const revoked = await call('Revoke', { OrderRequestHeader: header, OrderID: orderId });
    ok(revoked, 'orderResponseHeader');
    expect(String(revoked.orderNo)).toBe(orderId);
  });

  it('OrderPkcs12 returns a PKCS#12 that opens with the PIN', async () => {
    const response = await call('OrderPkcs12', {
      OrderRequestHeader: header,
      ProfileID: D.profileId,
      PKCS12PIN: 'Pin-1234',
      ProductCode: D.productCode,
      Year: 1,
      DnAttributes: { CommonName: 'Server Key', OrganizationUnit: D.organizationUnit },
    });
    ok(response);
    const contents = parsePkcs12(new Uint8Array(Buffer.from(String(response.BASE64PKCS12), 'base64')), 'Pin-1234');
    expect(parseCertificate(contents.certificate).subject.toString()).toContain('CN=Server Key');
  });

  it('OrderCertificate then Cancel; OrderDS issues for a CSR', async () => {
    const ordered = await call('OrderCertificate', { OrderRequestHeader: header, ProfileID: D.profileId, ProductCode: D.productCode, Year: 1, DnAttributes: { CommonName: 'Later' } });
    ok(ordered);
    ok(await call('Cancel', { OrderRequestHeader: header, OrderID: String(ordered.OrderID) }));
    const ds = await call('OrderDS', { OrderRequestHeader: header, ProfileOrderNo: D.profileId, ProductCode: D.productCode, Year: 1, CSR: await csr('DS Signer', keys[2]!), DnAttributes: { CommonName: 'DS Signer' } });
    ok(ds);
    expect(String(ds.Certificate)).not.toBe('');
  });

  it('a business error reaches the generated client as data (HTTP 200, SuccessCode -1), not as a fault', async () => {
    const response = await call('GetProfiles', { QueryRequestHeader: { AuthToken: { UserName: D.username, Password: 'wrong' } } });
    expect(String(response.QueryResponseHeader.SuccessCode)).toBe('-1');
    expect(String([response.QueryResponseHeader.Errors.Error].flat()[0].ErrorCode)).toMatch(/^-\d+$/);
  });
});
