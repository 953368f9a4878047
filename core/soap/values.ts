/**
 * Typed reads of simple-content child elements (xs:int/xs:long, xs:boolean), shared by the SOAP simulators. The
 * caller says how to refuse a bad value, since each service faults in its own words.
 */
import { nonEmptyChildText, type XmlElement } from './tree.js';

/** Builds the error thrown for a value that is not of the schema type. */
export type InvalidValueError = (name: string, value: string, type: 'xs:int' | 'xs:long' | 'xs:boolean') => Error;

/** An integer child (trimmed; absent, nil or empty → undefined). maxDigits 10 reads xs:int, 18 xs:long (as a safe-ish number). */
export function readInt(element: XmlElement | undefined, name: string, invalid: InvalidValueError, maxDigits: 10 | 18 = 10): number | undefined {
  const value = nonEmptyChildText(element, name);
  if (value === undefined) return undefined;
  if (!new RegExp(`^[+-]?\\d{1,${maxDigits}}$`).test(value)) throw invalid(name, value, maxDigits === 10 ? 'xs:int' : 'xs:long');
  return Number(value);
}

/** An xs:boolean child: true/1, false/0 (trimmed; absent, nil or empty → undefined). */
export function readBool(element: XmlElement | undefined, name: string, invalid: InvalidValueError): boolean | undefined {
  const value = nonEmptyChildText(element, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(name, value, 'xs:boolean');
}
