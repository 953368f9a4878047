/**
 * DER composition for the issuing hot path (DESIGN.md, "The signing path").
 *
 * Every structure in core/pki is encoded by @peculiar/asn1-x509 and friends, except that issuing a certificate
 * would then cost about 0.6 ms of asn1js work per certificate, more than the RSA-2048 signature itself. So a
 * CertificateAuthority has the library encode everything that does not change between issuances once (issuer,
 * algorithm, profile extensions, SKI/SAN prefixes), and per issuance only this module runs: it nests those
 * pre-encoded elements in SEQUENCE / [n] / OCTET STRING headers and writes the few primitives that vary (serial,
 * times). Tests check its output byte for byte against the same TBSCertificate encoded by the library.
 */

/** An encoded element, or a constructed one whose content is the concatenation of its parts. */
export type DerPart = Uint8Array | DerNode;

export interface DerNode {
  readonly tag: number;
  readonly parts: readonly DerPart[];
  /** Content length in bytes (not counting tag and length octets). */
  readonly length: number;
}

export const TAG = {
  integer: 0x02,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  set: 0x31,
  /** [n] IMPLICIT over a primitive type. */
  implicitPrimitive: (n: number) => 0x80 | n,
  bitString: 0x03,
  octetString: 0x04,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  /** [n] EXPLICIT (context-specific, constructed). */
  explicit: (n: number) => 0xa0 | n,
} as const;

function lengthOfLength(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  return 5;
}

function encodedSize(part: DerPart): number {
  if (part instanceof Uint8Array) return part.byteLength;
  return 1 + lengthOfLength(part.length) + part.length;
}

/** A constructed (or primitive, when `parts` are raw content bytes) element with a single-byte tag. */
export function der(tag: number, parts: readonly DerPart[]): DerNode {
  let length = 0;
  for (const part of parts) length += encodedSize(part);
  return { tag, parts, length };
}

export function sequence(...parts: DerPart[]): DerNode {
  return der(TAG.sequence, parts);
}

export function octetString(content: Uint8Array): DerNode {
  return der(TAG.octetString, [content]);
}

const ZERO_UNUSED_BITS = new Uint8Array([0]);

/** A BIT STRING of whole bytes (signatures, keys). */
export function bitString(content: Uint8Array): DerNode {
  return der(TAG.bitString, [ZERO_UNUSED_BITS, content]);
}

/** An INTEGER from its two's-complement content bytes, which the caller keeps minimal (see serial.ts). */
export function integer(content: Uint8Array): DerNode {
  return der(TAG.integer, [content]);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * A certificate or CRL time (RFC 5280 §4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050, always in
 * UTC to the second with a 'Z'. Milliseconds are dropped, as the encoding cannot carry them.
 */
export function time(date: Date): DerNode {
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new RangeError(`time ${date.toISOString()} is outside 1950..9999`);
  const rest =
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds()) +
    'Z';
  if (year < 2050) return der(TAG.utcTime, [Buffer.from(pad2(year % 100) + rest, 'latin1')]);
  return der(TAG.generalizedTime, [Buffer.from(`${year}${rest}`, 'latin1')]);
}

function write(part: DerPart, out: Uint8Array, offset: number): number {
  if (part instanceof Uint8Array) {
    out.set(part, offset);
    return offset + part.byteLength;
  }
  out[offset++] = part.tag;
  const { length } = part;
  if (length < 0x80) {
    out[offset++] = length;
  } else {
    const n = lengthOfLength(length) - 1;
    out[offset++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) out[offset++] = (length >>> (8 * i)) & 0xff;
  }
  for (const child of part.parts) offset = write(child, out, offset);
  return offset;
}

/** A SET whose elements are given in their final order (one element, or already sorted). */
export function set(...parts: DerPart[]): DerNode {
  return der(TAG.set, parts);
}

/** DER SET OF: the encoded elements sorted as octet strings (X.690 §11.6). */
export function setOf(elements: readonly Uint8Array[]): DerNode {
  return der(TAG.set, [...elements].sort((a, b) => Buffer.compare(a, b)));
}

/** [n] EXPLICIT, or [n] IMPLICIT over a constructed type. */
export function explicit(n: number, parts: readonly DerPart[]): DerNode {
  return der(TAG.explicit(n), parts);
}

/** [n] IMPLICIT over a primitive type: `content` under the context tag. */
export function implicitPrimitive(n: number, content: Uint8Array): DerNode {
  return der(TAG.implicitPrimitive(n), [content]);
}

/** A non-negative INTEGER from a JavaScript number (versions, small counters). */
export function smallInteger(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError(`smallInteger takes 0..2^31-1, not ${value}`);
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return Uint8Array.of(TAG.integer, bytes.length, ...bytes);
}

export const NULL = Uint8Array.of(TAG.null, 0);

const oidCache = new Map<string, Uint8Array>();

/** An OBJECT IDENTIFIER element from its dotted form, encoded once per OID. Do not modify the result. */
export function oid(dotted: string): Uint8Array {
  let encoded = oidCache.get(dotted);
  if (!encoded) {
    const arcs = dotted.split('.').map(Number);
    if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0) || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) {
      throw new RangeError(`invalid OID ${dotted}`);
    }
    const content: number[] = [];
    for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
      const septets = [arc % 128];
      for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) septets.unshift((rest % 128) | 0x80);
      content.push(...septets);
    }
    encoded = encode(der(TAG.oid, [Uint8Array.from(content)]));
    oidCache.set(dotted, encoded);
  }
  return encoded;
}

/** A PrintableString; the caller checks the repertoire. */
export function printableString(value: string): DerNode {
  return der(TAG.printableString, [Buffer.from(value, 'latin1')]);
}

export function utf8String(value: string): DerNode {
  return der(TAG.utf8String, [Buffer.from(value, 'utf8')]);
}

/** Flattens a tree of parts into one buffer: one allocation, every byte copied once. */
export function encode(part: DerPart): Uint8Array {
  if (part instanceof Uint8Array) return part;
  const out = new Uint8Array(encodedSize(part));
  write(part, out, 0);
  return out;
}
