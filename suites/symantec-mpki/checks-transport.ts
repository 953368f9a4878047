/**
 * The transport half of the Symantec checks: a WSDL per service at ?wsdl, mutual TLS with the RA certificate as
 * the only credential (refusals happen in the handshake: no HTTP answer at all), the health service, and the
 * XML hardening every SOAP endpoint of mdmca owes (no DTD, bodies limited).
 */
import { SERVICES, servicePath, type SymantecService } from '../../core/connectors/symantec-mpki/wire.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import { AdjustableClock } from '../../core/clock.js';
import { privateKeyToPem } from '../../core/pki/keys.js';
import { type CheckDefinition, expectThat, fail, pass } from '../model.js';
import type { SymantecSuiteContext } from './context.js';
import { attempt, HandshakeRefused } from './mtls.js';
import { healthRequest, textOf } from './messages.js';

type Check = CheckDefinition<SymantecSuiteContext>;
export const REF = '../shared/reference/vendor-apis.md';
export const GUIDE = 'guide 000 (Symantec Managed PKI and MobileIron VSP)';
const ALL_SERVICES = Object.keys(SERVICES) as SymantecService[];

async function health(ctx: SymantecSuiteContext, identity = ctx.raIdentity) {
  return attempt({ url: ctx.serviceUrl('healthcheck'), method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, body: healthRequest(), identity, ...(ctx.trusted ? { ca: ctx.trusted } : {}) });
}

/** A handshake refusal: the connection ended without any HTTP status. */
export function refusedInHandshake(result: Awaited<ReturnType<typeof attempt>>, what: string) {
  return expectThat(!result.answered, `${what}: ${result.answered ? `answered HTTP ${result.status}` : `refused in the handshake (${result.code})`}`, result.answered ? `HTTP ${result.status}` : `${result.code}: ${result.message}`, 'no HTTP answer (TLS alert or reset)');
}

