/**
 * The GlobalSign EPKI checks, as data: the GasOrderService wire (WSDL, headers, Revoke's lower-camel names, XML
 * safety) and, through our MobileIron Cloud connector, the guide's failure scenarios with their exact texts
 * (core/engine/failure-scenarios.ts). Scenarios that need the account steered (expire a pack, unvet a profile,
 * change the IP range) run only when the target has an admin surface and skip otherwise.
 */
import { ConnectorError } from '../../core/connectors/types.js';
import { scenario, type FailureScenarioId } from '../../core/engine/failure-scenarios.js';
import { buildCsr } from '../../core/pki/csr.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { at, childText } from '../../core/soap/index.js';
import { type CheckDefinition, type CheckOutcome, expectThat, fail, pass, skip } from '../model.js';
import type { EpkiSuiteContext } from './context.js';

type Check = CheckDefinition<EpkiSuiteContext>;
const GUIDE = 'guide 001 (GlobalSign EPKI and MobileIron Cloud)';
const REF = '../shared/reference/globalsign-epki.md';
const OPERATIONS = ['GetProfiles', 'OrderAndIssueCertificate', 'OrderPkcs12', 'OrderCertificate', 'OrderDS', 'Cancel', 'Revoke', 'Reissue', 'GetOrders', 'GetOrderByOrderId'];

interface AdminState {
  accounts: { corporateId: string }[];
  profiles: { profileId: string; state: string }[];
  licences: { licenseNo: string; profileId: string; years: number }[];
}

async function enroll(ctx: EpkiSuiteContext, options: { cn?: string; key?: number; productCode?: string; validityDays?: number; subject?: string; profileId?: string } = {}) {
  const key = await ctx.key(options.key ?? 0);
  const cn = options.cn ?? 'mdmca suite user';
  const csr = await buildCsr({ subject: `CN=${cn}`, privateKey: key.privateKey });
  return ctx.connector.enroll({
    key: { csr },
    subject: options.subject ?? `CN=${cn}`,
    profile: {
      certificateType: 'user',
      validityDays: options.validityDays ?? ctx.years * 365,
      params: { profileId: options.profileId ?? (await ctx.profileId()), productCode: options.productCode ?? ctx.productCode },
    },
  });
}

/** Expects `run` to fail with the catalogue scenario's exact text. */
async function expectScenario(id: FailureScenarioId, run: () => Promise<unknown>): Promise<CheckOutcome> {
  const expected = scenario(id).error.text;
  try {
    await run();
    return fail('the request succeeded', { observed: 'a certificate', expected });
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return expectThat(error.message === expected, `the connector reports "${error.message}"`, error.message, expected);
  }
}

const adminState = (ctx: EpkiSuiteContext) => ctx.adminCall('GET', '/state') as Promise<AdminState>;

function adminCheck(id: FailureScenarioId, title: string, arrange: (ctx: EpkiSuiteContext, state: AdminState) => Promise<unknown>, run: (ctx: EpkiSuiteContext, state: AdminState) => Promise<unknown>): Check {
  const s = scenario(id);
  return {
    id: `scenario-${id.replace(/^globalsign-/, '')}`,
    title,
    severity: 'error',
    source: `${GUIDE}, ${s.guide.section}`,
    fix: s.fix,
    async run(ctx) {
      if (!ctx.admin) return skip('the target has no admin surface to set the scenario up');
      const state = await adminState(ctx);
      return ctx.scenario(() => arrange(ctx, state), () => expectScenario(id, () => run(ctx, state)));
    },
  };
}

