/**
 * DER reading for the hot path (DESIGN.md, "The signing path"): the counterpart of der-writer.ts. A SCEP server
 * reads a few fields out of every pkiMessage, envelope and CSR; walking the bytes costs microseconds where
 * decoding them with the schema library costs a millisecond. The walkers built on this read definite-length DER
 * of exactly the expected shape and throw DerShapeError on anything else (BER indefinite lengths, a tag they do
 * not expect), so their caller falls back to the schema decoder, which stays the authority on odd input and on
 * error messages.
 */

/** The input is not the DER shape a fast walker reads: decode it the slow way instead. */
export class DerShapeError extends Error {
  constructor(message = 'not the expected DER shape') {
    super(message);
    this.name = 'DerShapeError';
  }
}

/** One element: its tag octet, where its header starts, and the span of its content octets. */
export interface Tlv {
  tag: number;
  /** Offset of the tag octet. */
  offset: number;
  /** Offset of the first content octet. */
  start: number;
  /** Offset just past the last content octet. */
  end: number;
}

export const TAGS = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
  /** [n] constructed (EXPLICIT, or IMPLICIT over a constructed type). */
  context: (n: number) => 0xa0 | n,
  /** [n] primitive (IMPLICIT over a primitive type). */
  contextPrimitive: (n: number) => 0x80 | n,
} as const;

