/** What both platforms' SCEP enrolment ends with, and the content-cipher choice they share. */
import type { KeyObject } from 'node:crypto';
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
