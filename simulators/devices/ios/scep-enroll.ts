/**
 * A SCEP payload enrolled the way iOS's profiled does it (anchors-scep-mdm.md §4, §6), with core/scep's client
 * as the protocol engine:
 *   1. GetCACaps as GET with an empty `message=`; iOS 10+ refuses a CA offering no SHA-1, SHA-256 or SHA-512
 *      ("The Certification Authority does not have the required capability", micromdm/scep#23).
 *   2. GetCACert with `message=<Name>` (empty when the payload has no Name); CAFingerprint, when given, must
 *      match one of the returned certificates.
 *   3. A new RSA key of Keysize, a CSR with Subject, SubjectAltName, the Challenge and the Key Usage bits.
 *   4. PKCSReq (also for renewal: iOS renews by enrolling again with the challenge, not by RenewalReq),
 *      signed with a self-signed certificate, transactionID = hex SHA-1 of the public key (the Apple style).
 *      POST when POSTPKIOperation is offered; AES-128 when AES is offered, else 3DES when DES3 is, else single
 *      DES; SHA-256 when offered, else SHA-1, else SHA-512.
 *   5. PENDING: CertPoll up to Retries times, the first at once, then RetryDelay seconds apart.
 * iOS enrols against servers that answer with 3DES or single DES (micromdm's scepserver does), so legacy
 * ciphers are accepted in both directions; the result says when one was used so a report can flag it.
 */
