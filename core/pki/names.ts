/**
 * Distinguished names: the model (RDNs in ASN.1 order), RFC 4514 strings, OpenSSL's "/C=US/O=x/CN=y" form, DER,
 * and comparison.
 *
 * RFC 4514 writes RDNs in the REVERSE of their ASN.1 order: "CN=x,O=y,C=US" encodes C first. The OpenSSL form
 * keeps ASN.1 order. A name read from DER keeps its original bytes, because SCEP and CMS match issuer names byte
 * for byte, and is decoded only when something asks for its attributes.
 */
import {
  attributeShortName,
  attributeTypeOid,
  type DnAttribute,
  DnError,
  type DnStringType,
  defaultStringType,
  opensslAttributeName,
  type Rdn,
} from './name-attributes.js';
import { decodeBerValue, decodeName, encodeAttributeValue, encodeName } from './name-der.js';

export { type DnAttribute, DnError, type DnStringType, type Rdn, attributeTypeOid, attributeShortName };

/** An attribute as callers write it: a short name or OID, and a value whose string type defaults by attribute. */
export interface DnAttributeInput {
  type: string;
  value: string;
  stringType?: DnStringType | 'ber';
}

/** Anything that names a subject: a DistinguishedName, an RFC 4514 string, an OpenSSL "/…" string, or Name DER. */
export type DnInput = DistinguishedName | string | Uint8Array;

export class DistinguishedName {
  private decoded: readonly Rdn[] | undefined;
  private encoded: Uint8Array | undefined;

  private constructor(rdns: readonly Rdn[] | undefined, der: Uint8Array | undefined) {
    this.decoded = rdns;
    this.encoded = der;
  }

  /** From RDNs in ASN.1 order (most significant first: C, O, …, CN). */
  static fromRdns(rdns: readonly (readonly DnAttributeInput[])[]): DistinguishedName {
    return new DistinguishedName(
      rdns.map((rdn) => {
        if (rdn.length === 0) throw new DnError('an RDN needs at least one attribute');
        return rdn.map(normalizeAttribute);
      }),
      undefined,
    );
  }

  /** From Name DER; the bytes are kept as they are and decoded on first use. */
  static fromDer(der: Uint8Array): DistinguishedName {
    return new DistinguishedName(undefined, der);
  }

  /** Parses an RFC 4514 string ("CN=x,O=y,C=US"). */
  static parse(text: string): DistinguishedName {
    return new DistinguishedName(parseRfc4514(text).reverse(), undefined);
  }

  /** Parses OpenSSL's `-subj` form ("/C=US/O=y/CN=x", ASN.1 order, '+' joining multi-valued RDNs). */
  static parseOpenSsl(text: string): DistinguishedName {
    return new DistinguishedName(parseOpenSslForm(text), undefined);
  }

  static from(input: DnInput): DistinguishedName {
    if (input instanceof DistinguishedName) return input;
    if (input instanceof Uint8Array) return DistinguishedName.fromDer(input);
    return input.trimStart().startsWith('/') ? DistinguishedName.parseOpenSsl(input) : DistinguishedName.parse(input);
  }

  /** RDNs in ASN.1 order. Throws DnError when the name came from malformed DER. */
  get rdns(): readonly Rdn[] {
    this.decoded ??= decodeName(this.encoded!);
    return this.decoded;
  }

  /** Name DER: the original bytes when read from DER, otherwise encoded once and cached. */
  get der(): Uint8Array {
    this.encoded ??= encodeName(this.decoded!);
    return this.encoded;
  }

  get isEmpty(): boolean {
    return this.rdns.length === 0;
  }

  /** The first value of an attribute (by short name or OID), searching from the most specific RDN (CN end). */
  get(type: string): string | undefined {
    return this.getAll(type)[0];
  }

  /** Every value of an attribute, most specific first (RFC 4514 order). */
  getAll(type: string): string[] {
    const oid = attributeTypeOid(type);
    const values: string[] = [];
    for (let i = this.rdns.length - 1; i >= 0; i--) {
      for (const attr of this.rdns[i]!) if (attr.type === oid) values.push(attr.value);
    }
    return values;
  }

  /** RFC 4514 string. */
  toString(): string {
    return formatRdns(this.rdns);
  }

