/**
 * core/soap: SOAP 1.1 plumbing shared by the SOAP simulators and connectors.
 *
 * Public API
 *   readSoapRequest(request, limitBytes = 1 MiB): Promise<SoapMessage {operation: XmlElement, header?}>
 *   parseSoapEnvelope(xml): SoapMessage — refuses DOCTYPE/ENTITY before parsing (SoapFault soap:Client)
 *   soapEnvelope(bodyXml), soapResponse(bodyXml, headers?)
 *   class SoapFault(faultcode, faultstring, httpStatus = 500) {toXml(), toResponse()}
 *   XmlElement tree helpers: child, children, childText, at, isNil; builders: el, els, escapeXml
 *   WSDL serving: isWsdlRequest(request), wsdlResponse(text), endpointAddress(request)
 *   typed reads: readInt(element, name, invalid, maxDigits = 10), readBool(element, name, invalid)
 */
export * from './fault.js';
export * from './envelope.js';
export * from './tree.js';
export * from './builder.js';
export * from './wsdl.js';
export * from './values.js';
export { escapeXml } from './xml-text.js';
