/**
 * What a load generator needs from every CertRep it receives: messageType, pkiStatus and failInfo, read from the
 * signed attributes by walking the DER, without decoding certificates, verifying or decrypting. A few
 * microseconds per reply, so every reply is classified, not a sample (bench/verify-sample.ts checks a sample in
 * full). Definite-length DER only; anything else is 'unreadable' and the caller falls back to the full parser.
 */
import { FailInfo, PkiStatus } from '../core/scep/constants.js';

export interface CertRepStatus {
  messageType?: number;
  pkiStatus?: number;
  failInfo?: number;
  failInfoText?: string;
}

/** The content octets of the SCEP attribute OIDs 2.16.840.1.113733.1.9.{2,3,4} and id-pkix 24 1. */
const SCEP_PREFIX = [0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x45, 0x01, 0x09];
const FAIL_INFO_TEXT = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x18, 0x01];

interface Tlv {
  tag: number;
  /** Offset of the content octets. */
  start: number;
  /** Offset just past the content. */
  end: number;
}

class Unreadable extends Error {}

function tlv(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new Unreadable();
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Unreadable();
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new Unreadable();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new Unreadable();
  return { tag, start, end };
}

function expect(der: Uint8Array, offset: number, limit: number, tag: number): Tlv {
  const element = tlv(der, offset, limit);
  if (element.tag !== tag) throw new Unreadable();
  return element;
}

function decimal(der: Uint8Array, value: Tlv): number | undefined {
  if (value.tag !== 0x13 && value.tag !== 0x0c) return undefined; // PrintableString, or UTF8String from lenient CAs
  const text = Buffer.from(der.buffer, der.byteOffset + value.start, value.end - value.start).toString('latin1').trim();
  return /^\d{1,3}$/.test(text) ? Number(text) : undefined;
}

function startsWith(der: Uint8Array, oid: Tlv, prefix: readonly number[], length: number): boolean {
  if (oid.end - oid.start !== length) return false;
  for (let i = 0; i < prefix.length; i++) if (der[oid.start + i] !== prefix[i]) return false;
  return true;
}

/** The SCEP status attributes of a pkiMessage, or undefined when the DER cannot be walked. */
export function readCertRepStatus(der: Uint8Array): CertRepStatus | undefined {
  try {
    const contentInfo = expect(der, 0, der.length, 0x30);
    const type = expect(der, contentInfo.start, contentInfo.end, 0x06);
    const explicit = expect(der, type.end, contentInfo.end, 0xa0);
    const signedData = expect(der, explicit.start, explicit.end, 0x30);
    let at = signedData.start;
    at = expect(der, at, signedData.end, 0x02).end; // version
    at = expect(der, at, signedData.end, 0x31).end; // digestAlgorithms
    at = expect(der, at, signedData.end, 0x30).end; // encapContentInfo
    let next = tlv(der, at, signedData.end);
    while (next.tag === 0xa0 || next.tag === 0xa1) next = tlv(der, next.end, signedData.end); // certificates, crls
    if (next.tag !== 0x31) throw new Unreadable();
    const signerInfo = expect(der, next.start, next.end, 0x30);
    at = expect(der, signerInfo.start, signerInfo.end, 0x02).end; // version
    at = tlv(der, at, signerInfo.end).end; // sid
    at = expect(der, at, signerInfo.end, 0x30).end; // digestAlgorithm
    const signedAttrs = expect(der, at, signerInfo.end, 0xa0);
    const status: CertRepStatus = {};
    for (let offset = signedAttrs.start; offset < signedAttrs.end; ) {
      const attribute = expect(der, offset, signedAttrs.end, 0x30);
      offset = attribute.end;
      const oid = expect(der, attribute.start, attribute.end, 0x06);
      const values = expect(der, oid.end, attribute.end, 0x31);
      if (values.start >= values.end) continue;
      const value = tlv(der, values.start, values.end);
      if (startsWith(der, oid, SCEP_PREFIX, SCEP_PREFIX.length + 1)) {
        const arc = der[oid.start + SCEP_PREFIX.length];
        if (arc === 2) status.messageType = decimal(der, value);
        else if (arc === 3) status.pkiStatus = decimal(der, value);
        else if (arc === 4) status.failInfo = decimal(der, value);
      } else if (startsWith(der, oid, FAIL_INFO_TEXT, FAIL_INFO_TEXT.length)) {
        status.failInfoText = Buffer.from(der.buffer, der.byteOffset + value.start, value.end - value.start).toString('utf8');
      }
    }
    return status;
  } catch (error) {
    if (error instanceof Unreadable) return undefined;
    throw error;
  }
}

/** An error class for a reply: undefined for a SUCCESS CertRep, else e.g. 'FAILURE badRequest' or 'PENDING'. */
export function classifyCertRep(status: CertRepStatus | undefined): string | undefined {
  if (!status || status.pkiStatus === undefined) return 'unreadable CertRep';
  if (status.messageType !== undefined && status.messageType !== 3) return `messageType ${status.messageType}`;
  if (status.pkiStatus === PkiStatus.SUCCESS) return undefined;
  if (status.pkiStatus === PkiStatus.FAILURE) {
    const name = status.failInfo === undefined ? 'no failInfo' : (FailInfo[status.failInfo] ?? `failInfo ${status.failInfo}`);
    const text = status.failInfoText ? `: ${status.failInfoText.replace(/\s+/g, ' ').slice(0, 100)}` : '';
    return `FAILURE ${name}${text}`;
  }
  return PkiStatus[status.pkiStatus] ?? `pkiStatus ${status.pkiStatus}`;
}
