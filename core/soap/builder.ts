/**
 * Writing XML elements as strings: a value is text, a list of child strings, or null for xsi:nil (the form
 * JAX-WS services use for an absent result, e.g. `<OrderID xsi:nil="true"/>`). Undefined omits the element.
 */
import { escapeXml } from './xml-text.js';

export type XmlValue = string | number | boolean | null | undefined | readonly string[];

export function el(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (Array.isArray(value)) return `<${name}>${value.join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The same element repeated for each value. */
export function els(name: string, values: readonly string[]): string {
  return values.map((v) => el(name, v)).join('');
}
