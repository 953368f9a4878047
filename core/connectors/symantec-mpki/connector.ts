/**
 * MobileIron VSP's SCEP setting of type "Symantec Web Services Managed PKI" (guide 000, Table 2-1) as a CaConnector:
 *   Server       a host name (optionally :port) only; "https://" or a path is the guide's documented mistake and is
 *                refused with the guide's own words; the services are https://<server>/pki-ws/<service>.
 *   Certificate  the RA .p12 and its password: the mutual-TLS identity (transport.ts).
 *   Mobile Profiles  by OID from the policy service: caParams.profileOid.
 *   Required / Optional Fields  the configuration's substituted fields: seatId goes out under the profile's seat ID
 *                attribute, the others under their own names; an optional field without a value is left out, a
 *                required one without a value stops the request before anything is sent.
 * Enrolment: a CSR (tokenType X509v3, or PKCS7 with caParams.tokenType), or a key the MDM makes itself ("cache
 * locally generated keys on the VSP"), or, with caParams.tokenType PKCS12, a key the CA makes (key-escrow profiles,
 * §A.8 #15). Revocation by serial with updateCertificateStatus; status by searchCertificate.
 *
 * Reserved params (never sent as fields): profileOid, tokenType. Every other param is a field by its name; the
 * configuration's request fields (profile.fields) come on top and win over a param of the same name.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { parseCertificate } from '../../pki/certificate.js';
import type { RevocationReason } from '../../pki/crl.js';
import { buildCsr } from '../../pki/csr.js';
import { generateKeyPair, type KeySpec } from '../../pki/keys.js';
import { parsePkcs12 } from '../../pki/pkcs12.js';
import { parseCertsOnly } from '../../scep/certs-only.js';
import type { ConnectorContext } from '../scep.js';
import type { SymantecCaSettings } from '../settings.js';
import * as texts from '../texts.js';
import { type CaConnector, type CertificateState, type ConnectionTest, ConnectorError, type EnrollmentRequest, type IssuedCredential } from '../types.js';
import { SymantecFault, SymantecMpkiClient, type SoapPoster, type SymantecPolicy, type TokenResponse } from './client.js';
import { type SymantecExchange, SymantecTransport } from './transport.js';
import { revocationOperation, type TokenTypeName } from './wire.js';

export const RESERVED_PARAMS = ['profileOid', 'tokenType'] as const;
/** The configuration's field that carries the seat ID (doctor's rule symantec-seat-id names it too). */
export const SEAT_ID_FIELD = 'seatId';
/** ASSUMPTION: the seat attribute when the profile does not say (the name the known clients send, §A.3). */
export const DEFAULT_SEAT_ATTRIBUTE = 'seat_id';

const SERVER_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::\d{1,5})?$/;

/** The guide's rule for Server: a host name, optionally with a port; the guide's text otherwise. */
export function checkServer(server: string): string {
  const value = server.trim();
  if (!SERVER_PATTERN.test(value)) {
    const why = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? 'it starts with a scheme' : value.includes('/') ? 'it has a path' : 'it is not a host name';
    throw new ConnectorError('configuration', texts.SYMANTEC_SERVER_HOST_ONLY, {
      detail: `Server "${server}": ${why}`,
      fix: `Enter the host name only, e.g. ${value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] || 'pki-ws.symauth.com'} (default pki-ws.symauth.com; guide 000, Table 2-1).`,
    });
  }
  return value;
}

/** A pending request: the connector can poll it with `poll(referenceId, profileOid)`. */
export class SymantecPendingError extends ConnectorError {
  constructor(
    readonly referenceId: string,
    readonly profileOid: string,
    readonly request: EnrollmentRequest,
  ) {
    const t = texts.symantecPending(referenceId);
    super('pending', t.text, { assumption: t.assumption, detail: `pendingTokenReferenceID ${referenceId}`, fix: 'Approve the request in Symantec PKI Manager; the MDM asks again with QueryTokenStatus.' });
  }
}

export interface SymantecConnectorOptions {
  /** Records every SOAP exchange (suites put them in their reports). */
  onExchange?: (exchange: SymantecExchange) => void;
  /** Replaces the mutual-TLS transport (tests with hand-written envelopes). */
  poster?: SoapPoster;
  timeoutMs?: number;
}

/** The RA .p12: a file path or base64 (settings.ts). */
export function readRaCertificate(value: string): Uint8Array {
  if (existsSync(value)) return new Uint8Array(readFileSync(value));
  const trimmed = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    const t = texts.symantecRaUnreadable();
    throw new ConnectorError('configuration', t.text, { assumption: t.assumption, detail: 'the Certificate is neither a readable file nor base64' });
  }
  return new Uint8Array(Buffer.from(trimmed, 'base64'));
}

