/**
 * SCEP as a Mobile@Work-style Android agent runs it (the key is made on the device; the agent, not the OS, speaks
 * SCEP, with a BouncyCastle/jscep-like client): GetCACaps and GetCACert without a CA identifier, a PKCSReq
 * signed with a self-signed certificate, POST when offered, AES-128 when offered else 3DES (else DES), SHA-256
 * when offered else SHA-1, PENDING polled a few times, FAILURE not retried (Fleet's agent 1.4 stops on
 * non-retryable failures). Optionally every pkiMessage goes out as BER with indefinite lengths (ber.ts).
 * ASSUMPTION: Mobile@Work's exact choices are not published; these are jscep's defaults.
 */
import { deviceCipher, deviceScepResult, type DeviceScepResult } from '../scep-result.js';
import type { KeyObject } from 'node:crypto';
import { type Clock, systemClock } from '../../../core/clock.js';
import type { HashName } from '../../../core/pki/algorithms.js';
import { buildCsr } from '../../../core/pki/csr.js';
import { type CaCaps, hasCap } from '../../../core/scep/caps.js';
import type { ContentCipherName } from '../../../core/scep/ciphers.js';
import { ScepClient, ScepClientError, type ScepExchange } from '../../../core/scep/client.js';
import { failInfoName, PkiStatus } from '../../../core/scep/constants.js';
import { type FetchLike, globalFetch, withUserAgent } from '../fetch.js';
import { freshKeys, type KeySource } from '../key-pool.js';
import { berTransport } from './ber.js';
import type { AndroidScepConfiguration } from './config.js';
import { AndroidAgentError } from './errors.js';

/** ASSUMPTION: the agent's HTTP stack (OkHttp) and version; the shape is what such agents send. */
export const ANDROID_USER_AGENT = 'MobileIron/12.11.0 (Android 14; Pixel 8) okhttp/4.12.0';

export interface AndroidScepOptions {
  fetch?: FetchLike;
  keys?: KeySource;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  onExchange?: (exchange: ScepExchange) => void;
  /** Send pkiMessages as BER with indefinite lengths, as BouncyCastle does. */
  ber?: boolean;
  /** PENDING: CertPoll this many times, this far apart. ASSUMPTION: 3 polls, 10 s. */
  pendingPoll?: { intervalMs: number; maxAttempts: number };
  deviceName?: string;
}

export interface AndroidScepResult extends DeviceScepResult {
  ber: boolean;
}

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


export function androidDigest(caps: CaCaps): HashName {
  if (hasCap(caps, 'SHA-256')) return 'sha256';
  if (hasCap(caps, 'SHA-512')) return 'sha512';
  return 'sha1';
}

export async function enrollAndroidScep(configuration: AndroidScepConfiguration, options: AndroidScepOptions = {}): Promise<AndroidScepResult> {
  const started = performance.now();
  const ber = options.ber ?? false;
  const base = withUserAgent(options.fetch ?? globalFetch, ANDROID_USER_AGENT);
  const client = new ScepClient({
    url: configuration.scep.url,
    fetch: ber ? berTransport(base) : base,
    allowLegacyCiphers: true,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? sleeper,
    timeoutMs: 60_000,
    parties: { from: options.deviceName ?? 'Android device', to: new URL(configuration.scep.url).host },
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  });
  const scep = configuration.scep;
  try {
    const caps = await client.getCaCaps();
    await client.getCaCert();
    const key = await (options.keys ?? freshKeys)({ type: 'rsa', bits: scep.keySize });
    let csr: Uint8Array;
    try {
      csr = await buildCsr({
        subject: scep.subject,
        privateKey: key.privateKey,
        ...(scep.challenge !== undefined ? { challengePassword: scep.challenge } : {}),
        ...(scep.subjectAltNames.length ? { subjectAltNames: scep.subjectAltNames } : {}),
        keyUsage: ['digitalSignature', 'keyEncipherment'],
      });
    } catch (error) {
      throw new AndroidAgentError('keyGeneration', { reason: (error as Error).message }, { cause: error });
    }
    const poll = options.pendingPoll ?? { intervalMs: 10_000, maxAttempts: 3 };
    const result = await client.enroll({
      csr,
      privateKey: key.privateKey,
      cipher: deviceCipher(caps),
      digest: androidDigest(caps),
      poll,
    });
    if (result.status === PkiStatus.PENDING) throw new AndroidAgentError('scepPending', {}, { detail: `transactionID ${result.transactionId}` });
    if (result.status !== PkiStatus.SUCCESS) {
      const reason = `${result.failInfo !== undefined ? failInfoName(result.failInfo) : 'no failInfo'}${result.failInfoText ? `: ${result.failInfoText}` : ''}`;
      throw new AndroidAgentError('scepRejected', { reason });
    }
    if (!result.certificate) throw new AndroidAgentError('scepInvalid', { reason: 'SUCCESS without a certificate' });
    return { ...deviceScepResult(result, result.certificate, key, result.pollCount, started), ber };
  } catch (error) {
    if (error instanceof AndroidAgentError) throw error;
    if (error instanceof ScepClientError) {
      const unreachable = error.code === 'network' || error.code === 'timeout' || error.code === 'http-status';
      throw new AndroidAgentError(unreachable ? 'scepUnreachable' : 'scepInvalid', { reason: error.message }, { cause: error });
    }
    throw new AndroidAgentError('scepInvalid', { reason: (error as Error)?.message ?? String(error) }, { cause: error });
  }
}
