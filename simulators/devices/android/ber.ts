/**
 * BER as Android agents send it. BouncyCastle's streaming CMS generator (jscep, Intune's and Fleet's Android
 * agents) writes the outer ContentInfo and SignedData with indefinite lengths and the eContent as a constructed
 * OCTET STRING of 1000-byte segments; strict DER parsers (Go's ber2der, micromdm/scep#20, #79, Fleet #38579)
 * have failed on it. This re-encodes a DER pkiMessage that way. Only the framing changes: the signed
 * attributes and the eContent octets are untouched, so the signature and messageDigest stay valid.
 */
import { childrenOf, readTlv, type Tlv } from '../../../core/pki/der-reader.js';
import type { FetchLike } from '../fetch.js';

/** BouncyCastle's BEROctetString segment size. */
export const BER_SEGMENT = 1000;

const END_OF_CONTENTS = Uint8Array.of(0, 0);

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** A constructed element with an indefinite length: tag, 0x80, the parts, end-of-contents. */
function indefinite(tag: number, parts: Uint8Array[]): Uint8Array {
  return concat([Uint8Array.of(tag | 0x20, 0x80), ...parts, END_OF_CONTENTS]);
}

/** DER length octets. */
function lengthOctets(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function primitive(tag: number, content: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(tag), lengthOctets(content.length), content]);
}

/** An OCTET STRING as BouncyCastle streams it: constructed, indefinite, in `segment`-byte pieces. */
export function segmentedOctetString(content: Uint8Array, segment = BER_SEGMENT): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < content.length; at += segment) pieces.push(primitive(0x04, content.subarray(at, at + segment)));
  return indefinite(0x04, pieces);
}

const whole = (der: Uint8Array, element: Tlv) => der.subarray(element.offset, element.end);

/**
 * A DER CMS SignedData ContentInfo (a SCEP pkiMessage) re-encoded with indefinite lengths on ContentInfo,
 * its [0], SignedData, encapContentInfo, eContent's [0] and the certificates [0], and the eContent segmented.
 * Throws when the input is not a definite-length SignedData ContentInfo.
 */
export function toIndefiniteLength(der: Uint8Array, segment = BER_SEGMENT): Uint8Array {
  const contentInfo = readTlv(der, 0);
  if (contentInfo.tag !== 0x30 || contentInfo.end !== der.length) throw new Error('not a DER ContentInfo');
  const [contentType, explicit0] = childrenOf(der, contentInfo);
  if (!contentType || explicit0?.tag !== 0xa0) throw new Error('ContentInfo without [0] content');
  const [signedData] = childrenOf(der, explicit0);
  if (signedData?.tag !== 0x30) throw new Error('content is not a SignedData SEQUENCE');

  const parts = childrenOf(der, signedData).map((child) => {
    if (child.tag === 0x30) return encapContentInfo(der, child, segment); // the only SEQUENCE child
    if (child.tag === 0xa0) return indefinite(0xa0, childrenOf(der, child).map((c) => whole(der, c))); // certificates
    return whole(der, child);
  });
  return indefinite(0x30, [whole(der, contentType), indefinite(0xa0, [indefinite(0x30, parts)])]);
}

function encapContentInfo(der: Uint8Array, element: Tlv, segment: number): Uint8Array {
  const [type, explicit0] = childrenOf(der, element);
  if (!type) throw new Error('empty encapContentInfo');
  if (!explicit0) return indefinite(0x30, [whole(der, type)]);
  const [octets] = childrenOf(der, explicit0);
  if (octets?.tag !== 0x04) throw new Error('eContent is not a primitive OCTET STRING');
  const content = der.subarray(octets.start, octets.end);
  return indefinite(0x30, [whole(der, type), indefinite(0xa0, [segmentedOctetString(content, segment)])]);
}

/** Whether the first element of `bytes` has an indefinite length (for tests and exchange records). */
export function hasIndefiniteLength(bytes: Uint8Array): boolean {
  return bytes.length > 1 && bytes[1] === 0x80;
}

/**
 * A fetch that sends every PKIOperation pkiMessage as BER (POST body, or the GET `message` parameter), the
 * way a BouncyCastle-based agent would; other requests pass unchanged.
 */
export function berTransport(inner: FetchLike): FetchLike {
  return (input, init) => {
    const url = new URL(input);
    if (url.searchParams.get('operation') !== 'PKIOperation') return inner(input, init);
    if ((init.method ?? 'GET') === 'POST' && init.body instanceof Uint8Array) {
      return inner(input, { ...init, body: toIndefiniteLength(init.body) as BodyInit });
    }
    const message = url.searchParams.get('message');
    if (message) {
      const ber = toIndefiniteLength(new Uint8Array(Buffer.from(message, 'base64')));
      url.searchParams.set('message', Buffer.from(ber).toString('base64'));
      return inner(url.toString(), init);
    }
    return inner(input, init);
  };
}
