/** Shared set-up of the Symantec MPKI tests: the test PKI, a simulator over a memory store, SOAP calls as the RA. */
import { X509Certificate } from 'node:crypto';
import { AdjustableClock } from '../../core/clock.js';
import type { Peer } from '../../core/http.js';
import { buildCsr } from '../../core/pki/csr.js';
import type { GeneralNameEntry } from '../../core/pki/general-names.js';
import type { KeyPair } from '../../core/pki/keys.js';
import { SERVICES, servicePath, type SymantecService, WS_TRUST_NS } from '../../core/connectors/symantec-mpki/wire.js';
import { childText, parseSoapEnvelope, type XmlElement } from '../../core/soap/index.js';
import { loadTestPki, type TestPki } from '../../fixtures/test-pki.js';
import { createMemoryStore } from '../store/memory.js';
import { createSymantecMpki, type SymantecMpki } from './index.js';
import { symantecRaTrust } from '../../fixtures/symantec-ra.js';

export const PUBLIC_BASE = 'http://127.0.0.1:8080';
export const ORIGIN = 'https://127.0.0.1';

export async function newSimulator(pki: TestPki, clock = new AdjustableClock()): Promise<SymantecMpki> {
  const sim = createSymantecMpki({
    store: createMemoryStore(),
    clock,
    ca: pki.issuingAuthority(clock),
    raTrust: symantecRaTrust(pki),
    registeredRaCertificates: [pki.identities['symantec-ra'].certificate],
  });
  sim.setPublicBaseUrl(PUBLIC_BASE);
  await sim.tlsTrustReady();
  return sim;
}

export function peerOf(der: Uint8Array | undefined): Peer {
  return der ? { address: '127.0.0.1', tls: true, clientCertificate: new X509Certificate(der), clientCertificateAuthorized: true } : { address: '127.0.0.1', tls: true };
}

export const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

/** The request as the S1/S4 clients write it: wst (slash namespace) around a default-namespaced requestVSSecurityToken. */
export function rst(inner: string): string {
  return `<wst:RequestSecurityToken xmlns:wst="${WS_TRUST_NS}"><requestVSSecurityToken xmlns="${SERVICES.enrollment.namespace}">${inner}</requestVSSecurityToken></wst:RequestSecurityToken>`;
}

/** An element of `service`'s namespace (default xmlns) with `inner`. */
export function op(service: SymantecService, name: string, inner: string): string {
  return `<${name} xmlns="${SERVICES[service].namespace}">${inner}</${name}>`;
}

export interface Answer {
  status: number;
  text: string;
  /** The first child of soap:Body (the response wrapper, or Fault). */
  body: XmlElement;
  fault?: { faultcode?: string; faultstring?: string; errorcode?: string; message?: string };
}

export async function call(sim: SymantecMpki, service: SymantecService, body: string, peer: Peer): Promise<Answer> {
  const res = await sim.handler(new Request(`${ORIGIN}${servicePath(service)}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, body: envelope(body) }), peer);
  const text = await res.text();
  const parsed = parseSoapEnvelope(text).operation;
  const detail = parsed.children.find((c) => c.name === 'detail');
  const fault =
    parsed.name === 'Fault'
      ? { faultcode: childText(parsed, 'faultcode'), faultstring: childText(parsed, 'faultstring'), errorcode: childText(detail, 'errorcode'), message: childText(detail, 'message') }
      : undefined;
  return { status: res.status, text, body: parsed, ...(fault ? { fault } : {}) };
}

export async function admin(sim: SymantecMpki, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await sim.handler(
    new Request(`${PUBLIC_BASE}/__mdmca/${sim.name}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) }),
    { address: '127.0.0.1', tls: false },
  );
  return { status: res.status, body: await res.json() };
}

export async function csrBase64(key: KeyPair, subject = 'CN=Jane Doe', subjectAltNames?: GeneralNameEntry[], challengePassword?: string): Promise<string> {
  const der = await buildCsr({ subject, privateKey: key.privateKey, ...(subjectAltNames ? { subjectAltNames } : {}), ...(challengePassword ? { challengePassword } : {}) });
  return Buffer.from(der).toString('base64');
}

export const nvp = (pairs: Record<string, string>) => Object.entries(pairs).map(([n, v]) => `<nameValuePair><name>${n}</name><value>${v}</value></nameValuePair>`).join('');

export { loadTestPki };