  /** OpenSSL's "/C=US/O=y/CN=x" form, for display and `openssl -subj`. */
  toOpenSsl(): string {
    if (this.rdns.length === 0) return '/';
    return this.rdns
      .map((rdn) => '/' + rdn.map((a) => `${opensslAttributeName(a.type)}=${opensslValue(a)}`).join('+'))
      .join('');
  }

  equals(other: DnInput): boolean {
    return dnEquals(this, other);
  }

  toJSON(): string {
    return this.toString();
  }
}

function normalizeAttribute(input: DnAttributeInput): DnAttribute {
  const type = attributeTypeOid(input.type);
  if (input.stringType === 'ber' && !/^(?:[0-9a-f]{2})+$/i.test(input.value)) {
    throw new DnError(`a 'ber' value must be hex, got "${input.value}"`);
  }
  const stringType = input.stringType ?? defaultStringType(type, input.value);
  return { type, value: stringType === 'ber' ? input.value.toLowerCase() : input.value, stringType };
}

// ---- RFC 4514 -------------------------------------------------------------------------------------------

const HEX = '0123456789ABCDEF';

/**
 * Escapes an attribute value for an RFC 4514 string: the characters of §2.4 ('"', '+', ',', ';', '<', '>',
 * '\\'), a leading space or '#', a trailing space, and every control character (NUL included) as \XX.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  const last = value.length - 1;
  for (let i = 0; i <= last; i++) {
    const ch = value[i]!;
    const code = value.charCodeAt(i);
    if (ch === '"' || ch === '+' || ch === ',' || ch === ';' || ch === '<' || ch === '>' || ch === '\\') {
      out += '\\' + ch;
    } else if ((i === 0 && (ch === ' ' || ch === '#')) || (i === last && ch === ' ')) {
      out += '\\' + ch;
    } else if (code < 0x20 || code === 0x7f) {
      out += '\\' + HEX[code >> 4] + HEX[code & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

function formatAttribute(attr: DnAttribute): string {
  const name = attributeShortName(attr.type);
  // Dotted types and non-string values are written as '#' and the hex of the value's BER (§2.4).
  if (attr.stringType === 'ber') return `${name ?? attr.type}=#${attr.value}`;
  if (!name) return `${attr.type}=#${Buffer.from(encodeAttributeValue(attr)).toString('hex')}`;
  return `${name}=${escapeDnValue(attr.value)}`;
}

function formatRdns(rdns: readonly Rdn[]): string {
  const parts: string[] = [];
  for (let i = rdns.length - 1; i >= 0; i--) parts.push(rdns[i]!.map(formatAttribute).join('+'));
  return parts.join(',');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** RFC 4514 §3, accepting also what RFC 2253 and people write: spaces around separators, ';', quoted values. */
function parseRfc4514(text: string): Rdn[] {
  const rdns: Rdn[] = [];
  let pos = 0;
  const n = text.length;
  const skipSpaces = () => {
    while (pos < n && text[pos] === ' ') pos++;
  };
  skipSpaces();
  if (pos === n) return rdns;
  let rdn: DnAttribute[] = [];
  for (;;) {
    skipSpaces();
    const eq = text.indexOf('=', pos);
    if (eq < 0) throw new DnError(`expected "type=value" at position ${pos} of "${text}"`);
    const type = attributeTypeOid(text.slice(pos, eq));
    pos = eq + 1;
    skipSpaces();
    const { value, stringType } = parseValue();
    rdn.push({ type, value, stringType: stringType ?? defaultStringType(type, value) });
    if (pos === n) break;
    const sep = text[pos++];
    if (sep === ',' || sep === ';') {
      rdns.push(rdn);
      rdn = [];
    }
  }
  rdns.push(rdn);
  return rdns;

  function parseValue(): { value: string; stringType?: DnStringType | 'ber' } {
    if (text[pos] === '#') {
      const start = ++pos;
      while (pos < n && /[0-9a-fA-F]/.test(text[pos]!)) pos++;
      const hex = text.slice(start, pos);
      endOfValue();
      if (hex.length === 0 || hex.length % 2) throw new DnError(`bad hex value "#${hex}" in "${text}"`);
      return decodeBerValue(new Uint8Array(Buffer.from(hex, 'hex')));
    }
    const bytes: number[] = [];
    let quoted = false;
    if (text[pos] === '"') {
      quoted = true;
      pos++;
    }
    let keep = 0; // bytes up to the last escaped or non-space character: unescaped trailing spaces are dropped
    while (pos < n) {
      const ch = text[pos]!;
      if (quoted ? ch === '"' : ch === ',' || ch === '+' || ch === ';') break;
      if (ch === '\\') {
        const pair = text.slice(pos + 1, pos + 3);
        if (/^[0-9a-fA-F]{2}$/.test(pair)) {
          bytes.push(parseInt(pair, 16));
          pos += 3;
        } else if (pos + 1 < n) {
          const cp = text.codePointAt(pos + 1)!;
          pushUtf8(bytes, cp);
          pos += cp > 0xffff ? 3 : 2;
        } else {
          throw new DnError(`dangling "\\" at the end of "${text}"`);
        }
        keep = bytes.length;
        continue;
      }
      if (!quoted && (ch === '"' || ch === '<' || ch === '>')) {
        throw new DnError(`character '${ch}' must be escaped (position ${pos} of "${text}")`);
      }
      const cp = text.codePointAt(pos)!;
      pushUtf8(bytes, cp);
      pos += cp > 0xffff ? 2 : 1;
      if (ch !== ' ' || quoted) keep = bytes.length;
    }
    if (quoted) {
      if (text[pos] !== '"') throw new DnError(`unterminated quoted value in "${text}"`);
      pos++;
      keep = bytes.length;
      endOfValue();
    }
    try {
      return { value: utf8.decode(new Uint8Array(bytes.slice(0, keep))) };
    } catch {
      throw new DnError(`escaped bytes are not UTF-8 in "${text}"`);
    }
  }

  function endOfValue(): void {
    skipSpaces();
    if (pos < n && !',+;'.includes(text[pos]!)) {
      throw new DnError(`unexpected '${text[pos]}' at position ${pos} of "${text}"`);
    }
  }
}

