/**
 * The SCEP connector: any RFC 8894 server as the engine's CA, through core/scep's ScepClient.
 *
 * - enroll({serverGeneratedKey}): the connector makes the key and a CSR carrying the CA's challenge (SCEP has no
 *   server-side key generation; the MDM's "cache locally generated keys" is this).
 * - enroll({csr}): a CSR made elsewhere — the engine's SCEP proxy forwards the device's. Its challengePassword is
 *   the MDM's one-time challenge, not the CA's, so with proxyAuthentication 'ca-certificate' the PKCSReq is signed
 *   by a certificate the connector enrolled once from the same CA (RFC 8894 §2.3 lets a requester authenticate
 *   with an existing certificate of the CA; the SCEP CA simulator accepts it, NDES and micromdm do not).
 * - revoke: SCEP has none; only when the CA offers a revocationUrl (ASSUMPTION, settings.ts).
 * - status: by the revocationUrl, else GetCRL.
 * - testConnection: GetCACaps and GetCACert, failures worded as Workspace ONE words them (texts.ts).
 */
import type { KeyObject } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { type Clock, systemClock } from '../clock.js';
import { selfSignedCertificate } from '../pki/ca.js';
import { parseCertificate } from '../pki/certificate.js';
import { parseCrl, type RevocationReason } from '../pki/crl.js';
import { buildCsr, parseCsr } from '../pki/csr.js';
import { generateKeyPair, type KeySpec } from '../pki/keys.js';
import { serialContentFromHex } from '../pki/serial.js';
import { ScepClient, ScepClientError, type FetchLike } from '../scep/client.js';
import { failInfoName, PkiStatus } from '../scep/constants.js';
import type { SignerIdentity } from '../scep/signed-data.js';
import type { ScepCaSettings } from './settings.js';
import * as texts from './texts.js';
import {
  type CaConnector,
  type CertificateState,
  type ConnectionTest,
  ConnectorError,
  type DirectEnrollment,
  type EnrollmentRequest,
  type IssuedCredential,
} from './types.js';

export interface ConnectorContext {
  clock?: Clock;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Makes the keys the connector needs (a pool in fleets); default generateKeyPair. */
  keyFactory?: (spec: KeySpec) => Promise<KeyObject>;
  /** PEM certificates trusted for TLS servers of connectors that use node:https (Symantec); default Node's roots. */
  trustedCertificates?: string[];
}

/** ASSUMPTION: the subject of the certificate the connector enrols for itself to authenticate forwarded CSRs. */
export const PROXY_SIGNER_SUBJECT = 'CN=mdmca MDM SCEP proxy,O=mdmca';
/** Renew the proxy signer certificate when it has less than this left. */
const SIGNER_RENEW_MS = 86_400_000;

export class ScepConnector implements CaConnector {
  readonly type = 'scep';
  readonly capabilities;
  private readonly clock: Clock;
  private readonly fetchImpl: FetchLike;
  private readonly keyFactory: (spec: KeySpec) => Promise<KeyObject>;
  private client: ScepClient;
  private transient: Promise<SignerIdentity> | undefined;
  private caSigned: Promise<SignerIdentity & { notAfter: Date }> | undefined;

  constructor(
    readonly settings: ScepCaSettings,
    context: ConnectorContext = {},
  ) {
    this.clock = context.clock ?? systemClock;
    this.fetchImpl = context.fetch ?? ((input, init) => fetch(input, init));
    this.keyFactory = context.keyFactory ?? (async (spec) => (await generateKeyPair(spec)).privateKey);
    this.capabilities = { csr: true, serverGeneratedKey: true, revoke: settings.revocationUrl !== undefined, status: true, directScep: true };
    this.client = this.newClient();
  }

  private newClient(): ScepClient {
    return new ScepClient({
      url: this.settings.url,
      fetch: this.fetchImpl,
      clock: this.clock,
      allowLegacyCiphers: this.settings.allowLegacyCiphers,
      timeoutMs: this.settings.timeoutMs,
      ...(this.settings.caIdentifier !== undefined ? { caIdentifier: this.settings.caIdentifier } : {}),
    });
  }

  async testConnection(): Promise<ConnectionTest> {
    // A fresh client: Test Connection must not answer from a cache.
    const client = this.newClient();
    try {
      const caps = await client.getCaCapsResponse();
      if (caps.status !== 200) throw new ScepClientError('http-status', `GetCACaps answered HTTP ${caps.status}`, { status: caps.status });
      const ca = await client.getCaCert();
      const issuing = parseCertificate(ca.issuingCa);
      return {
        ok: true,
        message: texts.CONNECTION_SUCCESSFUL.text,
        details: {
          ca: issuing.subject.toString(),
          caps: [...caps.caps.advertised].join(' '),
          ra: ca.raCertificates.length ? parseCertificate(ca.raCertificates[0]!).subject.toString() : '',
          form: ca.form,
        },
      };
    } catch (error) {
      const failure = this.describe(error);
      return {
        ok: false,
        code: failure.code,
        message: failure.message,
        ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
        ...(failure.fix !== undefined ? { fix: failure.fix } : {}),
        assumption: failure.assumption,
      };
    }
  }

