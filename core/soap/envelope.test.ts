import { describe, expect, it } from 'vitest';
import { at, childText, el, parseSoapEnvelope, readSoapRequest, SoapFault, soapEnvelope } from './index.js';

const ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS = 'https://system.globalsign.com/cr/ws/';

describe('parseSoapEnvelope', () => {
  it('resolves namespaces and accepts qualified or unqualified inner elements alike', () => {
    const unqualified = parseSoapEnvelope(`<s:Envelope xmlns:s="${ENV}"><s:Body><t:Op xmlns:t="${NS}"><Request><A>1 &amp; 2</A></Request></t:Op></s:Body></s:Envelope>`);
    const qualified = parseSoapEnvelope(`<Envelope xmlns="${ENV}"><Body><Op xmlns="${NS}"><Request><A>1 &amp; 2</A></Request></Op></Body></Envelope>`);
    for (const message of [unqualified, qualified]) {
      expect(message.operation).toMatchObject({ name: 'Op', ns: NS });
      expect(childText(at(message.operation, 'Request'), 'A')).toBe('1 & 2');
    }
    expect(at(qualified.operation, 'Request')!.ns).toBe(NS);
    expect(at(unqualified.operation, 'Request')!.ns).toBe('');
  });

  it('keeps values as strings and decodes character references', () => {
    const m = parseSoapEnvelope(`<s:Envelope xmlns:s="${ENV}"><s:Body><Op><Year>0001</Year><B>&#x41;&#66;</B></Op></s:Body></s:Envelope>`);
    expect(childText(m.operation, 'Year')).toBe('0001');
    expect(childText(m.operation, 'B')).toBe('AB');
  });

  it.each([
    ['an external entity', `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`],
    ['a billion-laughs DTD', `<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>`],
    ['a bare ENTITY', `<s:Envelope xmlns:s="${ENV}"><!ENTITY x "y"></s:Envelope>`],
    ['malformed XML', `<s:Envelope xmlns:s="${ENV}"><s:Body>`],
    ['not an envelope', `<a/>`],
    ['an empty Body', `<s:Envelope xmlns:s="${ENV}"><s:Body/></s:Envelope>`],
  ])('refuses %s with a Client fault', (_name, xml) => {
    expect(() => parseSoapEnvelope(xml)).toThrow(SoapFault);
    try {
      parseSoapEnvelope(xml);
    } catch (error) {
      expect((error as SoapFault).faultcode).toBe('soap:Client');
    }
  });

  it('answers VersionMismatch for a SOAP 1.2 envelope', () => {
    expect(() => parseSoapEnvelope(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><Op/></e:Body></e:Envelope>`)).toThrow(/not SOAP 1.1/);
  });
});

describe('readSoapRequest and the builders', () => {
  it('refuses a body over the limit with HTTP 413, announced or streamed', async () => {
    const big = new Request('http://x/', { method: 'POST', body: 'x'.repeat(2048) });
    await expect(readSoapRequest(big, 1024)).rejects.toMatchObject({ httpStatus: 413 });
  });
  it('writes nil and escaped elements, and a fault that parses back', () => {
    expect(el('A', null)).toBe('<A xsi:nil="true"/>');
    expect(el('A', '<&>')).toBe('<A>&lt;&amp;&gt;</A>');
    expect(el('A', undefined)).toBe('');
    const fault = parseSoapEnvelope(new SoapFault('soap:Client', 'bad <thing>').toXml());
    expect(childText(fault.operation, 'faultstring')).toBe('bad <thing>');
    expect(parseSoapEnvelope(soapEnvelope('<Op><X>1</X></Op>')).operation.name).toBe('Op');
  });
});