function toConnectorError(error: unknown): unknown {
  if (!(error instanceof SymantecFault)) return error;
  // ASSUMPTION: VSP shows the fault as the known client formats it, "<message> (<errorcode>)" (§A.7). A valid RA
  // the service does not accept (not registered, revoked, not entitled to the profile) answers a "not authorized"
  // fault (§A.2 [I]): an authentication failure, with the RA fix.
  if (/not authori[sz]ed/i.test(error.message)) {
    return new ConnectorError('authentication', error.message, {
      assumption: true,
      detail: `${error.faultcode}: ${error.faultstring}`,
      fix: 'Use an RA certificate registered to your Symantec account and entitled to the Mobile Profile (Symantec PKI Manager; guide 000, Table 2-1, Certificate).',
      cause: error,
    });
  }
  return new ConnectorError('rejected', error.message, { assumption: true, detail: `${error.faultcode}: ${error.faultstring}`, cause: error });
}

const normalSerial = (serial: string) => serial.replace(/[:\s]/g, '').toLowerCase().replace(/^0+(?=.)/, '');

export class SymantecMpkiConnector implements CaConnector {
  readonly type = 'symantec-mpki';
  readonly capabilities = { csr: true, serverGeneratedKey: true, revoke: true, status: true, directScep: false };
  private readonly clock: Clock;
  private readonly keyFactory: (spec: KeySpec) => Promise<KeyObject>;
  private clientInstance: SymantecMpkiClient | undefined;
  private transport: SymantecTransport | undefined;
  private policyCache: { at: number; policies: SymantecPolicy[]; chain: Uint8Array[] } | undefined;
  private chain: Uint8Array[] = [];

  constructor(
    readonly settings: SymantecCaSettings,
    private readonly context: ConnectorContext = {},
    private readonly options: SymantecConnectorOptions = {},
  ) {
    this.clock = context.clock ?? systemClock;
    this.keyFactory = context.keyFactory ?? (async (spec) => (await generateKeyPair(spec)).privateKey);
  }

  /** The client, made on first use so a bad Server or .p12 surfaces as the console shows it, at the call. */
  client(): SymantecMpkiClient {
    if (this.clientInstance) return this.clientInstance;
    const server = checkServer(this.settings.server);
    let poster = this.options.poster;
    if (!poster) {
      this.transport = new SymantecTransport({
        pfx: readRaCertificate(this.settings.raCertificate),
        passphrase: this.settings.raCertificatePassword,
        clock: this.clock,
        ...(this.context.trustedCertificates ? { trustedCertificates: this.context.trustedCertificates } : {}),
        ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
        ...(this.options.onExchange ? { onExchange: this.options.onExchange } : {}),
      });
      poster = this.transport;
    }
    this.clientInstance = new SymantecMpkiClient(server, poster);
    return this.clientInstance;
  }

  close(): void {
    this.transport?.close();
  }

  /** The Mobile Profiles of the account (getPolicies), cached for a minute. */
  async profiles(refresh = false): Promise<SymantecPolicy[]> {
    const now = this.clock.now().getTime();
    if (!refresh && this.policyCache && now - this.policyCache.at < 60_000) return this.policyCache.policies;
    try {
      const result = await this.client().getPolicies();
      const chain: Uint8Array[] = [];
      for (const ca of result.cas) {
        if (ca.certificate) chain.push(ca.certificate);
        chain.push(...ca.intermediates);
        if (ca.root) chain.push(ca.root);
      }
      this.policyCache = { at: now, policies: result.policies, chain };
      if (chain.length) this.chain = chain;
      return result.policies;
    } catch (error) {
      throw toConnectorError(error);
    }
  }

  /** The Mobile Profiles dropdown: only the OIDs are listed (guide 000). */
  async profileOids(): Promise<string[]> {
    return (await this.profiles()).map((p) => p.oid);
  }

  async testConnection(): Promise<ConnectionTest> {
    try {
      const health = await this.client().getStatus();
      if (health.statusCode.toUpperCase() !== 'UP') {
        throw new ConnectorError('unreachable', `Connection Failed: the Symantec service reports ${health.statusCode || 'no status'}${health.statusMessage ? `: ${health.statusMessage}` : ''}`, { assumption: true });
      }
      const oids = await this.profileOids();
      return { ok: true, message: texts.CONNECTION_SUCCESSFUL.text, details: { status: health.statusCode, mobileProfiles: oids.join(', ') } };
    } catch (error) {
      const e = toConnectorError(error);
      const c = e instanceof ConnectorError ? e : new ConnectorError('bad-response', String((e as Error)?.message ?? e));
      return { ok: false, code: c.code, message: c.message, ...(c.detail ? { detail: c.detail } : {}), ...(c.fix ? { fix: c.fix } : {}), assumption: c.assumption };
    }
  }

