/**
 * The slow path of reply classification: the codec's own parser, for the rare reply the DER walker of
 * certrep-status.ts cannot follow (BER indefinite lengths from some CAs). It also verifies the signature.
 */
import { parsePkiMessage } from '../core/scep/pki-message.js';
import type { CertRepStatus } from './certrep-status.js';

export function fallbackStatus(der: Uint8Array): CertRepStatus | undefined {
  try {
    const message = parsePkiMessage(der);
    return {
      messageType: message.messageType,
      ...(message.pkiStatus !== undefined ? { pkiStatus: message.pkiStatus } : {}),
      ...(message.failInfo !== undefined ? { failInfo: message.failInfo } : {}),
      ...(message.failInfoText !== undefined ? { failInfoText: message.failInfoText } : {}),
    };
  } catch {
    return undefined;
  }
}
