/**
 * What an iPhone says when a profile cannot be installed: every text the emulated iOS device shows, in one
 * table, each with the Apple error domain and code it belongs to and where the text comes from. Texts seen in
 * the field are cited; the rest are the most plausible wording, marked ASSUMPTION, so a report can say which
 * messages are guesses.
 */

export interface IosErrorDefinition {
  /** Apple's NSError domain. */
  domain: string;
  /** Apple's code in that domain; ASSUMPTION where no public source gives it. */
  code: number;
  /** The text with {placeholders}. */
  text: string;
  /** Where the text comes from; 'ASSUMPTION' when it is our best guess. */
  source: string;
}

export const IOS_ERRORS = {
  /** A field of a payload is required and absent (URL of a SCEP payload, PayloadContent of a certificate…). */
  missingField: {
    domain: 'MCPayloadErrorDomain',
    code: 2002,
    text: 'The “{payload}” payload is missing the required field “{field}”.',
    source: 'ASSUMPTION: wording and code modelled on MCPayloadErrorDomain; no public capture',
  },
  /** A field has the wrong type or an unusable value. */
  invalidField: {
    domain: 'MCPayloadErrorDomain',
    code: 2003,
    text: 'The field “{field}” of the “{payload}” payload is invalid: {reason}.',
    source: 'ASSUMPTION: wording and code modelled on MCPayloadErrorDomain; no public capture',
  },
  /** Subject not an array of RDN arrays of [type, value] pairs: iOS refuses it, macOS tolerates it. */
  invalidSubject: {
    domain: 'MCPayloadErrorDomain',
    code: 2003,
    text: 'The field “Subject” of the “{payload}” payload is invalid: {reason}.',
    source:
      'micromdm/micromdm#40 (iOS refuses a wrongly nested Subject, macOS enrols); ASSUMPTION: the exact wording',
  },
  /** The document is not a plist, or not a Configuration profile. */
  malformedProfile: {
    domain: 'MCProfileErrorDomain',
    code: 1000,
    text: 'The profile could not be read: {reason}.',
    source: 'ASSUMPTION: wording; MCProfileErrorDomain 1000 "malformed profile"',
  },
  unsupportedPayload: {
    domain: 'MCProfileErrorDomain',
    code: 1009,
    text: 'The payload type “{type}” is not supported.',
    source: 'ASSUMPTION: wording and code',
  },
  /** GetCACaps offers no SHA-1, SHA-256 or SHA-512 (iOS 10 and later need one). */
  missingCapability: {
    domain: 'MCSCEPErrorDomain',
    code: 22013,
    text: 'The Certification Authority does not have the required capability.',
    source: 'text: smallstep/certificates#2406 (iOS 18); trigger: micromdm/scep#23 (iOS 10 needs a SHA-* cap); ASSUMPTION: the code',
  },
  /** Any answer the device cannot use: HTTP error, FAILURE CertRep, undecodable reply, wrong signer. */
  invalidResponse: {
    domain: 'MCInstallationErrorDomain',
    code: 4001,
    text: 'The SCEP server returned an invalid response.',
    source: 'anchors-scep-mdm.md §4 (MCInstallationErrorDomain 4001)',
  },
  /** Connection refused, DNS failure, timeout. */
  unreachable: {
    domain: 'NSURLErrorDomain',
    code: -1004,
    text: 'Could not connect to the server.',
    source: 'NSURLErrorCannotConnectToHost text; ASSUMPTION: that profiled surfaces it unchanged',
  },
  /** No certificate of GetCACert matches CAFingerprint. */
  fingerprintMismatch: {
    domain: 'MCSCEPErrorDomain',
    code: 22008,
    text: 'The CA certificate does not match the fingerprint in the “{payload}” payload.',
    source: 'ASSUMPTION: wording and code',
  },
  /** Still PENDING after Retries polls. */
  stillPending: {
    domain: 'MCSCEPErrorDomain',
    code: 22006,
    text: 'The SCEP server did not issue the certificate after {retries} retries.',
    source: 'ASSUMPTION: wording and code',
  },
  /** The device cannot make the key or the CSR (unsupported key size, subject attribute it cannot encode). */
  csrFailed: {
    domain: 'MCSCEPErrorDomain',
    code: 22002,
    text: 'Couldn’t create certificate signing request.',
    source: 'text: smallstep/certificates#2399 (iOS 18); ASSUMPTION: the code',
  },
  /** A PKCS#12 payload whose password does not open it. */
  pkcs12Password: {
    domain: 'MCCertificateErrorDomain',
    code: 9000,
    text: 'The password for the certificate “{payload}” is incorrect.',
    source: 'ASSUMPTION: wording and code',
  },
  /** A PKCS#12 payload that is not one identity (no key, damaged file). */
  pkcs12Invalid: {
    domain: 'MCCertificateErrorDomain',
    code: 9001,
    text: 'The certificate “{payload}” is invalid: {reason}.',
    source: 'ASSUMPTION: wording and code',
  },
  /** A root payload whose data is not a certificate. */
  certificateInvalid: {
    domain: 'MCCertificateErrorDomain',
    code: 9001,
    text: 'The certificate “{payload}” is invalid: {reason}.',
    source: 'ASSUMPTION: wording and code',
  },
} as const satisfies Record<string, IosErrorDefinition>;

export type IosErrorId = keyof typeof IOS_ERRORS;

/** An iOS installation error: the text the user sees, with Apple's domain and code, and our detail. */
export class IosProfileError extends Error {
  readonly domain: string;
  readonly code: number;
  /** Payload (display name or type) the error belongs to, when it belongs to one. */
  readonly payload?: string;
  /** What we know beyond the user-visible text (HTTP status, failInfo, parse error). Not shown by iOS. */
  readonly detail?: string;

  constructor(
    readonly id: IosErrorId,
    params: Record<string, string | number> = {},
    options: { detail?: string; cause?: unknown } = {},
  ) {
    const definition: IosErrorDefinition = IOS_ERRORS[id];
    super(
      definition.text.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? `{${key}}`)),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'IosProfileError';
    this.domain = definition.domain;
    this.code = definition.code;
    if (params.payload !== undefined) this.payload = String(params.payload);
    if (options.detail !== undefined) this.detail = options.detail;
  }

  /** The message with the detail iOS would only put in its log, for reports. */
  get fullText(): string {
    return this.detail ? `${this.message} (${this.detail})` : this.message;
  }
}
