/**
 * Certificate management checks (vendor-apis.md §A.4): searchCertificate (epoch-second times, status enum, pages
 * of 50 with moreCertificateAvailable), revocation by serial, and the negative successCode of a second
 * revocation. Paging needs more than 50 certificates: the check makes them only when the target is the
 * simulator (admin surface), since a real account pays per certificate.
 */
import type { SymantecExchange } from '../../core/connectors/symantec-mpki/transport.js';
import { SEARCH_PAGE_SIZE, CERTIFICATE_STATUSES, servicePath, soapAction, type SymantecService } from '../../core/connectors/symantec-mpki/wire.js';
import { parseSoapEnvelope, type XmlElement } from '../../core/soap/index.js';
import { type CheckDefinition, expectThat, fail, skip } from '../model.js';
import type { SymantecSuiteContext } from './context.js';
import { describeAnswer, issuedCertificate } from './issued.js';
import { findAll, searchCertificateRequest, textOf, updateStatusRequest, type SearchInput } from './messages.js';
import { REF } from './checks-transport.js';

type Check = CheckDefinition<SymantecSuiteContext>;

/** Request element → the service and the operation its SOAPAction names (vendor-apis.md §A.1: <namespace>/<operation>). */
const OPERATIONS: Readonly<Record<string, [SymantecService, string]>> = {
  getStatusRequestMessage: ['healthcheck', 'getStatus'],
  getPolicies: ['policy', 'requestPolicies'],
  RequestSecurityToken: ['enrollment', 'requestSecurityToken'],
  updateCertificateStatusRequest: ['management', 'updateCertificateStatus'],
  searchCertificateRequest: ['management', 'searchCertificate'],
};

/** Every recorded exchange whose SOAPAction is not soapAction(service, operation) for its URL and body. */
export function wrongSoapActions(exchanges: readonly SymantecExchange[]): string[] {
  const problems: string[] = [];
  if (!exchanges.length) problems.push('no exchange was recorded');
  for (const e of exchanges) {
    const element = parseSoapEnvelope(e.requestXml).operation.name;
    const known = OPERATIONS[element];
    if (!known) {
      problems.push(`${element}: not a known request`);
      continue;
    }
    const [service, operation] = known;
    if (!e.url.endsWith(servicePath(service))) problems.push(`${element} went to ${e.url}`);
    else if (e.soapAction !== soapAction(service, operation)) problems.push(`${element}: "${e.soapAction}" instead of "${soapAction(service, operation)}"`);
  }
  return problems;
}

export interface SearchPage {
  count: number;
  more: boolean;
  items: XmlElement[];
}

export async function search(ctx: SymantecSuiteContext, input: SearchInput): Promise<SearchPage> {
  const answer = await ctx.soap('management', searchCertificateRequest(input));
  if (answer.fault || !answer.operation) throw new Error(`searchCertificate: ${describeAnswer(answer)}`);
  return {
    count: Number(textOf(answer.operation, 'certificateCount') ?? NaN),
    more: textOf(answer.operation, 'moreCertificateAvailable') === 'true',
    items: findAll(answer.operation, 'certificateInformation'),
  };
}

export async function updateStatus(ctx: SymantecSuiteContext, input: Parameters<typeof updateStatusRequest>[0]) {
  const answer = await ctx.soap('management', updateStatusRequest(input));
  if (answer.fault || !answer.operation) throw new Error(`updateCertificateStatus: ${describeAnswer(answer)}`);
  return {
    successCode: Number(textOf(answer.operation, 'successCode') ?? NaN),
    successMsg: textOf(answer.operation, 'successMsg') ?? '',
    revocationCount: Number(textOf(answer.operation, 'revocationCount') ?? NaN),
  };
}

/** Issues a certificate for `seat` and returns it. */
export async function issue(ctx: SymantecSuiteContext, seat: string, cn: string, keyIndex = 0) {
  const answer = await ctx.enroll({ seat, cn, keyIndex });
  if (answer.fault) throw new Error(`enrollment: ${describeAnswer(answer)}`);
  return issuedCertificate(answer);
}

