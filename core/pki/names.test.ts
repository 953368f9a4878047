import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { DistinguishedName, DnError, dnEquals, escapeDnValue } from './names.js';

const dir = mkdtempSync(join(tmpdir(), 'mdmca-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The subject Name DER of a self-signed certificate openssl makes with `-subj`. */
function opensslSubjectDer(subj: string, multivalue = false): Uint8Array {
  const out = join(dir, 'c.der');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'),
    '-subj', subj, '-utf8', ...(multivalue ? ['-multivalue-rdn'] : []), '-outform', 'DER', '-out', out, '-days', '1',
  ], { stdio: 'pipe' });
  const cert = AsnConvert.parse(readFileSync(out), Certificate);
  return new Uint8Array(AsnConvert.serialize(cert.tbsCertificate.subject));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('RFC 4514 strings', () => {
  it('lists RDNs in reverse of ASN.1 order', () => {
    const dn = DistinguishedName.parse('CN=x,O=y,C=US');
    expect(dn.rdns.map((r) => r[0]!.type)).toEqual(['2.5.4.6', '2.5.4.10', '2.5.4.3']);
    expect(dn.toOpenSsl()).toBe('/C=US/O=y/CN=x');
    expect(dn.toString()).toBe('CN=x,O=y,C=US');
    expect(dn.get('CN')).toBe('x');
  });

  it('reads escapes: specials, leading/trailing space, leading #, \\XX UTF-8 pairs', () => {
    const dn = DistinguishedName.parse('CN=\\ a\\,b\\+c\\;\\<\\>\\"\\\\d\\ ,O=\\#x,OU=\\C3\\A9t\\C3\\A9,L=a\\00b');
    expect(dn.get('CN')).toBe(' a,b+c;<>"\\d ');
    expect(dn.get('O')).toBe('#x');
    expect(dn.get('OU')).toBe('été');
    expect(dn.get('L')).toBe('a\u0000b');
  });

  it('reads #hex BER values, and writes dotted types that way', () => {
    const dn = DistinguishedName.parse('CN=#0c03616263,1.2.3.4=#020105,2.5.4.5=#13023132');
    expect(dn.get('CN')).toBe('abc');
    expect(dn.rdns[2]![0]).toEqual({ type: '2.5.4.3', value: 'abc', stringType: 'utf8' });
    expect(dn.rdns[1]![0]).toEqual({ type: '1.2.3.4', value: '020105', stringType: 'ber' });
    expect(dn.rdns[0]![0]).toEqual({ type: '2.5.4.5', value: '12', stringType: 'printable' });
    expect(() => DistinguishedName.parse('CN=#0c03 616263')).toThrow(DnError);
    expect(DistinguishedName.parse('1.2.3.4=foo').toString()).toBe('1.2.3.4=#0c03666f6f');
  });

  it('reads multi-valued RDNs, spaces around separators, ";" and quoted values', () => {
    const dn = DistinguishedName.parse(' CN = a + UID = b ; O="Example, Inc." , C=US ');
    expect(dn.rdns).toHaveLength(3);
    expect(dn.rdns[2]!.map((a) => a.value)).toEqual(['a', 'b']);
    expect(dn.get('O')).toBe('Example, Inc.');
    expect(dn.toString()).toBe('CN=a+UID=b,O=Example\\, Inc.,C=US');
  });

  it('escapeDnValue escapes what RFC 4514 requires and control characters', () => {
    expect(escapeDnValue(' #a,b+c;d<e>f"g\\h ')).toBe('\\ #a\\,b\\+c\\;d\\<e\\>f\\"g\\\\h\\ ');
    expect(escapeDnValue('#x')).toBe('\\#x');
    expect(escapeDnValue('a#=b')).toBe('a#=b');
    expect(escapeDnValue('\u0000\n')).toBe('\\00\\0A');
    expect(escapeDnValue('Jürgen 😀')).toBe('Jürgen 😀');
  });

  it('rejects malformed strings with DnError', () => {
    for (const bad of ['CN', 'XX=1', 'CN=a\\', 'CN=#abc', 'CN=#', 'CN="abc', 'CN=a<b', 'CN=\\FF', 'CN=#0c036162']) {
      expect(() => DistinguishedName.parse(bad), bad).toThrow(DnError);
    }
    expect(DistinguishedName.parse('').isEmpty).toBe(true);
  });
});

describe('DER', () => {
  it('encodes like openssl -subj, with the string types OpenSSL uses', () => {
    const subj = '/C=US/ST=California/O=Example, Inc./OU=Mobile+OU=Devices/CN=Jöhn Doe/emailAddress=john@example.com/serialNumber=ABC-123/DC=example/UID=jdoe/SN=Doe/GN=John/title=Eng';
    const ours = DistinguishedName.parseOpenSsl(subj);
    expect(hex(ours.der)).toBe(hex(opensslSubjectDer(subj, true)));
    expect(DistinguishedName.fromDer(opensslSubjectDer(subj, true)).toOpenSsl()).toBe(subj);
  });

  it('keeps the original bytes of a name read from DER, and decodes it lazily', () => {
    // A PrintableString CN, as Go (micromdm) writes it; re-encoding by default types would give UTF8String.
    const der = DistinguishedName.fromRdns([[{ type: 'CN', value: 'scep', stringType: 'printable' }]]).der;
    const dn = DistinguishedName.fromDer(der);
    expect(dn.der).toBe(der);
    expect(dn.rdns[0]![0]!.stringType).toBe('printable');
    expect(dn.toString()).toBe('CN=scep');
    expect(dnEquals(dn, 'CN=SCEP')).toBe(true);
    expect(hex(DistinguishedName.parse(dn.toString()).der)).not.toBe(hex(der));
  });

  it('throws DnError on malformed DER only when the attributes are read', () => {
    const dn = DistinguishedName.fromDer(new Uint8Array([0x30, 0x03, 0x31, 0x01, 0x00]));
    expect(() => dn.rdns).toThrow(DnError);
  });

  it('round-trips NumericString, VisibleString, BMPString and non-string values', () => {
    const dn = DistinguishedName.fromRdns([
      [{ type: 'serialNumber', value: '0123', stringType: 'numeric' }],
      [{ type: 'OU', value: 'vis', stringType: 'visible' }],
      [{ type: 'O', value: 'bmp ☃', stringType: 'bmp' }],
      [{ type: '1.2.3.4', value: '020105', stringType: 'ber' }],
    ]);
    expect(DistinguishedName.fromDer(dn.der).rdns).toEqual(dn.rdns);
  });

  it('falls back to UTF8String when the preferred type cannot hold a value', () => {
    const dn = DistinguishedName.parse('C=Ü,emailAddress=jö@example.com,serialNumber=a@b');
    expect(dn.rdns.map((r) => r[0]!.stringType)).toEqual(['utf8', 'utf8', 'utf8']);
    expect(DistinguishedName.parse('C=US').rdns[0]![0]!.stringType).toBe('printable');
  });
});

describe('comparison', () => {
  it('ignores case, whitespace runs and string types; respects RDN order; multi-valued RDNs are sets', () => {
    expect(dnEquals('CN=John  Doe,O=Example', 'cn= john doe ,o=EXAMPLE')).toBe(true);
    expect(dnEquals('CN=a,O=b', 'O=b,CN=a')).toBe(false);
    expect(dnEquals('CN=a+UID=b', 'UID=b+CN=a')).toBe(true);
    expect(dnEquals('CN=a', 'CN=a,O=b')).toBe(false);
    expect(dnEquals('CN=a', 'CN=b')).toBe(false);
    expect(dnEquals('CN=a', '/CN=A')).toBe(true);
  });
});

const SPECIALS = ['"', '+', ',', ';', '<', '>', '\\', '#', ' ', '=', '/', '\u0000', '\n', 'é', '😀', 'a', 'Z', '\u3000'];
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom(...SPECIALS), maxLength: 12 }),
);
const type = fc.constantFrom('CN', 'O', 'OU', 'C', 'L', 'ST', 'STREET', 'DC', 'UID', 'SN', 'GN', 'serialNumber', 'title', 'emailAddress', '1.2.3.4', '2.5.4.99');
const rdn = fc.array(fc.record({ type, value }), { minLength: 1, maxLength: 3 });
const dnArb = fc.array(rdn, { maxLength: 5 }).map((rdns) => DistinguishedName.fromRdns(rdns));

