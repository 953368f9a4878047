/**
 * The two ways a SCEP message can fail. A ScepError is answered with a signed CertRep FAILURE carrying its
 * failInfo (and failInfoText); a ScepMalformedError is input so broken that nobody can be answered (no
 * readable transactionID, nonce or signer), which the server turns into HTTP 400.
 */
import { FailInfo, failInfoName } from './constants.js';

/** What was read of the failing message before it failed: enough, when present, to address a FAILURE CertRep. */
export interface ScepErrorContext {
  messageType?: number;
  transactionId?: string;
  senderNonce?: Uint8Array;
  signerCertificate?: Uint8Array;
}

export class ScepError extends Error {
  context: ScepErrorContext = {};

  constructor(
    readonly failInfo: FailInfo,
    /** Human-readable reason, sent as failInfoText. */
    readonly failInfoText: string,
    options?: { cause?: unknown },
  ) {
    super(`${failInfoName(failInfo)}: ${failInfoText}`, options);
    this.name = 'ScepError';
  }
}

export class ScepMalformedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScepMalformedError';
  }
}

/** The one text for every envelope that does not open, whatever the reason (no padding oracle). */
export const ENVELOPE_DECRYPTION_FAILED = 'pkcsPKIEnvelope could not be decrypted';
