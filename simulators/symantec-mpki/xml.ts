/**
 * Reading and writing the five services' XML: qualified elements written with one prefix per service (every
 * schema is elementFormDefault="qualified", §A.1), values read by local name (qualified or not, as core/soap's
 * tree resolves them), and the schema rules every request shares (version pattern, transaction ID length).
 */
import { type SymantecService, SERVICES, TRANSACTION_ID_MAX, VERSION_PATTERN } from '../../core/connectors/symantec-mpki/wire.js';
import { childText, el, type InvalidValueError, nonEmptyChildText, readBool, readInt, type XmlElement, type XmlValue } from '../../core/soap/index.js';
import { MpkiError } from './errors.js';

export const PREFIX: Record<SymantecService, string> = {
  enrollment: 'vswstep',
  policy: 'vscep',
  management: 'vsmgmt',
  userManagement: 'usermgmt',
  healthcheck: 'hc',
};

/** A writer of elements qualified in `service`'s namespace. */
export function writer(service: SymantecService) {
  const p = PREFIX[service];
  const q = (name: string, value: XmlValue): string => el(`${p}:${name}`, value);
  /** The response root, declaring the namespace. */
  const root = (name: string, inner: readonly string[]): string => `<${p}:${name} xmlns:${p}="${SERVICES[service].namespace}">${inner.join('')}</${p}:${name}>`;
  return { q, root, prefix: p };
}

/** A trimmed string, or undefined when absent, nil or empty. */
export const text = nonEmptyChildText;

const invalid: InvalidValueError = (name, value) => new MpkiError('invalidValue', name, value);

/** Integers up to xs:long (validFrom/validTo are epoch seconds). */
export const int = (element: XmlElement | undefined, name: string): number | undefined => readInt(element, name, invalid, 18);

export const bool = (element: XmlElement | undefined, name: string): boolean | undefined => readBool(element, name, invalid);

/** The rules of every request: version required and matching, clientTransactionID at most 40 characters. */
export function common(request: XmlElement): { version: string; clientTransactionId: string | undefined } {
  const version = text(request, 'version');
  if (version === undefined) throw new MpkiError('missingElement', 'version');
  if (!VERSION_PATTERN.test(version)) throw new MpkiError('badVersion', version);
  // Echoed verbatim (§A.4): not trimmed beyond what the parser does.
  const clientTransactionId = childText(request, 'clientTransactionID');
  if (clientTransactionId !== undefined && clientTransactionId.length > TRANSACTION_ID_MAX) throw new MpkiError('transactionIdTooLong');
  return { version, clientTransactionId: clientTransactionId === '' ? undefined : clientTransactionId };
}

export function oneOf<T extends string>(values: readonly T[], name: string, value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) throw new MpkiError('invalidValue', name, value);
  return value as T;
}