  async caCertificates(): Promise<Uint8Array[]> {
    if (this.chain.length) return [...this.chain];
    try {
      await this.profiles();
    } catch {
      // No chain known yet: the first enrolment brings it (PKCS7 tokens) or the engine retries later.
    }
    return [...this.chain];
  }

  /** The nameValuePairs for a request: seat ID under the profile's attribute, required checked, empty optional left out. */
  fieldsFor(params: Readonly<Record<string, string>>, policy: SymantecPolicy | undefined): Array<{ name: string; value: string }> {
    const seatAttribute = policy?.seatIdAttribute ?? DEFAULT_SEAT_ATTRIBUTE;
    const values = new Map<string, string>();
    for (const [key, value] of Object.entries(params)) {
      if ((RESERVED_PARAMS as readonly string[]).includes(key)) continue;
      values.set(key === SEAT_ID_FIELD ? seatAttribute : key, value.trim());
    }
    const required = policy ? policy.requiredFields : [seatAttribute];
    for (const name of required) {
      if (!values.get(name)) {
        const field = name === seatAttribute ? `${SEAT_ID_FIELD} (${seatAttribute})` : name;
        const t = texts.symantecRequiredFieldEmpty(field);
        throw new ConnectorError('configuration', t.text, {
          assumption: t.assumption,
          detail: policy ? `Mobile Profile ${policy.oid} requires ${policy.requiredFields.join(', ')}` : 'the seat ID is mandatory',
          fix: 'The SeatID value in the SCEP settings must map to the value you created for the SeatID in the Symantec PKI Manager; map every Required Field to a variable that has a value (guide 000, Table 2-1).',
        });
      }
    }
    const known = policy ? new Set([...policy.requiredFields, ...policy.optionalFields]) : undefined;
    const pairs: Array<{ name: string; value: string }> = [];
    for (const [name, value] of values) {
      // Optional fields without a value are left out, not sent empty (guide 000: the tablet's phone number).
      if (!value) continue;
      if (known && !known.has(name)) continue;
      pairs.push({ name, value });
    }
    return pairs;
  }

  async enroll(request: EnrollmentRequest): Promise<IssuedCredential> {
    const params = request.profile.params ?? {};
    const profileOid = params.profileOid ?? '';
    if (!/^\d+(\.\d+)+$/.test(profileOid)) {
      throw new ConnectorError('configuration', 'Please select a Mobile Profile', {
        assumption: true,
        detail: profileOid ? `"${profileOid}" is not an OID` : 'caParams.profileOid is empty',
        fix: 'Select the MDM (Web Services Client) profile: only its object ID (OID) is listed (guide 000).',
      });
    }
    const tokenType = (params.tokenType ?? 'X509v3') as TokenTypeName;
    if (!['X509v3', 'PKCS7', 'PKCS12'].includes(tokenType)) throw new ConnectorError('configuration', `Unknown token type "${tokenType}"`, { assumption: true });
    // Fields are checked against the profile before anything is sent.
    const policy = (await this.profiles()).find((p) => p.oid === profileOid);
    const nameValuePairs = this.fieldsFor({ ...params, ...(request.profile.fields ?? {}) }, policy);
    let csr: Uint8Array | undefined;
    let privateKey: KeyObject | undefined;
    if ('csr' in request.key) {
      if (tokenType === 'PKCS12') throw new ConnectorError('configuration', 'A PKCS12 (key escrow) Mobile Profile cannot enrol a device-made key', { assumption: true });
      csr = request.key.csr;
    } else if (tokenType !== 'PKCS12') {
      // "Cache locally generated keys on the VSP": the MDM makes the key and keeps it.
      privateKey = await this.keyFactory(request.key.serverGeneratedKey.keySpec);
      csr = await buildCsr({ subject: request.subject, privateKey, ...(request.subjectAltNames?.length ? { subjectAltNames: [...request.subjectAltNames] } : {}) });
    }
    let response: TokenResponse;
    try {
      response = await this.client().requestSecurityToken({ profileOid, tokenType, requestType: 'Issue', ...(csr ? { csr } : {}), nameValuePairs });
    } catch (error) {
      throw toConnectorError(error);
    }
    return this.credentialOf(response, profileOid, request, privateKey);
  }

