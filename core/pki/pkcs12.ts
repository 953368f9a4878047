/**
 * PKCS#12 (RFC 7292): the .p12/.pfx files an MDM hands to a device with a certificate and its key.
 * buildPkcs12 writes the 'modern' (OpenSSL 3 default) or 'legacy' (3DES/SHA-1, older iOS and Android) form;
 * parsePkcs12 reads those and what OpenSSL, Windows and Java write.
 */
export { buildPkcs12, DEFAULT_ITERATIONS, type Pkcs12BuildForm, type Pkcs12BuildOptions } from './pkcs12-build.js';
export { parsePkcs12, type Pkcs12Algorithms, type Pkcs12Contents } from './pkcs12-parse.js';
export { Pkcs12Error, Pkcs12PasswordError, MAC_FAILED_MESSAGE, DECRYPTION_FAILED_MESSAGE } from './pkcs12-errors.js';
