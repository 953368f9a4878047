/**
 * The failure scenarios of vendor-apis.md §A.8 and guide 000, reproduced with their exact texts from the catalogue
 * (core/engine/failure-scenarios-symantec.ts). Where the MDM would send the request, our MobileIron VSP connector
 * sends it and the check compares what the console would show; where only a wire client can make the mistake
 * (a 41-character transaction ID, the seat under the wrong attribute), the fault is formatted as VSP shows faults,
 * "<message> (<errorcode>)". Every scenario steers the account through the admin surface (simulator only) and
 * resets it afterwards; without an admin URL they skip, except the wrong .p12 password, which is our side alone.
 */
import { ConnectorError } from '../../core/connectors/types.js';
import { scenario, type FailureScenarioId } from '../../core/engine/failure-scenarios.js';
import { SCEP_PASSCODE_ERRORS, scepPath } from '../../core/connectors/symantec-mpki/wire.js';
import { ScepClient, ScepClientError } from '../../core/scep/client.js';
import { buildCsr } from '../../core/pki/csr.js';
import { generateKeyPair } from '../../core/pki/keys.js';
import { type CheckDefinition, type CheckOutcome, expectThat, fail, skip } from '../model.js';
import type { SoapAnswer, SymantecSuiteContext } from './context.js';
import { describeAnswer, issuedCertificate, pendingReference } from './issued.js';
import { enrollmentRequest, healthRequest } from './messages.js';
import { GUIDE, refusedInHandshake } from './checks-transport.js';
import { attempt } from './mtls.js';
import { TOO_LONG_TRANSACTION_ID } from './checks-enrollment.js';
import { issue, search, updateStatus } from './checks-management.js';

type Check = CheckDefinition<SymantecSuiteContext>;

interface AdminProfile {
  oid: string;
  mode: 'Test' | 'Production';
  webServices: boolean;
  approvalRequired: boolean;
  status: string;
  seatIdAttribute: string;
  seatKind: string;
}
interface IssuedRa {
  ra: { serialHex: string };
  p12: string;
  password: string;
}

const profiles = async (ctx: SymantecSuiteContext) => (await ctx.adminCall<{ profiles: AdminProfile[] }>('GET', '/profiles')).profiles;

async function profileWhere(ctx: SymantecSuiteContext, test: (p: AdminProfile) => boolean, what: string): Promise<AdminProfile> {
  const found = (await profiles(ctx)).find(test);
  if (!found) throw new Error(`the simulator has no ${what} profile`);
  return found;
}

/** The text VSP shows for a SOAP fault (vendor-apis.md §A.7, the connector's SymantecFault). */
export const faultText = (answer: SoapAnswer): string => (answer.fault?.errorcode !== undefined ? `${answer.fault.message ?? answer.fault.faultstring} (${answer.fault.errorcode})` : describeAnswer(answer));

