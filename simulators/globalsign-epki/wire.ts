/**
 * The GasOrderService wire conventions (reference §2, §4): namespace, response wrappers, the Order/Query response
 * headers with SuccessCode 0 / -1 / 1 and Errors/Error{ErrorCode, ErrorField, ErrorMessage}, the family's Timestamp
 * form, and reading typed fields out of a request (a bad xs:int is a schema error: a SOAP Fault).
 */
import { child, el, type InvalidValueError, nonEmptyChildText, readBool, readInt, SoapFault, type XmlElement } from '../../core/soap/index.js';
import type { EpkiError } from './errors.js';

export const EPKI_NAMESPACE = 'https://system.globalsign.com/cr/ws/';

/** `2017-08-10T01:11:42.227-03:00`: ISO 8601 with milliseconds and a numeric offset (UTC here: +00:00). */
export function epkiTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

export function responseHeader(name: string, now: Date, errors: readonly EpkiError[] = [], warning = false): string {
  const successCode = errors.length === 0 ? 0 : warning ? 1 : -1;
  const errorXml = errors.length
    ? el(
        'Errors',
        errors.map((e) => el('Error', [el('ErrorCode', e.code), el('ErrorField', e.field ?? null), el('ErrorMessage', e.message)])),
      )
    : '';
  return el(name, [el('SuccessCode', successCode), errorXml, el('Timestamp', epkiTimestamp(now))]);
}

/** `<ns2:OperationResponse xmlns:ns2="…"><Response>…</Response></ns2:OperationResponse>`. */
export function wrapResponse(operation: string, inner: readonly string[]): string {
  return `<ns2:${operation}Response xmlns:ns2="${EPKI_NAMESPACE}">${el('Response', inner)}</ns2:${operation}Response>`;
}

export function requestOf(operation: XmlElement): XmlElement {
  const request = child(operation, 'Request');
  if (!request) throw new SoapFault('soap:Client', `Unmarshalling Error: {${EPKI_NAMESPACE}}${operation.name} has no Request element`);
  return request;
}

/** A trimmed string, or undefined when absent, nil or empty. */
export const text = nonEmptyChildText;

/** JAXB's wording for a value that is not of its schema type. */
const unmarshalling: InvalidValueError = (name, value, type) => new SoapFault('soap:Client', `Unmarshalling Error: Not a ${type === 'xs:boolean' ? 'boolean' : 'number'}: ${value} (element ${name}, ${type})`);

export const int = (element: XmlElement | undefined, name: string): number | undefined => readInt(element, name, unmarshalling);

export const bool = (element: XmlElement | undefined, name: string): boolean | undefined => readBool(element, name, unmarshalling);
