/**
 * A typed client of Symantec MPKI's PKI Web Services (vendor-apis.md §A; wire.ts): document/literal SOAP 1.1 with
 * every element qualified (elementFormDefault="qualified"), written with a default namespace on the operation
 * element as the known Node client does. Answers are read by local name, so a prefix choice on the server side
 * does not matter. A SOAP fault becomes SymantecFault, worded "<message> (<errorcode>)" as one known client does (§A.7).
 */
import { randomBytes } from 'node:crypto';
import { childText, children, el, parseSoapEnvelope, SoapFault, type XmlElement } from '../../soap/index.js';
import { SOAP11_ENVELOPE_NS } from '../../soap/fault.js';
import { escapeXml } from '../../soap/xml-text.js';
import * as texts from '../texts.js';
import { ConnectorError } from '../types.js';
import { b64, epoch, find, num, readPolicy, truthy, type SymantecCa, type SymantecPolicy } from './policy.js';
import type { SoapHttpAnswer } from './transport.js';

export type { SymantecCa, SymantecPolicy } from './policy.js';
export { find } from './policy.js';
import {
  BASE64_ENCODING_TYPE,
  type CertificateStatus,
  type OperationType,
  REQUEST_TYPES,
  type RequestTypeName,
  type RevocationReasonName,
  SERVICES,
  servicePath,
  soapAction,
  type SymantecService,
  TOKEN_TYPES,
  type TokenTypeName,
  VALUE_TYPES,
  WS_TRUST_NS,
} from './wire.js';

/** What carries a request: the mutual-TLS transport, or anything with its shape (tests). */
export interface SoapPoster {
  post(url: string, soapAction: string, requestXml: string): Promise<SoapHttpAnswer>;
}

/** A SOAP fault from the service. */
export class SymantecFault extends Error {
  constructor(
    readonly faultcode: string,
    readonly faultstring: string,
    readonly errorcode: string | undefined,
    readonly detailMessage: string | undefined,
  ) {
    super(errorcode !== undefined ? `${detailMessage ?? faultstring} (${errorcode})` : faultstring);
    this.name = 'SymantecFault';
  }
}

export interface PoliciesResult {
  policies: SymantecPolicy[];
  cas: SymantecCa[];
}

export interface TokenRequest {
  profileOid: string;
  clientTransactionId?: string;
  tokenType?: TokenTypeName;
  requestType: RequestTypeName;
  /** PKCS#10 DER. */
  csr?: Uint8Array;
  pendingTokenReferenceId?: string;
  nameValuePairs?: ReadonlyArray<{ name: string; value: string }>;
}

export interface TokenResponse {
  clientTransactionId?: string;
  serverTransactionId?: string;
  tokenType?: string;
  dispositionMessage?: string;
  /** The issued token (certificate, certs-only PKCS#7, or PKCS#12), base64-decoded. */
  token?: Uint8Array;
  pkcs12Password?: string;
  pendingTokenReferenceId?: string;
}

export interface StatusUpdate {
  serialNumber?: string;
  seatId?: string;
  operationType: OperationType;
  revocationReason?: RevocationReasonName;
  comment?: string;
  clientTransactionId?: string;
}

export interface StatusUpdateResult {
  successCode: number;
  successMsg: string;
  revocationCount: number;
}

export interface CertificateSearch {
  seatId?: string;
  profileOid?: string;
  commonName?: string;
  status?: CertificateStatus;
  emailAddress?: string;
  serialNumber?: string;
}

export interface CertificateInformation {
  certificate?: Uint8Array;
  seatId?: string;
  commonName?: string;
  profileOid?: string;
  emailAddress?: string;
  status?: string;
  serialNumber?: string;
  validFrom?: Date;
  validTo?: Date;
  revokeAt?: Date;
  revokeReason?: string;
}

export interface HealthStatus {
  statusCode: string;
  statusMessage?: string;
}

export class SymantecMpkiClient {
  /** https://<server> */
  readonly origin: string;
  private sequence = 0;
  private readonly instance = randomBytes(6).toString('hex');

  constructor(
    server: string,
    private readonly transport: SoapPoster,
  ) {
    this.origin = `https://${server}`;
  }

  url(service: SymantecService): string {
    return `${this.origin}${servicePath(service)}`;
  }

  /** A clientTransactionID: at most 40 characters (§A.3), unique per request. */
  transactionId(): string {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return `mdmca-${this.instance}-${this.sequence}`.slice(0, 40);
  }