const sameSerial = (a: string | undefined, b: string) => (a ?? '').replace(/^0+/, '').toLowerCase() === b.replace(/^0+/, '').toLowerCase();

export const managementChecks: Check[] = [
  {
    id: 'symantec.search-issued',
    title: 'searchCertificate finds the issued certificate by serial, VALID, with epoch-second validFrom/validTo',
    severity: 'error',
    source: `${REF} §A.4 (searchCertificate; times are epoch seconds; status VALID|EXPIRED|REVOKED|SUSPENDED)`,
    async run(ctx) {
      const certificate = await issue(ctx, 'search.user@example.com', 'mdmca search user');
      const page = await search(ctx, { serialNumber: certificate.serialHex });
      const item = page.items.find((i) => sameSerial(textOf(i, 'serialNumber'), certificate.serialHex));
      if (!item) return fail('the issued serial is not found', { observed: `${page.count} results`, expected: certificate.serialHex });
      const observed = { status: textOf(item, 'status'), validFrom: textOf(item, 'validFrom'), validTo: textOf(item, 'validTo') };
      const expected = { status: 'VALID', validFrom: String(Math.floor(certificate.notBefore.getTime() / 1000)), validTo: String(Math.floor(certificate.notAfter.getTime() / 1000)) };
      return expectThat(JSON.stringify(observed) === JSON.stringify(expected), `status ${observed.status}, validFrom ${observed.validFrom}`, observed, expected);
    },
  },
  {
    id: 'symantec.search-paging',
    title: 'searchCertificate returns pages of 50 with moreCertificateAvailable, and startIndex reaches the rest',
    severity: 'warning',
    source: `${REF} §A.4 (certificateCount is the total; S2 assumes pages of 50; S6 advances startIndex), §A.8 scenario 13`,
    fix: 'Advance startIndex by the number of certificates returned while moreCertificateAvailable is true (S6); do not assume a page size.',
    async run(ctx) {
      const profileOID = (await ctx.profile()).oid;
      let first = await search(ctx, { profileOID });
      if (first.count <= SEARCH_PAGE_SIZE) {
        if (!ctx.admin) return skip(`only ${first.count} certificates for ${profileOID}; paging needs more than ${SEARCH_PAGE_SIZE} (made only on the simulator)`);
        // Eight at a time: the simulator signs on the thread pool, so concurrent requests overlap.
        const missing = Array.from({ length: SEARCH_PAGE_SIZE + 1 - first.count }, (_, i) => first.count + i);
        for (let i = 0; i < missing.length; i += 8) await Promise.all(missing.slice(i, i + 8).map((n) => issue(ctx, `paging.${n}@example.com`, `mdmca paging ${n}`, 1)));
        first = await search(ctx, { profileOID });
      }
      const second = await search(ctx, { profileOID, startIndex: first.items.length });
      const observed = { count: first.count, firstPage: first.items.length, more: first.more, secondPage: second.items.length };
      const ok = first.items.length === SEARCH_PAGE_SIZE && first.more && first.items.length + second.items.length === Math.min(first.count, 2 * SEARCH_PAGE_SIZE);
      return expectThat(ok, `${first.count} certificates: ${first.items.length} + ${second.items.length}`, observed, { firstPage: SEARCH_PAGE_SIZE, more: true, secondPage: `the rest of certificateCount (up to ${SEARCH_PAGE_SIZE})` });
    },
  },
  {
    id: 'symantec.revoke-serial',
    title: 'Revoke by serial answers successCode 0 and revocationCount 1; searchCertificate then says REVOKED',
    severity: 'error',
    source: `${REF} §A.4 (updateCertificateStatus by certificateSerialNumber; successCode < 0 is failure)`,
    async run(ctx) {
      const certificate = await issue(ctx, 'revoke.user@example.com', 'mdmca revoked user');
      const result = await updateStatus(ctx, { serial: certificate.serialHex, reason: 'KeyCompromise' });
      const page = await search(ctx, { serialNumber: certificate.serialHex });
      const status = textOf(page.items.find((i) => sameSerial(textOf(i, 'serialNumber'), certificate.serialHex)), 'status');
      const observed = { successCode: result.successCode, revocationCount: result.revocationCount, status };
      return expectThat(result.successCode === 0 && result.revocationCount === 1 && status === 'REVOKED', `successCode ${result.successCode}, status ${status}`, observed, { successCode: 0, revocationCount: 1, status: 'REVOKED' });
    },
  },
  {
    id: 'symantec.revoke-twice',
    title: 'Revoking an already revoked serial answers a negative successCode in HTTP 200',
    severity: 'warning',
    source: `${REF} §A.4 (business outcomes in successCode), §A.7, §A.8 scenario 12`,
    async run(ctx) {
      const certificate = await issue(ctx, 'revoke2.user@example.com', 'mdmca twice revoked user');
      await updateStatus(ctx, { serial: certificate.serialHex });
      const again = await updateStatus(ctx, { serial: certificate.serialHex });
      return expectThat(again.successCode < 0, `second Revoke: successCode ${again.successCode} "${again.successMsg}"`, again, 'successCode < 0');
    },
  },
  {
    id: 'symantec.connector-lifecycle',
    title: 'Our MobileIron VSP connector: Test Connection, the Mobile Profiles list, enrol a CSR, status valid, revoke, status revoked; every request with SOAPAction <namespace>/<operation>',
    severity: 'error',
    source: `guide 000, Table 2-1 (Server, Certificate, Mobile Profiles, Required Fields); ${REF} §A.1 (SOAPAction), §A.3, §A.4`,
    fix: 'Server: the host name only; Certificate: the RA .p12 and its password; Mobile Profiles: the OID of the MDM (Web Service Client) profile (guide 000).',
    async run(ctx) {
      const exchanges: SymantecExchange[] = [];
      const connector = ctx.connector({}, exchanges);
      try {
        const test = await connector.testConnection();
        if (!test.ok) return fail(`Test Connection: ${test.message}`, { observed: test.message, expected: 'success' });
        const profileOid = (await ctx.profile()).oid;
        const oids = await connector.profileOids();
        if (!oids.includes(profileOid)) return fail('the Mobile Profiles list lacks the profile', { observed: oids.join(', '), expected: profileOid });
        const issued = await connector.enroll({
          key: { csr: await ctx.csr('CN=mdmca connector user', 0) },
          subject: 'CN=mdmca connector user',
          profile: { certificateType: 'user', params: { profileOid, seatId: 'connector.user@example.com', common_name: 'mdmca connector user' } },
        });
        const before = await connector.status(issued.serialHex);
        await connector.revoke(issued.serialHex, 'cessationOfOperation');
        const after = await connector.status(issued.serialHex);
        const observed = { subject: issued.subject, before: before.status, after: after.status };
        const actions = wrongSoapActions(exchanges);
        if (actions.length) return fail(`the connector sent a wrong SOAPAction: ${actions.join('; ')}`, { observed: actions.join('; '), expected: 'SOAPAction = <service namespace>/<operation> for every request' });
        return expectThat(before.status === 'valid' && after.status === 'revoked' && issued.subject.includes('mdmca connector user'), `issued ${issued.serialHex}: ${before.status} → ${after.status}`, observed, { subject: 'CN=mdmca connector user…', before: 'valid', after: 'revoked' });
      } finally {
        connector.close();
      }
    },
  },
  {
    id: 'symantec.status-enum',
    title: 'Every status searchCertificate returns is one of VALID, EXPIRED, REVOKED, SUSPENDED',
    severity: 'notice',
    source: `${REF} §A.4 (status enum)`,
    async run(ctx) {
      const page = await search(ctx, { profileOID: (await ctx.profile()).oid });
      const statuses = [...new Set(page.items.map((i) => textOf(i, 'status') ?? ''))];
      return expectThat(statuses.every((s) => (CERTIFICATE_STATUSES as readonly string[]).includes(s)), `statuses: ${statuses.join(', ')}`, statuses, CERTIFICATE_STATUSES);
    },
  },
];
