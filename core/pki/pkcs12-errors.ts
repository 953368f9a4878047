/** Typed failures of PKCS#12 (RFC 7292) building and parsing. */

/** A malformed or unsupported PFX, or bad build input. The message names what was wrong. */
export class Pkcs12Error extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Pkcs12Error';
  }
}

export const MAC_FAILED_MESSAGE = 'MAC verification failed: wrong password or corrupted file';
/** Used when the file has no MAC, so only decryption can reveal a wrong password. */
export const DECRYPTION_FAILED_MESSAGE = 'decryption failed: wrong password or corrupted file';

/** The password does not open the file (the text users see as "wrong .p12 password"). */
export class Pkcs12PasswordError extends Pkcs12Error {
  constructor(message: string = MAC_FAILED_MESSAGE) {
    super(message);
    this.name = 'Pkcs12PasswordError';
  }
}

/** Ciphertext that did not decrypt (bad padding, bad length): the caller decides whether that means a wrong password. */
export class Pkcs12DecryptionError extends Pkcs12Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`cannot decrypt ${what}`, options);
    this.name = 'Pkcs12DecryptionError';
  }
}
