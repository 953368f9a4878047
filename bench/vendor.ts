/**
 * The vendor issuance scenarios of `mdmca bench` against our embedded simulators (issue 7): GlobalSign EPKI
 * OrderAndIssueCertificate over plain HTTP, and Symantec MPKI RequestSecurityToken over mutual TLS (the RA .p12
 * of the test PKI as client certificate). Each issuance costs one RSA-2048 private-key operation (the certificate
 * signature), so the bound is the 'csr' kind.
 *
 * Requests come from a pool of distinct CSRs (own key, own subject each) built before the run and cycled: the
 * GlobalSign simulator refuses a key seen before under another common name (keyReused), so subjects cannot be
 * more distinct than keys, and RSA-2048 keygen (50–100 ms) bounds how many we make.
 */
import { readFileSync } from 'node:fs';
import { parseCertificate } from '../core/pki/certificate.js';
import { buildCsr } from '../core/pki/csr.js';
import { generateKeyPair, type KeyPair } from '../core/pki/keys.js';
import { parsePem } from '../core/pki/pem.js';
import { parseCertsOnly } from '../core/scep/certs-only.js';
import { REQUEST_TYPES, SERVICES, servicePath, WS_TRUST_NS } from '../core/connectors/symantec-mpki/wire.js';
import { TEST_PKI_PASSWORD } from '../fixtures/defaults.js';
import { defaultPkiDir } from '../fixtures/test-pki.js';
import { EPKI_DEFAULTS } from '../simulators/globalsign-epki/fixtures.js';
import { SYMANTEC_DEFAULTS } from '../simulators/symantec-mpki/fixtures.js';
import type { VendorUrls } from './bench-server.js';
import type { VendorScenario } from './result.js';
import type { ReplySample, SampleVerdict } from './verify-sample.js';

export { isVendorScenario, VENDOR_SCENARIOS, type VendorScenario } from './result.js';

/** Licences added before a GlobalSign run, so thousands of orders succeed (the fixture pack holds 1 000). */
const LICENCES = 100_000_000;
/** One seat for every Symantec request (the profile's seat ID attribute is mail_email): a known seat costs nothing. */
const SEAT = 'bench@mdmca.test';

export class VendorBenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VendorBenchError';
  }
}

/** What runBench needs to load a vendor endpoint: the request, the pool, and how to judge answers. */
export interface VendorLoad {
  url: string;
  contentType: string;
  headers: Record<string, string>;
  tlsOptions?: Record<string, unknown>;
  bodies: Uint8Array[];
  /** The common name of each pool entry (the issued certificate's subject CN). */
  commonNames: string[];
  /** Public keys of the pool entries (SubjectPublicKeyInfo DER), to check the issued certificate's key. */
  spkis: Uint8Array[];
  /** undefined for an issued certificate, else the error kind. */
  classify(status: number, body: Uint8Array): string | undefined;
  /** Full checks of sampled answers: a certificate for the requested subject and key. */
  verify(samples: readonly ReplySample[]): SampleVerdict;
  notes: string[];
}

export interface PrepareVendorOptions {
  urls: VendorUrls;
  /** Distinct CSRs (one key each) in the cycled pool. */
  csrs: number;
  runId: string;
  /** Our server's processes: with a memory store each has its own licence state, so each must get the pack. */
  workers: number;
}

export async function prepareVendorLoad(scenario: VendorScenario, options: PrepareVendorOptions): Promise<VendorLoad> {
  const count = Math.max(1, options.csrs);
  const keys = await Promise.all(Array.from({ length: count }, () => generateKeyPair({ type: 'rsa', bits: 2048 })));
  const commonNames = keys.map((_, i) => `bench-${options.runId}-${i}`);
  const csrs = await Promise.all(keys.map(async (key, i) => Buffer.from(await buildCsr({ subject: `CN=${commonNames[i]}`, privateKey: key.privateKey })).toString('base64')));
  const spkis = keys.map(spkiOf);
  const notes = [`${scenario}: ${count} distinct CSRs (own RSA-2048 key and subject each) built before the run and cycled, so subjects repeat every ${count} requests`];
  const encode = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
  const base = { commonNames, spkis, notes };
  if (scenario === 'globalsign-order') {
    await addLicences(options.urls.globalsignAdmin, options.workers);
    return {
      ...base,
      url: options.urls.globalsignSoap,
      contentType: 'text/xml; charset="utf-8"',
      headers: { soapaction: '""' },
      bodies: csrs.map((csr, i) => encode(globalsignOrder(csr, commonNames[i]!))),
      classify: classifyGlobalSign,
      verify: (samples) => verifySamples(samples, base, (text) => certificateIn(text, 'CERT')),
    };
  }
  const pki = defaultPkiDir();
  return {
    ...base,
    url: `${options.urls.symantecPkiWs.replace(/\/$/, '')}${servicePath('enrollment')}`,
    contentType: 'text/xml; charset=utf-8',
    headers: { soapaction: '""' },
    tlsOptions: { pfx: readFileSync(`${pki}/symantec-ra.p12`), passphrase: TEST_PKI_PASSWORD, ca: readFileSync(`${pki}/root-ca.pem`, 'utf8') },
    bodies: csrs.map((csr, i) => encode(symantecRst(csr, commonNames[i]!))),
    classify: classifySymantec,
    verify: (samples) => verifySamples(samples, base, (text) => certificateIn(text, 'binarySecurityToken')),
  };
}

function spkiOf(key: KeyPair): Uint8Array {
  return new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' }));
}