  async caCertificates(): Promise<Uint8Array[]> {
    try {
      const ca = await this.client.caCertificates();
      const rest = ca.caCertificates.filter((der) => der !== ca.issuingCa && Buffer.compare(der, ca.issuingCa) !== 0);
      return [ca.issuingCa, ...rest];
    } catch (error) {
      throw this.describe(error);
    }
  }

  directEnrollment(): DirectEnrollment {
    return {
      url: this.settings.url,
      ...(this.settings.challenge !== undefined ? { challenge: this.settings.challenge } : {}),
      ...(this.settings.caIdentifier !== undefined ? { caIdentifier: this.settings.caIdentifier } : {}),
    };
  }

  async enroll(request: EnrollmentRequest): Promise<IssuedCredential> {
    try {
      if ('serverGeneratedKey' in request.key) return await this.enrollNewKey(request, request.key.serverGeneratedKey.keySpec);
      const csr = request.key.csr;
      const carriesCaChallenge = this.settings.challenge !== undefined && parseCsr(csr).challengePassword === this.settings.challenge;
      const signer = carriesCaChallenge || this.settings.proxyAuthentication === 'challenge' ? await this.transientSigner() : await this.caSignedSigner();
      return await this.send(csr, signer);
    } catch (error) {
      throw this.describe(error);
    }
  }