  /** Sends `operationXml` (the body's child) to a service; the parsed answer's body child. */
  async call(service: SymantecService, operation: string, operationXml: string, extraNamespaces = ''): Promise<XmlElement> {
    const envelope =
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP11_ENVELOPE_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"${extraNamespaces}>` +
      `<soapenv:Body>${operationXml}</soapenv:Body></soapenv:Envelope>`;
    const url = this.url(service);
    const answer = await this.transport.post(url, soapAction(service, operation), envelope);
    if (answer.status === 404) throw new ConnectorError('unreachable', texts.noEndpointListening(url).text, { assumption: true, detail: 'HTTP 404' });
    let body: XmlElement;
    try {
      body = parseSoapEnvelope(answer.body).operation;
    } catch (error) {
      const detail = error instanceof SoapFault ? error.faultstring : String(error);
      if (answer.status >= 400) {
        const t = texts.remoteServerError(answer.status, '');
        throw new ConnectorError('http-error', t.text, { assumption: true, detail });
      }
      throw new ConnectorError('bad-response', texts.unexpectedAnswer(`HTTP ${answer.status}: ${detail}`).text, { assumption: true, detail });
    }
    if (body.name === 'Fault') {
      const detail = find(body, 'detail');
      throw new SymantecFault(childText(body, 'faultcode') ?? '', childText(body, 'faultstring') ?? 'SOAP Fault', find(detail, 'errorcode')?.text, find(detail, 'message')?.text);
    }
    return body;
  }

  private open(service: SymantecService, element: string): string {
    return `<${element} xmlns="${SERVICES[service].namespace}">`;
  }

  async getPolicies(oids: readonly string[] = []): Promise<PoliciesResult> {
    const xml =
      this.open('policy', 'getPolicies') +
      el('version', '2.0') +
      el('clientTransactionID', this.transactionId()) +
      (oids.length ? el('requestFilter', [el('policyIDs', oids.map((o) => el('oid', o)))]) : '') +
      `</getPolicies>`;
    const answer = await this.call('policy', 'requestPolicies', xml);
    const oidTable = new Map<string, { value: string; name?: string }>();
    for (const oid of children(find(answer, 'oIDs'), 'oID')) {
      const id = childText(oid, 'oIDReferenceID');
      const value = childText(oid, 'value');
      const name = childText(oid, 'defaultName');
      if (id !== undefined && value) oidTable.set(id, { value, ...(name ? { name } : {}) });
    }
    const policies = children(find(answer, 'policies'), 'policy')
      .map((p) => readPolicy(p, oidTable))
      .filter((p): p is SymantecPolicy => p !== undefined);
    const cas = children(find(answer, 'cAs'), 'cA').map((ca): SymantecCa => {
      const certificate = b64(childText(ca, 'certificate'));
      const root = b64(childText(ca, 'rootCACertificate'));
      const name = childText(ca, 'cAIssuerName');
      return {
        intermediates: children(ca, 'intermediateCACertificates').map((c) => b64(c.text)).filter((c): c is Uint8Array => c !== undefined),
        ...(certificate ? { certificate } : {}),
        ...(root ? { root } : {}),
        ...(name ? { name } : {}),
      };
    });
    return { policies, cas };
  }

  async requestSecurityToken(request: TokenRequest): Promise<TokenResponse> {
    const ns = SERVICES.enrollment.namespace;
    const token = request.csr
      ? `<binarySecurityToken ValueType="${VALUE_TYPES.PKCS10}" EncodingType="${escapeXml(BASE64_ENCODING_TYPE)}">${Buffer.from(request.csr).toString('base64')}</binarySecurityToken>`
      : '';
    // Schema order (VS_WSTEP.xsd): certificateProfileID, clientTransactionID, tokenType, requestType,
    // binarySecurityToken*, additionalContext?, pendingTokenReferenceID?, nameValuePair*, version.
    const xml =
      `<wst:RequestSecurityToken xmlns:wst="${WS_TRUST_NS}"><requestVSSecurityToken xmlns="${ns}">` +
      el('certificateProfileID', request.profileOid) +
      el('clientTransactionID', request.clientTransactionId ?? this.transactionId()) +
      el('tokenType', request.tokenType ? TOKEN_TYPES[request.tokenType] : undefined) +
      el('requestType', REQUEST_TYPES[request.requestType]) +
      token +
      el('pendingTokenReferenceID', request.pendingTokenReferenceId) +
      (request.nameValuePairs ?? []).map((p) => el('nameValuePair', [el('name', p.name), el('value', p.value)])).join('') +
      el('version', '2.0') +
      `</requestVSSecurityToken></wst:RequestSecurityToken>`;
    const answer = await this.call('enrollment', 'requestSecurityToken', xml);
    const response = answer.name === 'RequestVSSecurityTokenResponse' ? answer : find(answer, 'RequestVSSecurityTokenResponse');
    if (!response) throw new ConnectorError('bad-response', texts.unexpectedAnswer(`${answer.name} has no RequestVSSecurityTokenResponse`).text, { assumption: true });
    const requested = response.children.find((c) => c.name === 'requestedVSSecurityToken');
    const tokenText = childText(requested, 'binarySecurityToken') ?? childText(response, 'binarySecurityToken');
    const result: TokenResponse = {};
    const set = <K extends keyof TokenResponse>(key: K, value: TokenResponse[K] | undefined) => {
      if (value !== undefined && value !== '') result[key] = value;
    };
    set('clientTransactionId', childText(response, 'clientTransactionID'));
    set('serverTransactionId', childText(response, 'serverTransactionID'));
    set('tokenType', childText(response, 'tokenType'));
    set('dispositionMessage', childText(response, 'dispositionMessage'));
    set('token', b64(tokenText));
    set('pkcs12Password', childText(requested, 'pKCS12Password') ?? childText(response, 'pKCS12Password'));
    set('pendingTokenReferenceId', childText(requested, 'pendingTokenReferenceID') ?? childText(response, 'pendingTokenReferenceID'));
    return result;
  }

