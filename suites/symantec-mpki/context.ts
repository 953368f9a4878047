/**
 * What the Symantec MPKI checks share: the target's mutual-TLS origin, the RA identity (.p12 and password), the
 * trusted roots of the server, a recorder of every exchange, the profile to enrol against (configured, or the
 * first one getPolicies lists), RSA keys made once, and the simulator's admin surface when the target has one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { buildCsr } from '../../core/pki/csr.js';
import { parseSoapEnvelope, type XmlElement } from '../../core/soap/index.js';
import { servicePath, type SymantecService } from '../../core/connectors/symantec-mpki/wire.js';
import { SymantecMpkiConnector } from '../../core/connectors/symantec-mpki/index.js';
import type { SymantecExchange } from '../../core/connectors/symantec-mpki/transport.js';
import type { SuiteEnvironment, TargetSpec } from '../model.js';
import { mtlsRequest, type ClientIdentity, type RawResponse } from './mtls.js';
import { enrollmentRequest, find, findAll, getPoliciesRequest, textOf, type EnrollmentInput } from './messages.js';

export class SymantecSuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SymantecSuiteError';
  }
}

export interface SoapAnswer {
  status: number;
  text: string;
  contentType: string;
  operation?: XmlElement;
  fault?: { faultcode?: string; faultstring?: string; errorcode?: string; message?: string };
}

export interface PolicyInfo {
  oid: string;
  /** The nameValuePair that carries the seat ID (seatIdInfo). */
  seatIdAttribute: string;
  keySize?: number;
  element: XmlElement;
}

const OID = /^\d+(\.\d+)+$/;

/** A .p12 given as a path or as base64 (the connector's settings accept both). */
export function readBinaryCredential(value: string): Buffer {
  return existsSync(value) ? readFileSync(value) : Buffer.from(value, 'base64');
}

export class SymantecSuiteContext {
  private keys: Promise<KeyPair>[] = [];
  private policyList: Promise<PolicyInfo[]> | undefined;

  constructor(
    /** https origin of the PKI Web Services, e.g. https://pki-ws.symauth.com. */
    readonly origin: string,
    readonly ra: { pfx: Buffer; passphrase: string },
    readonly trusted: string[] | undefined,
    readonly admin: string | undefined,
    readonly env: SuiteEnvironment,
    private readonly configuredProfile: string | undefined,
  ) {}

  static fromTarget(target: TargetSpec, env: SuiteEnvironment): SymantecSuiteContext {
    if (target.kind !== 'url') throw new SymantecSuiteError('the symantec-mpki suite needs a url target (the https origin of the PKI Web Services)');
    const c = target.credentials ?? {};
    if (!c.clientP12 || c.clientP12Password === undefined) throw new SymantecSuiteError('the symantec-mpki target needs the RA certificate: clientP12 (.p12) and clientP12Password');
    const url = new URL(target.url);
    if (url.protocol !== 'https:') throw new SymantecSuiteError(`${target.url}: the PKI Web Services are HTTPS with a client certificate`);
    const trusted = c.trustedCertificates ? [readFileSync(c.trustedCertificates, 'utf8')] : undefined;
    return new SymantecSuiteContext(url.origin, { pfx: readBinaryCredential(c.clientP12), passphrase: c.clientP12Password }, trusted, target.admin?.replace(/\/+$/, ''), env, c.profileOid);
  }

  get raIdentity(): ClientIdentity {
    return { kind: 'pfx', ...this.ra };
  }

  serviceUrl(service: SymantecService): string {
    return `${this.origin}${servicePath(service)}`;
  }