  /** Asks again for a pending request (requestType QueryTokenStatus). */
  async poll(pending: SymantecPendingError): Promise<IssuedCredential> {
    let response: TokenResponse;
    try {
      response = await this.client().requestSecurityToken({ profileOid: pending.profileOid, requestType: 'QueryTokenStatus', pendingTokenReferenceId: pending.referenceId });
    } catch (error) {
      throw toConnectorError(error);
    }
    return this.credentialOf(response, pending.profileOid, pending.request, undefined);
  }

  private credentialOf(response: TokenResponse, profileOid: string, request: EnrollmentRequest, privateKey: KeyObject | undefined): IssuedCredential {
    if (!response.token) {
      if (response.pendingTokenReferenceId) throw new SymantecPendingError(response.pendingTokenReferenceId, profileOid, request);
      throw new ConnectorError('bad-response', texts.unexpectedAnswer(`no binarySecurityToken${response.dispositionMessage ? `: ${response.dispositionMessage}` : ''}`).text, { assumption: true });
    }
    let certificate: Uint8Array;
    let chain: Uint8Array[] = [];
    let key = privateKey;
    try {
      if (response.pkcs12Password !== undefined || /PKCS12/.test(response.tokenType ?? '')) {
        const contents = parsePkcs12(response.token, response.pkcs12Password ?? '');
        certificate = contents.certificate;
        chain = [...contents.chain];
        key = contents.privateKey;
      } else if (response.token[0] === 0x30 && isCertsOnly(response.token)) {
        const certs = [...parseCertsOnly(response.token).certificates];
        // The end-entity certificate is the one that is not a CA (S7 does the same).
        const leafIndex = Math.max(0, certs.findIndex((der) => !parseCertificate(der).isCa));
        certificate = certs[leafIndex]!;
        chain = certs.filter((_, i) => i !== leafIndex);
      } else {
        certificate = response.token;
      }
    } catch (error) {
      throw new ConnectorError('bad-response', texts.unexpectedAnswer(`the token could not be read: ${(error as Error).message}`).text, { assumption: true, cause: error });
    }
    let parsed;
    try {
      parsed = parseCertificate(certificate);
    } catch (error) {
      throw new ConnectorError('bad-response', texts.unexpectedAnswer(`the token is not a certificate: ${(error as Error).message}`).text, { assumption: true, cause: error });
    }
    if (chain.length) this.chain = chain;
    return {
      certificate,
      chain: chain.length ? chain : [...this.chain],
      serialHex: parsed.serialHex,
      subject: parsed.subject.toString(),
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
      ...(key ? { privateKey: key } : {}),
    };
  }

  async revoke(serialHex: string, reason?: RevocationReason): Promise<void> {
    let result;
    try {
      // A hold is a Suspend (reversible), removeFromCRL a Resume: never a permanent Revoke.
      result = await this.client().updateCertificateStatus({ serialNumber: normalSerial(serialHex), ...revocationOperation(reason) });
    } catch (error) {
      throw toConnectorError(error);
    }
    // Negative successCode is a refusal (S1); the text is successMsg.
    if (result.successCode < 0) throw new ConnectorError('rejected', `${result.successMsg || 'Revocation failed'} (${result.successCode})`, { assumption: true });
  }

  async status(serialHex: string): Promise<CertificateState> {
    let found;
    try {
      found = await this.client().searchCertificate({ serialNumber: normalSerial(serialHex) });
    } catch (error) {
      throw toConnectorError(error);
    }
    // Only this serial's own record: another certificate's status is no answer (unknown instead).
    const item = found.find((c) => c.serialNumber !== undefined && normalSerial(c.serialNumber) === normalSerial(serialHex));
    switch (item?.status?.toUpperCase()) {
      case 'VALID':
        return { status: 'valid' };
      case 'REVOKED':
        return { status: 'revoked', ...(item.revokeAt ? { revokedAt: item.revokeAt } : {}), ...(item.revokeReason ? { reason: item.revokeReason } : {}) };
      case 'SUSPENDED':
        return { status: 'revoked', ...(item.revokeAt ? { revokedAt: item.revokeAt } : {}), reason: 'certificateHold' };
      default:
        return { status: 'unknown', ...(item?.status ? { reason: item.status.toLowerCase() } : {}) };
    }
  }
}

/** A PKCS#7 ContentInfo starts SEQUENCE { OID 1.2.840.113549.1.7.2 … }; a certificate starts SEQUENCE { SEQUENCE … }. */
function isCertsOnly(der: Uint8Array): boolean {
  const lengthBytes = der[1]! & 0x80 ? (der[1]! & 0x7f) + 1 : 1;
  return der[1 + lengthBytes] === 0x06;
}
