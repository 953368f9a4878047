/**
 * SOAP 1.1 faults (SOAP 1.1 §4.4): the one typed error of the SOAP layer. A fault is for a message the service
 * could not read (malformed XML, a DTD, a schema violation); business errors of vendor APIs travel in HTTP 200
 * bodies and are not faults.
 */
import { escapeXml } from './xml-text.js';
import { BufferedResponse } from '../http-buffered.js';

export const SOAP11_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** SOAP 1.1 fault codes, qualified with the envelope prefix the responses use ("soap"). */
export type SoapFaultCode = 'soap:Client' | 'soap:Server' | 'soap:VersionMismatch' | 'soap:MustUnderstand';

export class SoapFault extends Error {
  constructor(
    readonly faultcode: SoapFaultCode,
    readonly faultstring: string,
    /** HTTP status of the answer: SOAP 1.1 §6.2 says 500 for a fault; 413 for an oversized body. */
    readonly httpStatus = 500,
    /** Children of <detail>, in order (e.g. Symantec's {errorcode, message}); written unqualified. */
    readonly detail?: Readonly<Record<string, string>>,
  ) {
    super(faultstring);
    this.name = 'SoapFault';
  }

  toXml(): string {
    return (
      `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP11_ENVELOPE_NS}"><soap:Body><soap:Fault>` +
      `<faultcode>${this.faultcode}</faultcode><faultstring>${escapeXml(this.faultstring)}</faultstring>` +
      (this.detail ? `<detail>${Object.entries(this.detail).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('')}</detail>` : '') +
      `</soap:Fault></soap:Body></soap:Envelope>`
    );
  }

  toResponse(): Response {
    return new BufferedResponse(this.toXml(), { status: this.httpStatus, headers: { 'content-type': 'text/xml;charset=UTF-8' } });
  }
}
