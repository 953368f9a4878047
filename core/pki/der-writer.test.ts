import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Time } from '@peculiar/asn1-x509';
import { bitString, der, encode, integer, octetString, sequence, TAG, time } from './der-writer.js';

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

describe('der-writer', () => {
  it('writes the same bytes as asn1js for every length form', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 127, 128, 255, 256, 65535, 65536, 70000), fc.integer({ min: 0, max: 255 }), (length, fill) => {
        const content = new Uint8Array(length).fill(fill);
        expect(hex(encode(octetString(content)))).toBe(hex(new asn1js.OctetString({ valueHex: content }).toBER()));
        const nested = encode(sequence(octetString(content), integer(new Uint8Array([1]))));
        const reference = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: content }), new asn1js.Integer({ value: 1 })] });
        expect(hex(nested)).toBe(hex(reference.toBER()));
      }),
      { seed: 4242, numRuns: 40 },
    );
  });

  it('nests pre-encoded elements, [n] EXPLICIT and BIT STRINGs', () => {
    const inner = new Uint8Array(new asn1js.Integer({ value: 2 }).toBER());
    const explicit = encode(der(TAG.explicit(3), [sequence(inner)]));
    const reference = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 3 }, value: [new asn1js.Sequence({ value: [new asn1js.Integer({ value: 2 })] })] });
    expect(hex(explicit)).toBe(hex(reference.toBER()));
    expect(hex(encode(bitString(new Uint8Array([0xab, 0xcd]))))).toBe('030300abcd');
  });

  it('writes times as the library does: UTCTime through 2049, GeneralizedTime after', () => {
    const dates = fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(dates, (date) => {
        expect(hex(encode(time(date)))).toBe(hex(AsnConvert.serialize(new Time(date))));
      }),
      { seed: 4242, numRuns: 500 },
    );
    expect(hex(encode(time(new Date('2049-12-31T23:59:59.999Z'))))).toBe(hex(Buffer.from('\x17\x0d491231235959Z', 'latin1')));
    expect(hex(encode(time(new Date('2050-01-01T00:00:00Z'))))).toBe(hex(Buffer.from('\x18\x0f20500101000000Z', 'latin1')));
    expect(() => time(new Date('1949-12-31T23:59:59Z'))).toThrow(RangeError);
  });
});
