/**
 * What the emulated Mobile@Work agent reports when a configuration cannot be installed, in one table. Ivanti
 * publishes no catalogue of the agent's messages, so every text is ASSUMPTION; the codes are ours and stable,
 * so suites can match on them.
 */

export const ANDROID_ERRORS = {
  /** The configuration JSON does not follow the device API. */
  badConfiguration: 'Configuration could not be read: {reason}',
  /** The SCEP server is unreachable or answered HTTP errors. */
  scepUnreachable: 'Certificate enrollment failed: the SCEP server could not be reached ({reason})',
  /** A CertRep FAILURE (failInfo named). Non-retryable, as Fleet's agent 1.4 treats it. */
  scepRejected: 'Certificate enrollment failed: the SCEP server rejected the request ({reason})',
  /** Still PENDING after the agent's polls. */
  scepPending: 'Certificate enrollment is pending approval',
  /** Anything else wrong with the SCEP answer. */
  scepInvalid: 'Certificate enrollment failed: invalid response from the SCEP server ({reason})',
  /** The device cannot make the key or CSR. */
  keyGeneration: 'Unable to generate the key pair: {reason}',
  pkcs12Password: 'Unable to install certificate "{alias}": incorrect password',
  /** A PKCS#12 the keystore cannot read (damaged, or an encryption the OS does not support). */
  pkcs12Unreadable: 'Unable to install certificate "{alias}": {reason}',
  certificateInvalid: 'Unable to install CA certificate "{alias}": {reason}',
} as const;

export type AndroidErrorId = keyof typeof ANDROID_ERRORS;

export class AndroidAgentError extends Error {
  readonly detail?: string;

  constructor(
    readonly id: AndroidErrorId,
    params: Record<string, string | number> = {},
    options: { detail?: string; cause?: unknown } = {},
  ) {
    super(
      ANDROID_ERRORS[id].replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? `{${key}}`)),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'AndroidAgentError';
    if (options.detail !== undefined) this.detail = options.detail;
  }

  get fullText(): string {
    return this.detail ? `${this.message} (${this.detail})` : this.message;
  }
}
