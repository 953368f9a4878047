/**
 * What can go wrong for a SCEP client, as one typed error with a code: an HTTP answer that is not what the
 * operation expects (with its status and the start of its body, for the report), a CertRep that fails the
 * checks RFC 8894 puts on the requester, a legacy cipher refused by policy, a timeout.
 */
import type { ContentCipherName } from './ciphers.js';

export type ScepClientErrorCode =
  /** The server answered with an HTTP status other than 200. */
  | 'http-status'
  /** 200, but the body is not what the operation returns (not a CertRep, not a certificate, ...). */
  | 'bad-response'
  /** RFC 8894 §3.2.1.5: the CertRep's recipientNonce is not our senderNonce. */
  | 'nonce-mismatch'
  /** RFC 8894 §3.2.1.1: the CertRep's transactionID is not ours. */
  | 'transaction-mismatch'
  /** The CertRep is signed by a certificate GetCACert did not name. */
  | 'untrusted-signer'
  /** A legacy cipher (3DES, DES) would be needed in either direction and allowLegacyCiphers is off. */
  | 'legacy-cipher'
  | 'timeout'
  | 'network'
  /** The response body passed the client's size limit. */
  | 'too-large'
  /** The caller's request cannot be built (no key for a CSR, no CA certificate, ...). */
  | 'usage';

export interface ScepClientErrorDetail {
  status?: number;
  contentType?: string;
  /** The response body as text, cut to a few hundred characters. */
  body?: string;
  cause?: unknown;
}

export class ScepClientError extends Error {
  readonly status?: number;
  readonly contentType?: string;
  readonly body?: string;

  constructor(
    readonly code: ScepClientErrorCode,
    message: string,
    detail: ScepClientErrorDetail = {},
  ) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.name = 'ScepClientError';
    if (detail.status !== undefined) this.status = detail.status;
    if (detail.contentType !== undefined) this.contentType = detail.contentType;
    if (detail.body !== undefined) this.body = detail.body;
  }
}

/**
 * A legacy content cipher met with allowLegacyCiphers off. `direction` says whether we would have had to send
 * it (the CA offers neither AES nor anything better) or the CA answered with it (micromdm's single-DES CertRep).
 */
export class ScepLegacyCipherError extends ScepClientError {
  constructor(
    readonly cipher: ContentCipherName,
    readonly direction: 'request' | 'response',
  ) {
    const what = cipher === 'des-cbc' ? 'single DES (des-cbc), which RFC 8894 §2.9 forbids' : `${cipher}, a legacy cipher`;
    const message =
      direction === 'response'
        ? `the CertRep is encrypted with ${what}; set allowLegacyCiphers to read it`
        : `the CA offers no cipher better than ${what}; set allowLegacyCiphers to send it`;
    super('legacy-cipher', message);
    this.name = 'ScepLegacyCipherError';
  }
}

/** The first characters of a body, printable, for error messages and reports. */
export function bodySnippet(body: Uint8Array, max = 300): string {
  const text = Buffer.from(body.subarray(0, max)).toString('utf8');
  const printable = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, '.');
  return body.byteLength > max ? `${printable}…` : printable;
}