/** The element at `offset`, which must end by `limit`. Low tag numbers and definite lengths only. */
export function readTlv(der: Uint8Array, offset: number, limit: number = der.length): Tlv {
  if (offset + 2 > limit) throw new DerShapeError('truncated element');
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerShapeError('high tag number');
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length >= 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerShapeError('indefinite length');
    if (count > 4 || start + count > limit) throw new DerShapeError('bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new DerShapeError('element overruns its parent');
  return { tag, offset, start, end };
}

/** The element at `offset` with tag `tag`. */
export function expectTlv(der: Uint8Array, offset: number, limit: number, tag: number): Tlv {
  const element = readTlv(der, offset, limit);
  if (element.tag !== tag) throw new DerShapeError(`expected tag 0x${tag.toString(16)}, found 0x${element.tag.toString(16)}`);
  return element;
}

/** The elements inside a constructed element, which must fill it exactly. */
export function childrenOf(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(der, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/**
 * Checks that `element` and everything nested in its constructed elements is well-formed definite-length
 * encoding (primitive contents are not looked into). The fast walkers keep certificates, names and CRLs as
 * bytes; this makes them refuse the same structurally broken input the schema decoder refuses.
 */
export function assertWellFormed(der: Uint8Array, element: Tlv, depth = 0): void {
  if ((element.tag & 0x20) === 0) return assertPrimitive(der, element);
  // Constructed universal types other than SEQUENCE and SET (BER's constructed strings): not DER.
  if ((element.tag & 0xc0) === 0 && element.tag !== TAGS.sequence && element.tag !== TAGS.set) throw new DerShapeError('constructed string');
  if (depth > 32) throw new DerShapeError('nested too deeply');
  for (let offset = element.start; offset < element.end; ) {
    const child = readTlv(der, offset, element.end);
    assertWellFormed(der, child, depth + 1);
    offset = child.end;
  }
}

const UTC_TIME = /^\d{12}Z$/;
const GENERALIZED_TIME = /^\d{14}Z$/;
/** Universal primitives whose content the schema decoder takes without complaint, or that we check below. */
const SAFE_PRIMITIVES = new Set<number>([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x0c, 0x13, 0x14, 0x16, 0x17, 0x18]);

/** Universal primitives the schema decoder would look into: only the plain, valid forms pass. */
function assertPrimitive(der: Uint8Array, element: Tlv): void {
  const tag = element.tag;
  if ((tag & 0xc0) !== 0) return; // context, application and private primitives are opaque to every decoder
  if (!SAFE_PRIMITIVES.has(tag)) throw new DerShapeError('unusual primitive type');
  const length = element.end - element.start;
  switch (tag) {
    case TAGS.oid:
      if (length === 0 || der[element.end - 1]! & 0x80) throw new DerShapeError('malformed OBJECT IDENTIFIER');
      break;
    case TAGS.null:
      if (length !== 0) throw new DerShapeError('NULL with content');
      break;
    case TAGS.bitString:
      if (length === 0 || der[element.start]! > 7 || (length === 1 && der[element.start] !== 0)) throw new DerShapeError('malformed BIT STRING');
      break;
    case TAGS.boolean:
    case TAGS.integer:
      if (length === 0) throw new DerShapeError('empty INTEGER or BOOLEAN');
      break;
    case TAGS.utcTime:
      if (!UTC_TIME.test(latin1(der, element.start, element.end))) throw new DerShapeError('UTCTime not in DER form');
      break;
    case TAGS.generalizedTime:
      if (!GENERALIZED_TIME.test(latin1(der, element.start, element.end))) throw new DerShapeError('GeneralizedTime not in DER form');
      break;
  }
}

/** The whole element (header and content) as a copy. */
export function elementBytes(der: Uint8Array, element: Tlv): Uint8Array {
  return der.slice(element.offset, element.end);
}

/** The content octets as a copy. */
export function contentBytes(der: Uint8Array, element: Tlv): Uint8Array {
  return der.slice(element.start, element.end);
}

/** The content octets as an ArrayBuffer of their own (what the schema library's classes hold). */
export function contentBuffer(der: Uint8Array, element: Tlv): ArrayBuffer {
  return der.buffer.slice(der.byteOffset + element.start, der.byteOffset + element.end) as ArrayBuffer;
}

/** The whole element as an ArrayBuffer of its own. */
export function elementBuffer(der: Uint8Array, element: Tlv): ArrayBuffer {
  return der.buffer.slice(der.byteOffset + element.offset, der.byteOffset + element.end) as ArrayBuffer;
}

/** A small non-negative INTEGER (versions): DerShapeError when it is not one. */
export function smallInteger(der: Uint8Array, element: Tlv): number {
  const length = element.end - element.start;
  if (element.tag !== TAGS.integer || length < 1 || length > 4) throw new DerShapeError('not a small INTEGER');
  if (der[element.start]! & 0x80) throw new DerShapeError('negative INTEGER');
  let value = 0;
  for (let i = element.start; i < element.end; i++) value = value * 256 + der[i]!;
  return value;
}

const oidCache = new Map<string, string>();

/** An OBJECT IDENTIFIER's dotted form; the few OIDs a server sees are decoded once. */
export function readOid(der: Uint8Array, element: Tlv): string {
  if (element.tag !== TAGS.oid || element.end <= element.start) throw new DerShapeError('not an OBJECT IDENTIFIER');
  const key = latin1(der, element.start, element.end);
  let dotted = oidCache.get(key);
  if (dotted === undefined) {
    dotted = decodeOid(der, element.start, element.end);
    if (oidCache.size < 4096) oidCache.set(key, dotted);
  }
  return dotted;
}

function decodeOid(der: Uint8Array, start: number, end: number): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = start; i < end; i++) {
    const byte = der[i]!;
    if (value === 0 && byte === 0x80) throw new DerShapeError('non-minimal OID arc');
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerShapeError('OID arc too large');
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  if ((der[end - 1]! & 0x80) !== 0) throw new DerShapeError('truncated OID');
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

export function latin1(der: Uint8Array, start: number, end: number): string {
  return Buffer.from(der.buffer, der.byteOffset + start, end - start).toString('latin1');
}

export function utf8(der: Uint8Array, start: number, end: number): string {
  return Buffer.from(der.buffer, der.byteOffset + start, end - start).toString('utf8');
}

/** Whether two byte ranges are equal (constant data such as OID encodings; not for secrets). */
export function sameBytes(der: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (der[start + i] !== expected[i]) return false;
  return true;
}
