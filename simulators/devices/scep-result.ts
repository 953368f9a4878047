/** What both platforms' SCEP enrolment ends with, the options they share, and the content-cipher choice. */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { EnrollResult, ScepExchange } from '../../core/scep/client.js';
import type { FetchLike } from './fetch.js';
import type { DeviceKey, KeySource } from './key-pool.js';
import type { StepListener } from './mdm-session.js';
import type { HashName } from '../../core/pki/algorithms.js';
import { hasCap, type CaCaps } from '../../core/scep/caps.js';
import type { ContentCipherName } from '../../core/scep/ciphers.js';

export interface DeviceScepResult {
  certificate: Uint8Array;
  privateKey: KeyObject;
  chain: Uint8Array[];
  cipher: ContentCipherName;
  /** The CertRep's content cipher. */
  replyCipher?: ContentCipherName;
  digest: HashName;
  method: 'POST' | 'GET';
  legacyCipherUsed: boolean;
  transactionId: string;
  polls: number;
  timings: { keygenMs: number; keyPooled: boolean; enrollMs: number };
}

/** AES when offered, else 3DES, else single DES: iOS and BouncyCastle-based agents alike. */
export function deviceCipher(caps: CaCaps): ContentCipherName {
  if (hasCap(caps, 'AES')) return 'aes-128-cbc';
  if (hasCap(caps, 'DES3')) return 'des-ede3-cbc';
  return 'des-cbc'; // ASSUMPTION: the historic SCEP default when neither is offered
}

/** What an emulated device takes from its environment: transport, keys, time, and observers. */
export interface DeviceHooks {
  fetch?: FetchLike;
  keys?: KeySource;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  onExchange?: (exchange: ScepExchange) => void;
  onStep?: StepListener;
}

/** The platform-independent part of a successful enrolment's result. */
export function deviceScepResult(result: EnrollResult, certificate: Uint8Array, key: DeviceKey, polls: number, startedAt: number): DeviceScepResult {
  return {
    certificate,
    privateKey: key.privateKey,
    chain: result.chain,
    cipher: result.cipher,
    ...(result.reply.cipher ? { replyCipher: result.reply.cipher } : {}),
    digest: result.digest,
    method: result.method,
    legacyCipherUsed: result.legacyCipherUsed,
    transactionId: result.transactionId,
    polls,
    timings: { keygenMs: key.generatedMs, keyPooled: key.pooled, enrollMs: performance.now() - startedAt - key.generatedMs },
  };
}