/** The catalogue text as a pattern: `<name>` placeholders (a date of the case) match any value. */
export function cataloguePattern(text: string): RegExp {
  return new RegExp(`^${text.split(/<[A-Za-z]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
}

export function expectText(id: FailureScenarioId, observed: string): CheckOutcome {
  const expected = scenario(id).error.text;
  return expectThat(cataloguePattern(expected).test(observed), `"${observed}"`, observed, expected);
}

/** Runs `run` through the connector; the scenario's text must be the ConnectorError's message. */
export async function expectConnectorError(id: FailureScenarioId, run: () => Promise<unknown>): Promise<CheckOutcome> {
  try {
    await run();
    return fail('the request succeeded', { expected: scenario(id).error.text });
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return expectText(id, error.message);
  }
}

/** A user enrollment through the connector, with the configuration's fields. */
export async function connectorEnroll(ctx: SymantecSuiteContext, params: Record<string, string>, options: { keyIndex?: number; csr?: Uint8Array; ra?: { pfx: Buffer; passphrase: string } } = {}) {
  const connector = ctx.connector(options.ra ?? {});
  try {
    const profileOid = params.profileOid ?? (await ctx.profile()).oid;
    return await connector.enroll({ key: { csr: options.csr ?? (await ctx.csr('CN=mdmca scenario user', options.keyIndex ?? 2)) }, subject: 'CN=mdmca scenario user', profile: { certificateType: 'user', params: { ...params, profileOid } } });
  } finally {
    connector.close();
  }
}

async function testConnection(ctx: SymantecSuiteContext, ra: { pfx: Buffer; passphrase: string }) {
  const connector = ctx.connector(ra);
  try {
    return await connector.testConnection();
  } finally {
    connector.close();
  }
}

/** The RA must be refused in the TLS handshake itself: no HTTP answer at all (vendor-apis.md §A.8 1). */
async function handshake(ctx: SymantecSuiteContext, ra: { pfx: Buffer; passphrase: string }): Promise<CheckOutcome> {
  const result = await attempt({ url: ctx.serviceUrl('healthcheck'), method: 'POST', body: healthRequest(), headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, identity: { kind: 'pfx', ...ra }, ...(ctx.trusted ? { ca: ctx.trusted } : {}) });
  return refusedInHandshake(result, 'the RA certificate');
}

export async function issueRa(ctx: SymantecSuiteContext, body: Record<string, unknown>): Promise<{ pfx: Buffer; passphrase: string; serialHex: string }> {
  const issued = await ctx.adminCall<IssuedRa>('POST', '/ras', { password: 'scenario-ra', ...body });
  return { pfx: Buffer.from(issued.p12, 'base64'), passphrase: issued.password, serialHex: issued.ra.serialHex };
}

const userFields = (seat: string) => ({ seatId: seat, common_name: 'mdmca scenario user' });

function adminScenario(id: FailureScenarioId | string, title: string, source: string, fix: string | undefined, run: (ctx: SymantecSuiteContext) => Promise<CheckOutcome>): Check {
  return {
    id: `symantec.scenario.${id.replace(/^symantec-/, '')}`,
    title,
    severity: 'error',
    source,
    ...(fix ? { fix } : {}),
    async run(ctx) {
      if (!ctx.admin) return skip('the target has no admin surface to set the scenario up');
      return ctx.scenario(async () => undefined, () => run(ctx));
    },
  };
}

/** A catalogue scenario as a check: its title, guide section and fix come from the catalogue. */
function catalogued(id: FailureScenarioId, title: string, run: (ctx: SymantecSuiteContext) => Promise<CheckOutcome>): Check {
  const s = scenario(id);
  return { ...adminScenario(id, title, `${GUIDE}, ${s.guide.section}`, s.fix, run), severity: s.severity };
}

async function scepEnroll(ctx: SymantecSuiteContext, oid: string, seat: string, challenge: string): Promise<string> {
  const origin = new URL(ctx.admin!).origin;
  const client = new ScepClient({ url: `${origin}${scepPath(oid)}` });
  try {
    await client.enroll({ privateKey: (await ctx.key(3)).privateKey, subject: `CN=${seat}`, subjectAltNames: [{ type: 'email', value: seat }], challenge });
    return 'issued';
  } catch (error) {
    if (error instanceof ScepClientError && error.status !== undefined) return `${error.status} ${(error.body ?? '').trim()}`;
    throw error;
  }
}

function scepScenario(id: 'symantec-scep-passcode-wrong' | 'symantec-scep-passcode-expired' | 'symantec-scep-passcode-redeemed', title: string, arrange: 'expire' | 'redeem' | undefined, status: number): Check {
  return catalogued(id, title, async (ctx) => {
    const oid = (await ctx.profile()).oid;
    const seat = `scep.${arrange ?? 'wrong'}@example.com`;
    await ctx.adminCall('POST', '/passcodes', { seatId: seat, profileOid: oid, passcode: 'right-passcode-1' });
    if (arrange) await ctx.adminCall('POST', `/passcodes/${encodeURIComponent(seat)}/${oid}/${arrange}`);
    const observed = await scepEnroll(ctx, oid, seat, arrange ? 'right-passcode-1' : 'wrong-passcode');
    const expected = `${status} ${scenario(id).error.text}`;
    return expectThat(observed === expected, `SCEP answered ${observed}`, observed, expected);
  });
}

export const scenarioChecks: Check[] = [
  {
    id: 'symantec.scenario.ra-wrong-password',
    title: 'A wrong .p12 password is reported before anything is sent',
    severity: 'error',
    source: `${GUIDE}, ${scenario('symantec-ra-wrong-password').guide.section}`,
    fix: scenario('symantec-ra-wrong-password').fix,
    async run(ctx) {
      const test = await testConnection(ctx, { pfx: ctx.ra.pfx, passphrase: `${ctx.ra.passphrase}-wrong` });
      return test.ok ? fail('Test Connection succeeded with a wrong password') : expectText('symantec-ra-wrong-password', test.message);
    },
  },
  catalogued('symantec-ra-expired', 'An expired RA certificate is refused in the handshake', async (ctx) => {
    const ra = await issueRa(ctx, { expired: true });
    const raw = await handshake(ctx, ra);
    if (raw.status === 'fail') return raw;
    const test = await testConnection(ctx, ra);
    return test.ok ? fail('Test Connection succeeded with an expired RA') : expectText('symantec-ra-expired', test.message);
  }),
  catalogued('symantec-ra-revoked', 'A revoked RA certificate is refused in the handshake', async (ctx) => {
    const ra = await issueRa(ctx, {});
    const before = await testConnection(ctx, ra);
    if (!before.ok) return fail(`the new RA does not work before it is revoked: ${before.message}`);
    await ctx.adminCall('POST', `/ras/${ra.serialHex}/revoke`);
    const raw = await handshake(ctx, ra);
    if (raw.status === 'fail') return raw;
    const test = await testConnection(ctx, ra);
    return test.ok ? fail('Test Connection succeeded with a revoked RA') : expectText('symantec-ra-revoked', test.message);
  }),
  adminScenario('ra-not-entitled', 'A valid RA not entitled to the profile gets a "not authorized" SOAP fault', `../shared/reference/vendor-apis.md §A.2 (a valid RA not entitled to the profile → SOAP fault)`, undefined, async (ctx) => {
    const ra = await issueRa(ctx, { entitledProfiles: [] });
    const oid = (await ctx.profile()).oid;
    return connectorEnroll(ctx, { ...userFields('entitled@example.com'), profileOid: oid }, { ra }).then(
      () => fail('a certificate was issued to an RA entitled to nothing'),
      (error: unknown) => {
        const message = (error as Error).message;
        return expectThat(error instanceof ConnectorError && message.startsWith('Not authorized') && message.includes(oid), message, message, `Not authorized … ${oid} (-203)`);
      },
    );
  }),
  catalogued('symantec-profile-unknown', 'An unknown profile OID is refused with a fault', (ctx) =>
    expectConnectorError('symantec-profile-unknown', () => connectorEnroll(ctx, { ...userFields('unknown.profile@example.com'), profileOid: '2.16.840.1.113733.1.16.1.2.3.1.1.99999999' })),
  ),
  catalogued('symantec-profile-not-enabled', 'A profile not enabled for web services is refused with a fault', async (ctx) => {
    const p = await profileWhere(ctx, (x) => !x.webServices, 'portal-only');
    return expectConnectorError('symantec-profile-not-enabled', () => connectorEnroll(ctx, { ...userFields('portal.only@example.com'), profileOid: p.oid }));
  }),
  catalogued('symantec-seat-id-empty', 'A seat ID variable without a value stops the request', (ctx) =>
    expectConnectorError('symantec-seat-id-empty', () => connectorEnroll(ctx, userFields(''))),
  ),
  catalogued('symantec-seat-attribute-mismatch', 'The seat ID under another attribute than the profile\'s is refused', async (ctx) => {
    const answer = await ctx.soap('enrollment', enrollmentRequest({ profileOid: (await ctx.profile()).oid, csr: await ctx.csr('CN=mdmca seat mismatch', 2), attributes: { common_name: 'mdmca seat mismatch', seat_id: 'mismatch@example.com' } }));
    return expectText('symantec-seat-attribute-mismatch', faultText(answer));
  }),
  catalogued('symantec-required-field-empty', 'A required field mapped to a blank value stops the request', (ctx) =>
    expectConnectorError('symantec-required-field-empty', () => connectorEnroll(ctx, { seatId: 'blank.field@example.com', common_name: ' ' })),
  ),
  catalogued('symantec-seat-pool-exhausted', 'An exhausted seat pool refuses a new seat', async (ctx) => {
    const p = await ctx.profile();
    const kind = (await profiles(ctx)).find((x) => x.oid === p.oid)?.seatKind ?? 'User';
    await ctx.adminCall('POST', `/seat-pools/${kind}/exhaust`);
    return expectConnectorError('symantec-seat-pool-exhausted', () => connectorEnroll(ctx, userFields('new.seat@example.com')));
  }),
  catalogued('symantec-test-mode-profile', 'A Test-mode profile issues test certificates', async (ctx) => {
    const p = await profileWhere(ctx, (x) => x.mode === 'Test' && x.webServices && !x.approvalRequired, 'Test-mode');
    const issued = await connectorEnroll(ctx, { ...userFields('test.mode@example.com'), profileOid: p.oid });
    const expected = scenario('symantec-test-mode-profile').error.text;
    return expectThat(issued.subject.split(',').includes(expected), `issued ${issued.subject}`, issued.subject, `a subject with ${expected}`);
  }),
  catalogued('symantec-transaction-id-too-long', 'A 41-character clientTransactionID is refused', async (ctx) =>
    expectText('symantec-transaction-id-too-long', faultText(await ctx.enroll({ cn: 'mdmca txid', clientTransactionID: TOO_LONG_TRANSACTION_ID }))),
  ),
  catalogued('symantec-key-size', 'A CSR key size the profile does not allow is refused', async (ctx) => {
    const small = await generateKeyPair({ type: 'rsa', bits: 1024 });
    const csr = await buildCsr({ subject: 'CN=mdmca small key', privateKey: small.privateKey });
    return expectConnectorError('symantec-key-size', () => connectorEnroll(ctx, userFields('small.key@example.com'), { csr }));
  }),
  catalogued('symantec-revoke-by-seat', 'Revoke by seat ID revokes every certificate of the seat (revocationCount > 1)', async (ctx) => {
    const seat = 'two.devices@example.com';
    const first = await issue(ctx, seat, 'mdmca device one', 2);
    const second = await issue(ctx, seat, 'mdmca device two', 3);
    const result = await updateStatus(ctx, { seatId: seat });
    const statuses = await Promise.all([first, second].map(async (c) => (await search(ctx, { serialNumber: c.serialHex })).items.map((i) => i.children.find((x) => x.name === 'status')?.text)[0]));
    if (statuses.some((s) => s !== 'REVOKED')) return fail(`not every certificate of the seat is revoked: ${statuses.join(', ')}`);
    return expectText('symantec-revoke-by-seat', `${result.successMsg} (revocationCount ${result.revocationCount})`);
  }),
  scepScenario('symantec-scep-passcode-wrong', 'SCEP with a wrong passcode: 401 Passcode Authentication Failed', undefined, SCEP_PASSCODE_ERRORS.authenticationFailed.status),
  scepScenario('symantec-scep-passcode-expired', 'SCEP with an expired passcode: 406 Passcode Has expired', 'expire', SCEP_PASSCODE_ERRORS.expired.status),
  scepScenario('symantec-scep-passcode-redeemed', 'SCEP with a redeemed passcode: 412 Passcode is either redeemed or locked', 'redeem', SCEP_PASSCODE_ERRORS.redeemedOrLocked.status),
  adminScenario('approval-pending', 'An approval profile answers pendingTokenReferenceID; QueryTokenStatus returns the certificate once approved', '../shared/reference/vendor-apis.md §A.3 (pending flow), §A.8 scenario 9', 'Approve the request in Symantec PKI Manager; the MDM polls with requestType QueryTokenStatus and the pendingTokenReferenceID.', async (ctx) => {
    const p = await profileWhere(ctx, (x) => x.approvalRequired && x.webServices, 'approval');
    const first = await ctx.enroll({ profileOid: p.oid, seat: 'approval.user@example.com', cn: 'mdmca approval user', keyIndex: 2 });
    const reference = pendingReference(first);
    if (!reference) return fail(`no pendingTokenReferenceID: ${describeAnswer(first)}`);
    const early = await ctx.enroll({ profileOid: p.oid, requestType: 'QueryTokenStatus', pendingTokenReferenceID: reference, attributes: {} });
    if (pendingReference(early) !== reference) return fail(`QueryTokenStatus before approval: ${describeAnswer(early)}`, { expected: `pendingTokenReferenceID ${reference}` });
    await ctx.adminCall('POST', `/pending/${encodeURIComponent(reference)}/approve`);
    const done = await ctx.enroll({ profileOid: p.oid, requestType: 'QueryTokenStatus', pendingTokenReferenceID: reference, attributes: {} });
    const certificate = issuedCertificate(done);
    return expectThat(certificate.subject.toString().includes('mdmca approval user'), `pending ${reference}, then issued ${certificate.subject.toString()}`, certificate.subject.toString(), 'CN=mdmca approval user');
  }),
];
