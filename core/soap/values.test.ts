import { describe, expect, it } from 'vitest';
import { parseSoapEnvelope } from './envelope.js';
import { readBool, readInt } from './values.js';

const body = parseSoapEnvelope(
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><op><n> 42 </n><big>12345678901</big><t>1</t><f>false</f><bad>yes</bad><e></e></op></s:Body></s:Envelope>`,
).operation;
const invalid = (name: string, value: string, type: string) => new Error(`${name}=${value} is not ${type}`);

describe('readInt / readBool', () => {
  it('reads trimmed values, undefined for absent or empty', () => {
    expect(readInt(body, 'n', invalid)).toBe(42);
    expect(readInt(body, 'e', invalid)).toBeUndefined();
    expect(readInt(body, 'missing', invalid)).toBeUndefined();
    expect(readInt(body, 'big', invalid, 18)).toBe(12345678901);
    expect([readBool(body, 't', invalid), readBool(body, 'f', invalid), readBool(body, 'e', invalid)]).toEqual([true, false, undefined]);
  });

  it("refuses with the caller's error", () => {
    expect(() => readInt(body, 'big', invalid)).toThrow('big=12345678901 is not xs:int');
    expect(() => readInt(body, 'bad', invalid, 18)).toThrow('bad=yes is not xs:long');
    expect(() => readBool(body, 'bad', invalid)).toThrow('bad=yes is not xs:boolean');
  });
});
