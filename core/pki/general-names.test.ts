import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralNames } from '@peculiar/asn1-x509';
import { decodeGeneralNames, encodeGeneralNames, GeneralNameError, type GeneralNameEntry, parseGeneralName, toGeneralName } from './general-names.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('general names', () => {
  it('encodes a UPN as otherName 1.3.6.1.4.1.311.20.2.3 with an explicit [0] UTF8String', () => {
    const der = encodeGeneralNames([{ type: 'upn', value: 'jdoe@example.com' }]);
    const utf8 = Buffer.from('jdoe@example.com').toString('hex');
    // SEQUENCE { [0] { OID, [0] { UTF8String } } }
    expect(hex(der)).toBe(`3022a020060a2b060104018237140203a0120c10${utf8}`);
    expect(decodeGeneralNames(der)).toEqual([{ type: 'upn', value: 'jdoe@example.com' }]);
  });

  it('round-trips every type', () => {
    const entries: GeneralNameEntry[] = [
      { type: 'email', value: 'a@example.com' },
      { type: 'dns', value: 'device.example.com' },
      { type: 'uri', value: 'https://example.com/x?y=1' },
      { type: 'ip', value: '192.0.2.7' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'upn', value: 'Jürgen@example.com' },
      { type: 'dn', value: 'CN=Device 1,O=Example,C=US' },
    ];
    expect(decodeGeneralNames(encodeGeneralNames(entries))).toEqual(entries);
  });

  it('keeps other general names as the hex of their DER', () => {
    // registeredID [8] 1.2.3.4
    const other = { type: 'other' as const, value: '88032a0304' };
    const decoded = decodeGeneralNames(encodeGeneralNames([other, { type: 'dns', value: 'x' }]));
    expect(decoded).toEqual([other, { type: 'dns', value: 'x' }]);
  });

  it('rejects what it cannot encode with GeneralNameError', () => {
    expect(() => encodeGeneralNames([{ type: 'dns', value: 'bücher.example' }])).toThrow(GeneralNameError);
    expect(() => encodeGeneralNames([{ type: 'ip', value: '300.1.1.1' }])).toThrow(GeneralNameError);
    expect(() => encodeGeneralNames([{ type: 'ip', value: '1::2::3' }])).toThrow(GeneralNameError);
    expect(() => encodeGeneralNames([])).toThrow(GeneralNameError);
    expect(() => decodeGeneralNames(new Uint8Array([0x30, 0x03, 0x82]))).toThrow(GeneralNameError);
  });

  it('reads OpenSSL-style TYPE:value', () => {
    expect(parseGeneralName('DNS:a.example')).toEqual({ type: 'dns', value: 'a.example' });
    expect(parseGeneralName('UPN:u@d')).toEqual({ type: 'upn', value: 'u@d' });
    expect(parseGeneralName('dirName:CN=x')).toEqual({ type: 'dn', value: 'CN=x' });
    expect(() => parseGeneralName('foo')).toThrow(GeneralNameError);
  });

  it('round-trips arbitrary names (property)', () => {
    const ascii = fc.string({ unit: 'binary-ascii', maxLength: 30 });
    const entry = fc.oneof(
      fc.record({ type: fc.constantFrom('email' as const, 'dns' as const, 'uri' as const), value: ascii }),
      fc.record({ type: fc.constant('upn' as const), value: fc.string({ unit: 'binary', maxLength: 30 }) }),
      fc.ipV4().map((value) => ({ type: 'ip' as const, value })),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
        expect(decodeGeneralNames(encodeGeneralNames(entries))).toEqual(entries);
      }),
      { seed: 4242, numRuns: 200 },
    );
  });

  it('writes e-mail, DNS, URI and UPN names byte for byte as the library does (property)', () => {
    const library = (entries: GeneralNameEntry[]) => new Uint8Array(AsnConvert.serialize(new GeneralNames(entries.map(toGeneralName))));
    const ascii = fc.string({ unit: 'binary-ascii', maxLength: 200 }); // past 127 bytes: long-form lengths
    const entry = fc.oneof(
      fc.record({ type: fc.constantFrom('email' as const, 'dns' as const, 'uri' as const), value: ascii }),
      fc.record({ type: fc.constant('upn' as const), value: fc.string({ unit: 'binary', maxLength: 200 }) }),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
        expect(Buffer.from(encodeGeneralNames(entries)).toString('hex')).toBe(Buffer.from(library(entries)).toString('hex'));
      }),
      { seed: 4243, numRuns: 300 },
    );
    expect(() => encodeGeneralNames([{ type: 'email', value: 'jös@example.com' }])).toThrow(GeneralNameError);
  });
});
