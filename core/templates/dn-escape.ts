/**
 * Escaping a substituted value for the DN form its template is written in: RFC 4514 ("CN=x,O=y", escaped with
 * core/pki/names.ts escapeDnValue), or OpenSSL's slash form ("/CN=x/O=y", MaaS360's default subject), where
 * DistinguishedName.parseOpenSsl takes a backslash before '/', '+' and '\'.
 */
import { DistinguishedName, escapeDnValue } from '../pki/names.js';

export type DnForm = 'rfc4514' | 'openssl';

/** The same rule DistinguishedName.from uses to tell the forms apart. */
export function dnFormOf(template: string): DnForm {
  return template.trimStart().startsWith('/') ? 'openssl' : 'rfc4514';
}

export function escapeOpenSslDnValue(value: string): string {
  return value.replace(/[\\/+]/g, (c) => '\\' + c);
}

export function escapeForDn(value: string, form: DnForm): string {
  return form === 'openssl' ? escapeOpenSslDnValue(value) : escapeDnValue(value);
}

export function parseDn(text: string, form: DnForm): DistinguishedName {
  return form === 'openssl' ? DistinguishedName.parseOpenSsl(text) : DistinguishedName.parse(text);
}

/** True when the string has no unpaired surrogate (it can be encoded as UTF-8 and back). */
export function isWellFormedUnicode(value: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}