  /** One HTTPS request, recorded for the report. */
  async request(label: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array; identity?: ClientIdentity } = {}): Promise<RawResponse> {
    const startedAt = Date.now();
    const response = await mtlsRequest({ url, method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body, identity: init.identity ?? this.raIdentity, ...(this.trusted ? { ca: this.trusted } : {}) });
    this.env.record({
      label,
      from: 'mdm',
      to: 'symantec-mpki',
      method: init.method ?? 'GET',
      url,
      status: response.status,
      requestBytes: init.body === undefined ? 0 : typeof init.body === 'string' ? Buffer.byteLength(init.body) : init.body.byteLength,
      responseBytes: response.body.byteLength,
      startedAt,
      durationMs: response.durationMs,
      ...(response.headers['content-type'] ? { responseContentType: response.headers['content-type'] } : {}),
    });
    return response;
  }

  /** POSTs an envelope to a service; the status, text, parsed operation element and fault fields. */
  async soap(service: SymantecService, xml: string | Uint8Array, options: { soapAction?: string; identity?: ClientIdentity } = {}): Promise<SoapAnswer> {
    const label = typeof xml === 'string' ? (xml.match(/<soapenv:Body><(?:\w+:)?(\w+)/)?.[1] ?? service) : service;
    const response = await this.request(label, this.serviceUrl(service), {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${options.soapAction ?? ''}"` },
      body: xml,
      ...(options.identity ? { identity: options.identity } : {}),
    });
    const text = response.body.toString('utf8');
    const answer: SoapAnswer = { status: response.status, text, contentType: response.headers['content-type'] ?? '' };
    try {
      answer.operation = parseSoapEnvelope(text).operation;
    } catch {
      return answer;
    }
    if (answer.operation.name === 'Fault') {
      const f = answer.operation;
      answer.fault = {
        ...(textOf(f, 'faultcode') !== undefined ? { faultcode: textOf(f, 'faultcode') } : {}),
        ...(textOf(f, 'faultstring') !== undefined ? { faultstring: textOf(f, 'faultstring') } : {}),
        ...(textOf(find(f, 'detail'), 'errorcode') !== undefined ? { errorcode: textOf(find(f, 'detail'), 'errorcode') } : {}),
        ...(textOf(find(f, 'detail'), 'message') !== undefined ? { message: textOf(find(f, 'detail'), 'message') } : {}),
      };
    }
    return answer;
  }

  /**
   * Our MobileIron VSP connector pointed at the target: Server is the origin's host[:port] (guide 000), the RA
   * .p12 as base64 (or another one, e.g. an expired RA from the admin surface), our trusted roots.
   */
  connector(ra: { pfx?: Buffer; passphrase?: string } = {}, exchanges?: SymantecExchange[]): SymantecMpkiConnector {
    return new SymantecMpkiConnector(
      { name: 'Symantec Managed PKI', type: 'symantec-mpki', server: new URL(this.origin).host, raCertificate: (ra.pfx ?? this.ra.pfx).toString('base64'), raCertificatePassword: ra.passphrase ?? this.ra.passphrase },
      this.trusted ? { trustedCertificates: this.trusted } : {},
      {
        onExchange: (e) => {
          exchanges?.push(e);
          this.env.record({
            label: e.requestXml.match(/<soapenv:Body><(?:\w+:)?(\w+)/)?.[1] ?? e.soapAction.split('/').pop() ?? 'soap',
            from: 'mdm',
            to: 'symantec-mpki',
            method: 'POST',
            url: e.url,
            status: e.status ?? 0,
            requestBytes: Buffer.byteLength(e.requestXml),
            responseBytes: e.responseXml ? Buffer.byteLength(e.responseXml) : 0,
            startedAt: Date.now() - e.ms,
            durationMs: e.ms,
          });
        },
      },
    );
  }

  /** RSA-2048 requester keys, made once per index. */
  key(index: number): Promise<KeyPair> {
    this.keys[index] ??= generateKeyPair({ type: 'rsa', bits: 2048 });
    return this.keys[index]!;
  }

  async csr(subject: string, keyIndex = 0): Promise<Uint8Array> {
    return buildCsr({ subject, privateKey: (await this.key(keyIndex)).privateKey });
  }

  /** The profiles getPolicies lists, with their OID and seat ID attribute. */
  policies(): Promise<PolicyInfo[]> {
    this.policyList ??= this.soap('policy', getPoliciesRequest()).then((answer) => {
      if (answer.fault || !answer.operation) throw new SymantecSuiteError(`getPolicies: HTTP ${answer.status} ${answer.fault?.faultstring ?? answer.text.slice(0, 200)}`);
      return parsePolicies(answer.operation);
    });
    return this.policyList;
  }

  /** The profile the checks enrol against: the configured OID, else the first policy listed. */
  async profile(): Promise<PolicyInfo> {
    const list = await this.policies();
    const chosen = this.configuredProfile ? list.find((p) => p.oid === this.configuredProfile) : list[0];
    if (!chosen) throw new SymantecSuiteError(this.configuredProfile ? `getPolicies does not list ${this.configuredProfile}` : 'getPolicies lists no profile');
    return chosen;
  }

  /** The attributes a profile needs for a seat: the seat ID under its attribute, plus the usual names. */
  async seatAttributes(seat: string, commonName: string, profile?: PolicyInfo): Promise<Record<string, string>> {
    const p = profile ?? (await this.profile());
    return { common_name: commonName, mail_email: seat, mail: seat, [p.seatIdAttribute]: seat, seat_id: seat };
  }

  /** Sends an enrollment with the seat attributes for `seat`; the raw answer. */
  async enroll(input: Partial<EnrollmentInput> & { seat?: string; cn?: string; keyIndex?: number } = {}): Promise<SoapAnswer> {
    const { seat = 'suite.user@example.com', cn = 'mdmca suite user', keyIndex = 0, ...wire } = input;
    const profile = await this.profile();
    const needsCsr = wire.requestType !== 'QueryTokenStatus' && wire.tokenType !== 'PKCS12';
    const xml = enrollmentRequest({
      profileOid: profile.oid,
      requestType: 'Issue',
      tokenType: 'X509v3',
      ...(needsCsr ? { csr: await this.csr(`CN=${cn}`, keyIndex) } : {}),
      attributes: await this.seatAttributes(seat, cn, profile),
      ...wire,
    });
    return this.soap('enrollment', xml);
  }

  async adminCall<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.admin) throw new SymantecSuiteError('no admin surface');
    const response = await fetch(`${this.admin}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    if (!response.ok) throw new SymantecSuiteError(`admin ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Runs `fn` against a simulator state set up by `arrange`, then resets the simulator to its fixtures. */
  async scenario<T>(arrange: () => Promise<unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      await arrange();
      return await fn();
    } finally {
      this.policyList = undefined;
      await this.adminCall('POST', '/reset');
    }
  }
}