function pushUtf8(bytes: number[], cp: number): void {
  if (cp < 0x80) bytes.push(cp);
  else for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
}

// ---- OpenSSL "/C=US/O=y/CN=x" --------------------------------------------------------------------------

function opensslValue(attr: DnAttribute): string {
  if (attr.stringType === 'ber') return '#' + attr.value;
  return attr.value.replace(/[\\/+]/g, (c) => '\\' + c);
}

/** Splits on `sep` where it is not escaped by a backslash; keeps the escapes for the next level. */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i];
    } else if (ch === sep) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function parseOpenSslForm(text: string): Rdn[] {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('/')) throw new DnError(`an OpenSSL-style name starts with "/": "${text}"`);
  const segments = splitUnescaped(trimmed.slice(1), '/');
  if (segments.length === 1 && segments[0] === '') return [];
  return segments.map((segment) =>
    splitUnescaped(segment, '+').map((atv) => {
      const eq = atv.indexOf('=');
      if (eq <= 0) throw new DnError(`expected "type=value", got "${atv}" in "${text}"`);
      const type = attributeTypeOid(atv.slice(0, eq));
      const value = atv.slice(eq + 1).replace(/\\(.)/gsu, '$1');
      return { type, value, stringType: defaultStringType(type, value) };
    }),
  );
}

// ---- comparison (RFC 5280 §7.1) ------------------------------------------------------------------------

/** Prepared form of a string value: compatibility-normalised, case-folded, whitespace collapsed (RFC 4518, simplified). */
function prepare(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

function attributeEquals(a: DnAttribute, b: DnAttribute): boolean {
  if (a.type !== b.type) return false;
  if (a.stringType === 'ber' || b.stringType === 'ber') return a.stringType === b.stringType && a.value === b.value;
  return prepare(a.value) === prepare(b.value);
}

/**
 * Whether two names are the same name: same RDNs in the same order, each the same set of attributes, string
 * values compared case-insensitively with whitespace collapsed, whatever their string types.
 */
export function dnEquals(a: DnInput, b: DnInput): boolean {
  const x = DistinguishedName.from(a);
  const y = DistinguishedName.from(b);
  if (x === y) return true;
  const rx = x.rdns;
  const ry = y.rdns;
  if (rx.length !== ry.length) return false;
  return rx.every((rdn, i) => {
    const other = ry[i]!;
    if (rdn.length !== other.length) return false;
    const used = new Set<number>();
    return rdn.every((attr) => {
      const j = other.findIndex((o, k) => !used.has(k) && attributeEquals(attr, o));
      if (j < 0) return false;
      used.add(j);
      return true;
    });
  });
}