describe('properties', () => {
  it('format → parse round-trips any name', () => {
    fc.assert(fc.property(dnArb, (dn) => {
      expect(DistinguishedName.parse(dn.toString()).rdns).toEqual(dn.rdns);
    }), { seed: 4242, numRuns: 300 });
  });

  it('escapeDnValue output parses back to the same single value', () => {
    fc.assert(fc.property(value, (v) => {
      const dn = DistinguishedName.parse(`CN=${escapeDnValue(v)}`);
      expect(dn.rdns).toHaveLength(1);
      expect(dn.rdns[0]).toHaveLength(1);
      expect(dn.get('CN')).toBe(v);
    }), { seed: 4242, numRuns: 500 });
  });

  it('DER and OpenSSL forms round-trip any name', () => {
    fc.assert(fc.property(dnArb, (dn) => {
      const back = DistinguishedName.fromDer(dn.der);
      expect(dnEquals(back, dn)).toBe(true);
      expect(hex(DistinguishedName.fromRdns(back.rdns).der)).toBe(hex(dn.der));
      const single = dn.rdns.every((r) => r.length === 1);
      if (single) expect(back.rdns).toEqual(dn.rdns);
      expect(DistinguishedName.parseOpenSsl(dn.toOpenSsl()).rdns).toEqual(dn.rdns);
    }), { seed: 4242, numRuns: 300 });
  });
});