export const transportChecks: Check[] = [
  {
    id: 'symantec.wsdl',
    title: 'Each of the five services serves its WSDL at ?wsdl with its targetNamespace and soap:address',
    severity: 'error',
    source: `${REF} §A.1 (WSDL fetched as <service>?wsdl; soap:address; SOAP 1.1 document/literal)`,
    fix: 'Serve the WSDL of every service at <service>?wsdl; a generated client (S1, S2, S6) starts there.',
    async run(ctx) {
      const problems: string[] = [];
      for (const service of ALL_SERVICES) {
        const url = `${ctx.serviceUrl(service)}?wsdl`;
        const response = await ctx.request(`${service}?wsdl`, url);
        const wsdl = response.body.toString('utf8');
        const ns = SERVICES[service].namespace;
        const address = wsdl.match(/<(?:\w+:)?address\s+location="([^"]+)"/)?.[1];
        if (response.status !== 200) problems.push(`${service}: HTTP ${response.status}`);
        else if (!wsdl.includes(`targetNamespace="${ns}"`)) problems.push(`${service}: no targetNamespace="${ns}"`);
        else if (!address || !address.replace(/:443(?=\/)/, '').endsWith(servicePath(service))) problems.push(`${service}: soap:address ${address ?? 'missing'}`);
        else if (!/style="document"/.test(wsdl) || !/use="literal"/.test(wsdl)) problems.push(`${service}: not document/literal`);
      }
      return expectThat(problems.length === 0, problems.length ? problems.join('; ') : 'five WSDLs, namespaces and addresses right', problems, 'HTTP 200, targetNamespace and soap:address of each service');
    },
  },
  {
    id: 'symantec.mtls-ra-accepted',
    title: 'The RA certificate (.p12) is accepted in the TLS handshake and the service answers',
    severity: 'error',
    source: `${REF} §A.2 (mutual TLS with the RA certificate and nothing else); ${GUIDE}, Table 2-1 (Certificate)`,
    fix: 'Upload the RA certificate you received from Symantec (.p12) and enter its password (guide 000, Table 2-1).',
    async run(ctx) {
      const result = await health(ctx);
      return expectThat(result.answered && result.status === 200, result.answered ? `HTTP ${result.status}` : `refused: ${result.message}`, result.answered ? result.status : result.code, 200);
    },
  },
  {
    id: 'symantec.mtls-no-client-cert',
    title: 'Without a client certificate the handshake is refused: no HTTP answer',
    severity: 'error',
    source: `${REF} §A.2, §A.8 scenario 1 (RA not sent: TLS alert, no HTTP response)`,
    run: async (ctx) => refusedInHandshake(await health(ctx, { kind: 'none' }), 'no client certificate'),
  },
  {
    id: 'symantec.mtls-untrusted-cert',
    title: 'A self-signed client certificate is refused in the handshake',
    severity: 'error',
    source: `${REF} §A.2 (an unknown or untrusted RA certificate fails in the TLS handshake), §A.8 scenario 1`,
    async run(ctx) {
      const keys = await ctx.key(9);
      const self = await CertificateAuthority.createRoot({ subject: 'CN=Registration Authority 9999999999999,O=not Symantec', keys, clock: new AdjustableClock() });
      return refusedInHandshake(await health(ctx, { kind: 'pem', key: privateKeyToPem(keys.privateKey), cert: self.certificate.toPem() }), 'a self-signed certificate');
    },
  },
  {
    id: 'symantec.health',
    title: 'The health check answers statusCode UP',
    severity: 'warning',
    source: `${REF} §A.5 (getStatusRequestMessage → getStatusResponseMessage{statusCode UP|DOWN})`,
    async run(ctx) {
      const answer = await ctx.soap('healthcheck', healthRequest((await ctx.profile()).oid));
      const status = textOf(answer.operation, 'statusCode');
      return expectThat(answer.status === 200 && status === 'UP' && Boolean(textOf(answer.operation, 'serverTransactionID')), `statusCode ${status ?? 'missing'}`, `HTTP ${answer.status} ${answer.operation?.name ?? ''} ${status ?? ''}`, 'HTTP 200 getStatusResponseMessage statusCode UP with a serverTransactionID');
    },
  },
  {
    id: 'symantec.xml-dtd-refused',
    title: 'A DTD with an external entity is refused with a SOAP Fault and nothing is expanded',
    severity: 'error',
    source: 'OWASP XXE prevention; SOAP 1.1 §4.4',
    async run(ctx) {
      const xml = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>` + healthRequest('&xxe;').replace(/^<\?xml[^>]*\?>/, '');
      const answer = await ctx.soap('healthcheck', xml);
      const host = await import('node:os').then((os) => os.hostname());
      if (answer.text.includes(host) && !answer.fault) return fail('the entity was expanded', { observed: answer.text.slice(0, 200) });
      return expectThat(Boolean(answer.fault) && answer.status >= 400, 'DTD refused', `HTTP ${answer.status} ${answer.operation?.name ?? answer.text.slice(0, 80)}`, 'a SOAP Fault, HTTP 4xx/5xx');
    },
  },
  {
    id: 'symantec.body-limit',
    title: 'A body over 1 MiB is refused',
    severity: 'warning',
    source: 'DESIGN.md (every body size-limited)',
    async run(ctx) {
      try {
        const answer = await ctx.soap('enrollment', new Uint8Array(1024 * 1024 + 16).fill(0x20));
        return expectThat(answer.status === 413 || (answer.status >= 400 && Boolean(answer.fault)), 'oversized body', `HTTP ${answer.status}`, '413 or a SOAP Fault');
      } catch (error) {
        // Cutting the connection while we upload is a refusal too (the server stops reading): a reset after the TCP
        // connect and before any answer. Nothing listening, a timeout or a TLS failure is no answer at all.
        if (error instanceof HandshakeRefused && error.afterHandshake && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) return pass(`the connection was reset during the upload: ${error.message}`);
        return fail(`no refusal of the body: ${(error as Error).message}`, { observed: (error as { code?: string }).code ?? String(error), expected: '413, a SOAP Fault, or a reset after the upload started' });
      }
    },
  },
];