  async updateCertificateStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    const xml =
      this.open('management', 'updateCertificateStatusRequest') +
      el('clientTransactionID', update.clientTransactionId ?? this.transactionId()) +
      el('version', '1.0') +
      el('revocationReason', update.revocationReason) +
      el('comment', update.comment) +
      el('certificateSerialNumber', update.serialNumber) +
      el('seatId', update.serialNumber === undefined ? update.seatId : undefined) +
      el('operationType', update.operationType) +
      `</updateCertificateStatusRequest>`;
    const answer = await this.call('management', 'updateCertificateStatus', xml);
    return {
      successCode: num(find(answer, 'successCode')?.text) ?? -1,
      successMsg: find(answer, 'successMsg')?.text ?? '',
      revocationCount: num(find(answer, 'revocationCount')?.text) ?? 0,
    };
  }

  /** Every matching certificate: follows moreCertificateAvailable, advancing startIndex by what each page returned. */
  async searchCertificate(filter: CertificateSearch, maxPages = 100): Promise<CertificateInformation[]> {
    const all: CertificateInformation[] = [];
    let startIndex = 0;
    for (let page = 0; page < maxPages; page++) {
      const xml =
        this.open('management', 'searchCertificateRequest') +
        el('clientTransactionID', this.transactionId()) +
        el('seatId', filter.seatId) +
        el('profileOID', filter.profileOid) +
        el('commonName', filter.commonName) +
        el('status', filter.status) +
        el('emailAddress', filter.emailAddress) +
        el('serialNumber', filter.serialNumber) +
        (startIndex > 0 ? el('startIndex', startIndex) : '') +
        el('version', '1.0') +
        `</searchCertificateRequest>`;
      const answer = await this.call('management', 'searchCertificate', xml);
      const items = children(find(answer, 'certificateList'), 'certificateInformation').map(readCertificateInformation);
      all.push(...items);
      const more = truthy(find(answer, 'moreCertificateAvailable')?.text);
      if (!more || items.length === 0) break;
      startIndex += items.length;
    }
    return all;
  }

  async getStatus(profileOid?: string): Promise<HealthStatus> {
    const xml =
      this.open('healthcheck', 'getStatusRequestMessage') +
      el('version', '1.0') +
      el('clientTransactionID', this.transactionId()) +
      el('operationType', 'ENROLL') +
      el('profileOid', profileOid) +
      `</getStatusRequestMessage>`;
    const answer = await this.call('healthcheck', 'getStatus', xml);
    const message = find(answer, 'statusMessage')?.text;
    return { statusCode: find(answer, 'statusCode')?.text ?? '', ...(message ? { statusMessage: message } : {}) };
  }
}

function readCertificateInformation(item: XmlElement): CertificateInformation {
  const out: CertificateInformation = {};
  const text = (name: string) => childText(item, name) || undefined;
  const certificate = b64(text('certificate'));
  if (certificate) out.certificate = certificate;
  for (const [key, name] of [
    ['seatId', 'seatId'],
    ['commonName', 'commonName'],
    ['profileOid', 'profileOID'],
    ['emailAddress', 'emailAddress'],
    ['status', 'status'],
    ['serialNumber', 'serialNumber'],
    ['revokeReason', 'revokeReason'],
  ] as const) {
    const value = text(name);
    if (value !== undefined) out[key] = value;
  }
  for (const [key, name] of [
    ['validFrom', 'validFrom'],
    ['validTo', 'validTo'],
    ['revokeAt', 'revokeAt'],
  ] as const) {
    const value = epoch(text(name));
    if (value) out[key] = value;
  }
  return out;
}
