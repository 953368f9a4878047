/**
 * transactionID derivations (RFC 8894 §3.2.1.1 lets it be any unique PrintableString). Clients derive it from
 * the public key so that a retried enrolment keeps its ID; each style reproduces one real client for emulation.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { spkiDer } from '../pki/keys.js';
import { subjectPublicKeyBits } from './cert-fields.js';

export type TransactionIdStyle =
  /** Ours: lower-case hex SHA-256 of the SubjectPublicKeyInfo DER. */
  | 'mdmca'
  /** micromdm/smallstep scep ≥ 2.3: base64 of the leftmost 20 bytes of SHA-256 over the subjectPublicKey bits (RFC 7093 method 1). */
  | 'micromdm'
  /** micromdm scep ≤ 2.1 (Debian's package): base64 of SHA-1 over the subjectPublicKey bits. */
  | 'micromdm-legacy'
  /** sscep: upper-case hex MD5 of the SubjectPublicKeyInfo DER. */
  | 'sscep'
  /** iOS profiled: upper-case hex SHA-1 over the subjectPublicKey bits (its SKI; see the PKCSReq fixture). */
  | 'apple';

/** The transactionID a client of `style` derives from `publicKey` (a KeyObject or SubjectPublicKeyInfo DER). */
export function transactionIdFor(publicKey: KeyObject | Uint8Array, style: TransactionIdStyle = 'mdmca'): string {
  const spki = publicKey instanceof Uint8Array ? publicKey : spkiDer(publicKey);
  const hash = (algorithm: string, data: Uint8Array) => createHash(algorithm).update(data).digest();
  switch (style) {
    case 'mdmca':
      return hash('sha256', spki).toString('hex');
    case 'micromdm':
      return hash('sha256', subjectPublicKeyBits(spki)).subarray(0, 20).toString('base64');
    case 'micromdm-legacy':
      return hash('sha1', subjectPublicKeyBits(spki)).toString('base64');
    case 'sscep':
      return hash('md5', spki).toString('hex').toUpperCase();
    case 'apple':
      return hash('sha1', subjectPublicKeyBits(spki)).toString('hex').toUpperCase();
  }
}