export const epkiChecks: Check[] = [
  {
    id: 'wsdl-operations',
    title: 'The WSDL on ?wsdl declares every EPKI operation in the cr/ws namespace',
    severity: 'warning',
    source: `${REF} §1 (WSDL), §3`,
    async run(ctx) {
      const response = await ctx.fetch(`${ctx.url}?wsdl`, { method: 'GET' });
      const wsdl = await response.text();
      const missing = OPERATIONS.filter((op) => !wsdl.includes(`name="${op}"`));
      return expectThat(response.ok && missing.length === 0 && wsdl.includes('https://system.globalsign.com/cr/ws/'), 'WSDL operations', missing.length ? `missing ${missing.join(', ')}` : `HTTP ${response.status}`, 'HTTP 200, all ten operations');
    },
  },
  {
    id: 'get-profiles',
    title: 'GetProfiles lists at least one VALIDATED profile (the Profile ID dropdown)',
    severity: 'error',
    source: `${GUIDE}, Configure an Identity Certificate step 8; Troubleshooting`,
    async run(ctx) {
      const test = await ctx.connector.testConnection();
      if (!test.ok) return fail(test.message, { observed: test.message });
      const ids = await ctx.connector.profileIds();
      return expectThat(ids.length > 0 && ids.every((id) => /^MP\d{12}$/.test(id)), `profiles: ${ids.join(', ')}`, ids, 'MP + 12 digits, at least one');
    },
  },
  {
    id: 'order-and-issue',
    title: 'OrderAndIssueCertificate issues a certificate for the CSR with the requested Common Name',
    severity: 'error',
    source: `${REF} §3 (OrderAndIssueCertificate); ${GUIDE}, Configure an Identity Certificate`,
    async run(ctx) {
      const issued = await enroll(ctx, { cn: 'mdmca suite user' });
      return expectThat(issued.subject.includes('CN=mdmca suite user'), `issued ${issued.subject}`, issued.subject, 'CN=mdmca suite user');
    },
  },
  {
    id: 'order-pkcs12',
    title: 'OrderPkcs12 returns a PKCS#12 that opens with PKCS12PIN',
    severity: 'error',
    source: `${REF} §3 (OrderPkcs12)`,
    async run(ctx) {
      const response = await ctx.connector.client.call('OrderPkcs12', [
        ctx.connector.client.orderHeader(),
        `<ProfileID>${await ctx.profileId()}</ProfileID><PKCS12PIN>suite-pin</PKCS12PIN><ProductCode>${ctx.productCode}</ProductCode><Year>${ctx.years}</Year><DnAttributes><CommonName>mdmca p12 user</CommonName></DnAttributes>`,
      ]);
      const p12 = childText(response, 'PKCS12') ?? childText(response, 'BASE64PKCS12') ?? '';
      const contents = parsePkcs12(new Uint8Array(Buffer.from(p12, 'base64')), 'suite-pin');
      return expectThat(contents.privateKey !== undefined, 'the PKCS#12 holds a key', Boolean(contents.privateKey), true);
    },
  },
  {
    id: 'order-records-licence',
    title: 'GetOrderByOrderId shows the issued order with its ProfileNo and the LicenseNo it used',
    severity: 'warning',
    source: `${REF} §3 (OrderInfo: ProfileNo, LicenseNo), §8`,
    async run(ctx) {
      const issued = await enroll(ctx, { cn: 'mdmca suite user' });
      const orders = await ctx.connector.client.call('GetOrders', [ctx.connector.client.queryHeader(), '<OrdersQueryOption><ReturnCertificateInfo>true</ReturnCertificateInfo></OrdersQueryOption>']);
      const detail = orders.children.find((c) => c.name === 'OrderDetails')?.children.find((d) => childText(at(d, 'CrCertificateInfo'), 'SerialNumber')?.toLowerCase() === issued.serialHex.toLowerCase());
      const orderNo = childText(at(detail, 'OrderInfo'), 'OrderNo');
      if (!orderNo) return fail('GetOrders does not list the issued certificate', { observed: issued.serialHex });
      const byId = await ctx.connector.client.call('GetOrderByOrderId', [ctx.connector.client.queryHeader(), `<OrderNo>${orderNo}</OrderNo>`]);
      const info = at(byId, 'OrderDetail/OrderInfo');
      const profileNo = childText(info, 'ProfileNo');
      const licenseNo = childText(info, 'LicenseNo');
      return expectThat(profileNo === (await ctx.profileId()) && Boolean(licenseNo), `order ${orderNo}: profile ${profileNo}, licence ${licenseNo}`, { profileNo, licenseNo }, { profileNo: await ctx.profileId(), licenseNo: 'present' });
    },
  },
  {
    id: 'cancel-twice',
    title: 'OrderCertificate then Cancel succeeds; a second Cancel is refused (-9915)',
    severity: 'warning',
    source: `${REF} §3 (OrderCertificate, Cancel), §5 (-9915)`,
    async run(ctx) {
      const client = ctx.connector.client;
      const ordered = await client.call('OrderCertificate', [client.orderHeader(), `<ProfileID>${await ctx.profileId()}</ProfileID><ProductCode>${ctx.productCode}</ProductCode><Year>${ctx.years}</Year><DnAttributes><CommonName>mdmca cancelled user</CommonName></DnAttributes>`]);
      const orderId = childText(ordered, 'OrderID') ?? '';
      await client.call('Cancel', [client.orderHeader(), `<OrderID>${orderId}</OrderID>`]);
      const again = await client.call('Cancel', [client.orderHeader(), `<OrderID>${orderId}</OrderID>`]).then(
        () => 'accepted',
        (error: unknown) => (error as { code?: string }).code ?? String(error),
      );
      return expectThat(again === '-9915', 'second Cancel', again, '-9915');
    },
  },
  {
    id: 'revoke-lower-camel-then-reissue',
    title: 'Revoke answers orderResponseHeader/orderNo (lower camel); a revoked certificate cannot be reissued',
    severity: 'error',
    source: `${REF} §3 (Revoke), §10.5; scenario globalsign-revoke-then-reissue`,
    fix: scenario('globalsign-revoke-then-reissue').fix,
    async run(ctx) {
      const issued = await enroll(ctx, { cn: 'mdmca revoked user', key: 1 });
      const orders = await ctx.connector.client.call('GetOrders', [ctx.connector.client.queryHeader(), '<OrdersQueryOption><ReturnCertificateInfo>true</ReturnCertificateInfo></OrdersQueryOption>']);
      const detail = orders.children.find((c) => c.name === 'OrderDetails')?.children.find((d) => childText(at(d, 'CrCertificateInfo'), 'SerialNumber')?.toLowerCase() === issued.serialHex.toLowerCase());
      const orderId = childText(at(detail, 'OrderInfo'), 'OrderNo');
      if (!orderId) return fail('GetOrders does not list the issued certificate', { observed: issued.serialHex });
      const auth = `<OrderRequestHeader><AuthToken><UserName>${ctx.username}</UserName><Password>${ctx.password}</Password></AuthToken></OrderRequestHeader>`;
      const revoke = await ctx.soap(ctx.envelope('Revoke', `${auth}<OrderID>${orderId}</OrderID>`));
      const response = revoke.operation?.children[0];
      const names = response?.children.map((c) => c.name) ?? [];
      if (!names.includes('orderResponseHeader') || !names.includes('orderNo')) return fail('Revoke response names', { observed: names.join(','), expected: 'orderResponseHeader,orderNo' });
      const reissue = await ctx.soap(ctx.envelope('Reissue', `${auth}<TargetOrderID>${orderId}</TargetOrderID>`));
      const code = childText(at(reissue.operation?.children[0], 'OrderResponseHeader/Errors/Error'), 'ErrorCode');
      return expectThat(code === '-4008', 'Reissue of a revoked order', code, '-4008');
    },
  },
  {
    id: 'scenario-login-failure',
    title: 'A wrong password is refused with the login failure (-4001)',
    severity: 'error',
    source: `${GUIDE}, ${scenario('globalsign-login-failure').guide.section}`,
    fix: scenario('globalsign-login-failure').fix,
    async run(ctx) {
      const test = await ctx.connectorWith(`${ctx.password}-wrong`).testConnection();
      const expected = scenario('globalsign-login-failure').error.text;
      return expectThat(!test.ok && test.message === expected, 'Test Connection with a wrong password', test.message, expected);
    },
  },
  {
    id: 'scenario-product-code-no-pack',
    title: 'A Product Code matching no licence pack: EPKI License Expiration Error',
    severity: 'error',
    source: `${GUIDE}, ${scenario('globalsign-product-code-no-pack').guide.section}`,
    fix: scenario('globalsign-product-code-no-pack').fix,
    run: (ctx) => expectScenario('globalsign-product-code-no-pack', () => enroll(ctx, { productCode: 'EPKIPSPro', key: 2 })),
  },
  adminCheck('globalsign-years-no-pack', 'A Certificate Expiration matching no licence pack: EPKI License Expiration Error', async () => undefined, (ctx, state) =>
    enroll(ctx, { validityDays: (state.licences.some((l) => l.years === 2) ? 3 : 2) * 365, key: 2 }),
  ),
  adminCheck('globalsign-licence-expired', 'An expired licence pack: EPKI License Expiration Error', (ctx, state) => Promise.all(state.licences.map((l) => ctx.adminCall('POST', `/licences/${l.licenseNo}/expire`))), (ctx) => enroll(ctx, { key: 2 })),
  adminCheck('globalsign-licence-exhausted', 'An exhausted licence pack: EPKI License Expiration Error', (ctx, state) => Promise.all(state.licences.map((l) => ctx.adminCall('POST', `/licences/${l.licenseNo}/exhaust`))), (ctx) => enroll(ctx, { key: 2 })),
  adminCheck('globalsign-ip-not-allowed', 'A caller outside the API IP Address Range is refused (-4201)', (ctx, state) => Promise.all(state.accounts.map((a) => ctx.adminCall('PATCH', `/accounts/${a.corporateId}`, { ipRanges: ['192.0.2.0/24'] }))), (ctx) => enroll(ctx, { key: 2 })),
  adminCheck('globalsign-ou-locked-base-dn', 'An OU outside the locked base DN is refused', async () => undefined, (ctx) => enroll(ctx, { subject: 'CN=mdmca suite user,OU=Elsewhere', key: 2 })),
  adminCheck('globalsign-sha1-profile', 'A SHA-1 profile is refused where SHA-256 is required', async (ctx) => ctx.adminCall('PATCH', `/profiles/${await ctx.profileId()}`, { hash: 'SHA-1' }), (ctx) => enroll(ctx, { key: 2 })),
  {
    id: 'scenario-profile-not-vetted',
    title: 'A profile whose vetting is not complete is missing from the Profile ID list',
    severity: 'error',
    source: `${GUIDE}, ${scenario('globalsign-profile-not-vetted').guide.section}`,
    fix: scenario('globalsign-profile-not-vetted').fix,
    async run(ctx) {
      if (!ctx.admin) return skip('the target has no admin surface to unvet a profile');
      const profileId = await ctx.profileId();
      return ctx.scenario(
        () => ctx.adminCall('POST', `/profiles/${profileId}/unvet`),
        async () => {
          const ids = await ctx.connector.profileIds();
          if (ids.includes(profileId)) return fail(`${profileId} is still listed`, { observed: ids.join(', ') });
          try {
            await enroll(ctx, { key: 2 });
            return fail('an order against the unvetted profile succeeded');
          } catch (error) {
            return error instanceof ConnectorError ? pass(`${profileId} is not listed; an order is refused: ${error.message}`) : Promise.reject(error);
          }
        },
      );
    },
  },
  {
    id: 'xml-dtd-refused',
    title: 'A DTD with an external entity is refused with a SOAP Fault and nothing is expanded',
    severity: 'error',
    source: 'OWASP XXE prevention; SOAP 1.1 §4.4',
    async run(ctx) {
      const xml = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>` + ctx.envelope('GetProfiles', `<QueryRequestHeader><AuthToken><UserName>&xxe;</UserName><Password>x</Password></AuthToken></QueryRequestHeader>`).replace(/^<\?xml[^>]*\?>/, '');
      const answer = await ctx.soap(xml);
      const isFault = answer.operation?.name === 'Fault';
      return expectThat(isFault && answer.status >= 400, 'DTD refused', `HTTP ${answer.status} ${answer.operation?.name ?? answer.text.slice(0, 80)}`, 'a SOAP Fault');
    },
  },
  {
    id: 'body-limit',
    title: 'A body over 1 MiB is refused',
    severity: 'warning',
    source: 'DESIGN.md (every body size-limited)',
    async run(ctx) {
      const answer = await ctx.soap(new Uint8Array(1024 * 1024 + 16).fill(0x20));
      return expectThat(answer.status === 413 || answer.operation?.name === 'Fault', 'oversized body', `HTTP ${answer.status}`, '413 or a SOAP Fault');
    },
  },
];