/** Reads getPoliciesResponse: each policy's OID (inline, or through oIDReferenceID into oIDs) and seat ID attribute. */
export function parsePolicies(response: XmlElement): PolicyInfo[] {
  const oidsById = new Map<string, string>();
  for (const o of findAll(response, 'oID')) {
    const id = textOf(o, 'oIDReferenceID');
    const value = textOf(o, 'value');
    if (id && value) oidsById.set(id, value);
  }
  return findAll(response, 'policy').flatMap((policy): PolicyInfo[] => {
    const ref = textOf(policy, 'policyOIDReference');
    const oid = (ref && oidsById.get(ref)) ?? [textOf(policy, 'policyOID'), textOf(policy, 'oid'), textOf(policy, 'certificateProfileID')].find((v) => v && OID.test(v));
    if (!oid) return [];
    const seat = find(policy, 'seatIdInfo');
    const seatIdAttribute = seat ? (textOf(seat, 'attributeNameValue') ?? textOf(seat, 'seatIdAttribute') ?? textOf(seat, 'attributeName') ?? textOf(seat, 'name') ?? seat.children[0]?.text ?? seat.text) : '';
    const keySize = Number(textOf(policy, 'keysize') ?? textOf(policy, 'minimalKeyLength') ?? NaN);
    return [{ oid, seatIdAttribute: seatIdAttribute || 'seat_id', ...(Number.isFinite(keySize) ? { keySize } : {}), element: policy }];
  });
}