async function addLicences(adminUrl: string, workers: number): Promise<void> {
  const body = JSON.stringify({ profileId: EPKI_DEFAULTS.profileId, productCode: EPKI_DEFAULTS.productCode, years: EPKI_DEFAULTS.years, count: LICENCES });
  // ASSUMPTION: cluster workers share SQLite (one pack is enough); with a memory store each worker keeps its own
  // state and connections are handed out round-robin, so one pack per worker on fresh connections (plus spares).
  for (let i = 0; i < Math.max(1, workers) * 2; i++) {
    const response = await fetch(`${adminUrl.replace(/\/$/, '')}/licences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status !== 201) throw new VendorBenchError(`GlobalSign admin: adding a licence pack answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  }
}

function globalsignOrder(csr: string, commonName: string): string {
  const D = EPKI_DEFAULTS;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cr="https://system.globalsign.com/cr/ws/"><soapenv:Body><cr:OrderAndIssueCertificate><Request>` +
    `<OrderRequestHeader><AuthToken><UserName>${D.username}</UserName><Password>${D.password}</Password></AuthToken></OrderRequestHeader>` +
    `<ProfileID>${D.profileId}</ProfileID><ProductCode>${D.productCode}</ProductCode><Year>${D.years}</Year><CSR>${csr}</CSR><DnAttributes><CommonName>${commonName}</CommonName></DnAttributes>` +
    `</Request></cr:OrderAndIssueCertificate></soapenv:Body></soapenv:Envelope>`
  );
}

function symantecRst(csr: string, commonName: string): string {
  const pairs = { common_name: commonName, mail_email: SEAT };
  const nvp = Object.entries(pairs).map(([name, value]) => `<nameValuePair><name>${name}</name><value>${value}</value></nameValuePair>`).join('');
  const inner =
    `<certificateProfileID>${SYMANTEC_DEFAULTS.profiles.user}</certificateProfileID><requestType>${REQUEST_TYPES.Issue}</requestType>` +
    `<binarySecurityToken>${csr}</binarySecurityToken>${nvp}<version>2.0</version>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
    `<wst:RequestSecurityToken xmlns:wst="${WS_TRUST_NS}"><requestVSSecurityToken xmlns="${SERVICES.enrollment.namespace}">${inner}</requestVSSecurityToken></wst:RequestSecurityToken>` +
    `</soapenv:Body></soapenv:Envelope>`
  );
}

/** The text of the first element named `local` (any prefix); undefined when absent. Answers are small: a regex will do. */
function elementText(text: string, local: string): string | undefined {
  const match = new RegExp(`<(?:[\\w.-]+:)?${local}(?:\\s[^>]*)?>([^<]*)</(?:[\\w.-]+:)?${local}>`).exec(text);
  return match?.[1];
}

/** HTTP status first; then GlobalSign's business errors (HTTP 200, SuccessCode -1) by ErrorCode. */
export function classifyGlobalSign(status: number, body: Uint8Array): string | undefined {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (status !== 200) return `HTTP ${status}`;
  const code = elementText(text, 'SuccessCode');
  if (code === undefined) return 'no SuccessCode';
  if (code.trim() === '0') return elementText(text, 'CERT') ? undefined : 'no CERT';
  return `SuccessCode ${code.trim()} ErrorCode ${elementText(text, 'ErrorCode') ?? '?'}`;
}

/** HTTP status (a SOAP Fault's errorcode with it); a 200 without a token (pending) is an error too. */
export function classifySymantec(status: number, body: Uint8Array): string | undefined {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (status !== 200) {
    const code = elementText(text, 'errorcode') ?? elementText(text, 'errorCode');
    return code ? `HTTP ${status} errorcode ${code}` : `HTTP ${status}`;
  }
  if (elementText(text, 'binarySecurityToken')) return undefined;
  return elementText(text, 'pendingTokenReferenceID') !== undefined ? 'PENDING' : 'no binarySecurityToken';
}

/** The end-entity certificate in `element`: base64 X.509 or PKCS#7 certs-only, or PEM. */
function certificateIn(text: string, element: string): Uint8Array {
  const value = elementText(text, element)?.trim();
  if (!value) throw new VendorBenchError(`no ${element} in the answer`);
  const unescaped = value.replace(/&#xD;|&#13;/gi, '').replace(/&#xA;|&#10;/gi, '\n');
  if (unescaped.includes('-----BEGIN')) {
    const block = parsePem(unescaped).find((b) => b.label === 'CERTIFICATE');
    if (!block) throw new VendorBenchError(`no PEM certificate in ${element}`);
    return block.der;
  }
  const der = new Uint8Array(Buffer.from(unescaped, 'base64'));
  try {
    return parseCertificate(der).der;
  } catch {
    const first = parseCertsOnly(der).certificates[0];
    if (!first) throw new VendorBenchError(`the PKCS#7 in ${element} holds no certificate`);
    return first;
  }
}

function verifySamples(
  samples: readonly ReplySample[],
  pool: { commonNames: string[]; spkis: Uint8Array[] },
  extract: (text: string) => Uint8Array,
): SampleVerdict {
  const failures: string[] = [];
  for (const sample of samples) {
    try {
      const text = Buffer.from(sample.body).toString('utf8');
      const certificate = parseCertificate(extract(text));
      const expected = pool.commonNames[sample.poolIndex];
      const cn = certificate.subject.get('CN');
      if (expected !== undefined && cn !== expected) throw new VendorBenchError(`issued CN "${cn}", requested "${expected}"`);
      const spki = pool.spkis[sample.poolIndex];
      if (spki && Buffer.compare(Buffer.from(spki), Buffer.from(certificate.spkiDer)) !== 0) throw new VendorBenchError('issued certificate does not carry the CSR\'s key');
    } catch (error) {
      failures.push(`request ${sample.poolIndex}: ${(error as Error).message}`);
    }
  }
  return { checked: samples.length, failures };
}