  async revoke(serialHex: string, reason: RevocationReason = 'unspecified'): Promise<void> {
    const url = this.settings.revocationUrl;
    if (!url) {
      throw new ConnectorError('unsupported', 'Revocation is not supported: SCEP (RFC 8894) has no revocation operation', {
        detail: `the SCEP CA at ${this.settings.url} offers no revocation endpoint`,
        fix: "revoke the certificate at the CA itself, or give the CA configuration a revocationUrl when the CA has one",
      });
    }
    let response: Response;
    try {
      response = await this.fetchImpl(`${url.replace(/\/+$/, '')}/${encodeURIComponent(serialHex)}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason }),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      throw this.describe(new ScepClientError('network', `cannot reach ${url}: ${(error as Error).message}`, { cause: error }), url);
    }
    if (response.ok) return void (await response.body?.cancel());
    const text = await response.text().catch(() => '');
    const message = errorMessageOf(text) ?? `HTTP ${response.status}`;
    if (response.status === 404) throw new ConnectorError('rejected', `The CA does not know certificate ${serialHex}: ${message}`);
    if (response.status === 409) throw new ConnectorError('rejected', `The CA refused to revoke certificate ${serialHex}: ${message}`);
    throw this.describe(new ScepClientError('http-status', message, { status: response.status }), url);
  }

  async status(serialHex: string): Promise<CertificateState> {
    const url = this.settings.revocationUrl;
    try {
      if (url) {
        const response = await this.fetchImpl(`${url.replace(/\/+$/, '')}/${encodeURIComponent(serialHex)}`, {
          method: 'GET',
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
        if (response.status === 404) return { status: 'unknown' };
        if (!response.ok) throw new ScepClientError('http-status', `HTTP ${response.status}`, { status: response.status });
        const record = (await response.json()) as { status?: string; revokedAt?: string; reason?: string };
        if (record.status === 'revoked' || record.status === 'hold') {
          return { status: 'revoked', ...(record.revokedAt ? { revokedAt: new Date(record.revokedAt) } : {}), ...(record.reason ? { reason: record.reason } : {}) };
        }
        return { status: record.status === 'valid' ? 'valid' : 'unknown' };
      }
      const ca = await this.client.caCertificates();
      const issuer = parseCertificate(ca.issuingCa).subjectDer;
      const result = await this.client.getCrl({ issuer, serialNumber: serialContentFromHex(serialHex) }, { signer: await this.transientSigner() });
      if (!result.crl) {
        throw new ConnectorError('unsupported', `The CA answered GetCRL with ${result.reply.failInfoText ?? pkiStatusText(result.reply.status)}`);
      }
      const entry = parseCrl(result.crl).entries.find((e) => e.serialHex === serialHex.toLowerCase());
      return entry ? { status: 'revoked', revokedAt: entry.revocationDate, ...(entry.reason ? { reason: entry.reason } : {}) } : { status: 'valid' };
    } catch (error) {
      throw this.describe(error, url);
    }
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private async enrollNewKey(request: EnrollmentRequest, keySpec: KeySpec): Promise<IssuedCredential> {
    const privateKey = await this.keyFactory(keySpec);
    const csr = await buildCsr({
      subject: request.subject,
      privateKey,
      ...(this.settings.challenge !== undefined ? { challengePassword: this.settings.challenge } : {}),
      ...(request.subjectAltNames?.length ? { subjectAltNames: [...request.subjectAltNames] } : {}),
    });
    const signer = { certificate: (await selfSignedCertificate({ subject: request.subject, privateKey, clock: this.clock, validityDays: 30 })).der, privateKey };
    return { ...(await this.send(csr, signer)), privateKey };
  }

  private async send(csr: Uint8Array, signer: SignerIdentity): Promise<IssuedCredential> {
    const result = await this.client.enroll({ csr, signer, ...(this.settings.poll.maxAttempts > 0 ? { poll: this.settings.poll } : {}) });
    if (result.status === PkiStatus.PENDING) {
      throw new ConnectorError('pending', 'The certificate request is pending approval at the CA', {
        detail: `SCEP transaction ${result.transactionId} is PENDING`,
      });
    }
    if (result.status !== PkiStatus.SUCCESS || !result.certificate) {
      const reason = result.failInfoText ?? (result.failInfo !== undefined ? failInfoName(result.failInfo) : 'no certificate in the answer');
      throw new ConnectorError('rejected', `The CA rejected the certificate request: ${reason}`, {
        detail: `SCEP FAILURE${result.failInfo !== undefined ? ` ${failInfoName(result.failInfo)}` : ''}: ${reason}`,
      });
    }
    const certificate = parseCertificate(result.certificate);
    const chain = result.chain.length ? result.chain : await this.caCertificates();
    return {
      certificate: certificate.der,
      chain,
      serialHex: certificate.serialHex,
      subject: certificate.subject.toString(),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
    };
  }

  /** A self-signed signer for requests whose CSR carries the CA's challenge (RFC 8894 §2.3). */
  private transientSigner(): Promise<SignerIdentity> {
    this.transient ??= (async () => {
      const privateKey = await this.keyFactory({ type: 'rsa', bits: 2048 });
      const issued = await selfSignedCertificate({ subject: PROXY_SIGNER_SUBJECT, privateKey, clock: this.clock, validityDays: 3650 });
      return { certificate: issued.der, privateKey };
    })().catch((error: unknown) => {
      this.transient = undefined;
      throw error;
    });
    return this.transient;
  }

  /** The certificate the connector holds from the CA, enrolled with the CA's challenge and renewed before it expires. */
  private async caSignedSigner(): Promise<SignerIdentity> {
    const current = this.caSigned ? await this.caSigned.catch(() => undefined) : undefined;
    if (current && current.notAfter.getTime() - this.clock.now().getTime() > SIGNER_RENEW_MS) return current;
    this.caSigned = (async () => {
      const issued = await this.enrollNewKey({ key: { serverGeneratedKey: { keySpec: { type: 'rsa', bits: 2048 } } }, subject: PROXY_SIGNER_SUBJECT, profile: { certificateType: 'device' } }, { type: 'rsa', bits: 2048 });
      return { certificate: issued.certificate, privateKey: issued.privateKey!, notAfter: issued.notAfter };
    })();
    this.caSigned.catch(() => (this.caSigned = undefined));
    return this.caSigned;
  }

  /** A ConnectorError with the product's wording for whatever went wrong. */
  private describe(error: unknown, url: string = this.settings.url): ConnectorError {
    if (error instanceof ConnectorError) return error;
    if (error instanceof ScepClientError) {
      const detail = error.message;
      switch (error.code) {
        case 'network':
          return fromText('unreachable', texts.noEndpointListening(url), detail, texts.CHECK_SERVER_URL_FIX, error);
        case 'http-status':
          if (error.status === 404) return fromText('unreachable', texts.noEndpointListening(url), detail, texts.CHECK_SERVER_URL_FIX, error);
          return fromText('http-error', texts.remoteServerError(error.status ?? 0, STATUS_CODES[error.status ?? 0] ?? ''), detail, texts.CHECK_SERVER_URL_FIX, error);
        case 'timeout':
          return fromText('timeout', texts.operationTimedOut(), detail, undefined, error);
        case 'legacy-cipher':
          return new ConnectorError('configuration', `The CA answers with a legacy cipher: ${detail}`, {
            fix: 'set allowLegacyCiphers in the CA configuration if this CA cannot use AES',
            cause: error,
          });
        default:
          return fromText('bad-response', texts.unexpectedAnswer(detail), detail, texts.CHECK_SERVER_URL_FIX, error);
      }
    }
    const message = error instanceof Error ? error.message : String(error);
    return new ConnectorError('bad-response', `The certificate request could not be completed: ${message}`, { cause: error });
  }
}

function fromText(code: ConnectorError['code'], text: texts.ProductMessage, detail: string, fix: string | undefined, cause: unknown): ConnectorError {
  return new ConnectorError(code, text.text, { detail, ...(fix !== undefined ? { fix } : {}), assumption: text.assumption, cause });
}

function pkiStatusText(status: PkiStatus): string {
  return status === PkiStatus.PENDING ? 'PENDING' : status === PkiStatus.FAILURE ? 'FAILURE' : 'no CRL';
}

/** The message of an mdmca JSON error body, if it is one. */
function errorMessageOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : undefined;
  } catch {
    return text ? text.slice(0, 200) : undefined;
  }
}