import { deviceCipher, deviceScepResult, type DeviceScepResult } from '../scep-result.js';
import type { KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { Clock } from '../../../core/clock.js';
import { systemClock } from '../../../core/clock.js';
import type { HashName } from '../../../core/pki/algorithms.js';
import { buildCsr } from '../../../core/pki/csr.js';
import { publicKeyOf } from '../../../core/pki/keys.js';
import { type CaCaps, hasCap, parseCaps } from '../../../core/scep/caps.js';
import type { ContentCipherName } from '../../../core/scep/ciphers.js';
import { type EnrollResult, ScepClient, ScepClientError, type ScepExchange } from '../../../core/scep/client.js';
import { failInfoName, PkiStatus } from '../../../core/scep/constants.js';
import { transactionIdFor } from '../../../core/scep/transaction-id.js';
import { type FetchLike, globalFetch, withUserAgent } from '../fetch.js';
import { freshKeys, type KeySource } from '../key-pool.js';
import { IosProfileError } from './errors.js';
import { type ScepPayloadSettings, subjectName } from './scep-payload.js';

/** ASSUMPTION: the build numbers; the shape is what iOS sends (anchors-scep-mdm.md §4). */
export const IOS_USER_AGENT = 'profiled/1.0 CFNetwork/1498.700.2 Darwin/23.6.0';

export interface IosScepOptions {
  fetch?: FetchLike;
  keys?: KeySource;
  clock?: Clock;
  /** Waits between CertPolls; injectable so tests do not wait RetryDelay seconds. */
  sleep?: (ms: number) => Promise<void>;
  onExchange?: (exchange: ScepExchange) => void;
  timeoutMs?: number;
  /** How reports name the device in exchanges. */
  deviceName?: string;
}

export interface IosScepResult extends DeviceScepResult {
  caCertificates: Uint8Array[];
  caps: string[];
}

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** iOS's choice of content cipher from the caps. */
export const iosCipher = deviceCipher;

/** iOS's digest: SHA-256 when offered, else SHA-1, else SHA-512; undefined when none (iOS refuses). */
export function iosDigest(caps: CaCaps): HashName | undefined {
  if (hasCap(caps, 'SHA-256')) return 'sha256';
  if (hasCap(caps, 'SHA-1')) return 'sha1';
  if (hasCap(caps, 'SHA-512')) return 'sha512';
  return undefined;
}

export async function enrollScepPayload(settings: ScepPayloadSettings, payload: string, options: IosScepOptions = {}): Promise<IosScepResult> {
  const started = performance.now();
  const client = new ScepClient({
    url: settings.url,
    fetch: withUserAgent(options.fetch ?? globalFetch, IOS_USER_AGENT),
    caIdentifier: settings.name ?? '',
    allowLegacyCiphers: true,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? sleeper,
    timeoutMs: options.timeoutMs ?? 60_000,
    parties: { from: options.deviceName ?? 'iOS device', to: hostOf(settings.url) },
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  });
  try {
    const caps = await getCaps(client);
    const digest = iosDigest(caps);
    if (!digest) throw new IosProfileError('missingCapability', { payload }, { detail: `GetCACaps offered ${[...caps.advertised].join(', ') || 'nothing'}` });
    const ca = await client.getCaCert();
    if (settings.caFingerprint) checkFingerprint(settings.caFingerprint, ca.certificates, payload);

    const key = await (options.keys ?? freshKeys)({ type: 'rsa', bits: settings.keySize });
    const csr = await makeCsr(settings, key.privateKey);
    const cipher = iosCipher(caps);
    const method = hasCap(caps, 'POSTPKIOperation') ? 'POST' : 'GET';
    let result = await client.enroll({
      csr,
      privateKey: key.privateKey,
      cipher,
      digest,
      method,
      transactionId: transactionIdFor(publicKeyOf(key.privateKey), 'apple'),
    });
    let polls = 0;
    while (result.status === PkiStatus.PENDING && polls < settings.retries) {
      if (polls > 0) await (options.sleep ?? sleeper)(settings.retryDelaySeconds * 1000);
      result = await client.poll(result.pending!, csr);
      polls++;
    }
    const certificate = checkIssued(result, settings, payload);
    return { ...deviceScepResult(result, certificate, key, polls, started), caCertificates: ca.certificates, caps: [...caps.advertised] };
  } catch (error) {
    throw asIosError(error, payload);
  }
}

async function getCaps(client: ScepClient): Promise<CaCaps> {
  // iOS sends `message=` empty on GetCACaps (and the payload Name only on GetCACert).
  const response = await client.transport.send({ operation: 'GetCACaps', method: 'GET', message: '' });
  client.transport.emit(response.exchange);
  return parseCaps(response.status === 200 ? Buffer.from(response.body).toString('utf8') : '');
}

function checkFingerprint(fingerprint: NonNullable<ScepPayloadSettings['caFingerprint']>, certificates: Uint8Array[], payload: string): void {
  const wanted = Buffer.from(fingerprint.value).toString('hex');
  const found = certificates.some((der) => createHash(fingerprint.hash).update(der).digest('hex') === wanted);
  if (!found) throw new IosProfileError('fingerprintMismatch', { payload }, { detail: `${fingerprint.hash} ${wanted} matches none of ${certificates.length} certificate(s)` });
}

async function makeCsr(settings: ScepPayloadSettings, privateKey: KeyObject): Promise<Uint8Array> {
  try {
    return await buildCsr({
      subject: subjectName(settings),
      privateKey,
      ...(settings.challenge !== undefined ? { challengePassword: settings.challenge } : {}),
      ...(settings.subjectAltNames.length ? { subjectAltNames: settings.subjectAltNames } : {}),
      ...(settings.keyUsageNames.length ? { keyUsage: settings.keyUsageNames } : {}),
    });
  } catch (error) {
    throw new IosProfileError('csrFailed', {}, { detail: (error as Error).message, cause: error });
  }
}

function checkIssued(result: EnrollResult, settings: ScepPayloadSettings, payload: string): Uint8Array {
  if (result.status === PkiStatus.PENDING) {
    throw new IosProfileError('stillPending', { retries: settings.retries, payload }, { detail: `transactionID ${result.transactionId}` });
  }
  if (result.status !== PkiStatus.SUCCESS) {
    const reason = result.failInfo !== undefined ? failInfoName(result.failInfo) : 'no failInfo';
    const text = result.failInfoText ? `: ${result.failInfoText}` : '';
    throw new IosProfileError('invalidResponse', { payload }, { detail: `CertRep FAILURE ${reason}${text}` });
  }
  if (!result.certificate) throw new IosProfileError('invalidResponse', { payload }, { detail: 'CertRep SUCCESS without a certificate' });
  return result.certificate;
}

/** Maps what went wrong to the text iOS shows. */
function asIosError(error: unknown, payload: string): IosProfileError {
  if (error instanceof IosProfileError) return error;
  if (error instanceof ScepClientError) {
    const id = error.code === 'network' || error.code === 'timeout' ? 'unreachable' : 'invalidResponse';
    return new IosProfileError(id, { payload }, { detail: error.message, cause: error });
  }
  return new IosProfileError('invalidResponse', { payload }, { detail: (error as Error)?.message ?? String(error), cause: error });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
