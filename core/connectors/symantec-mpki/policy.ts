/**
 * Reading getPolicies answers (vendor-apis.md §A.5): the Mobile Profiles with their OID, seat ID attribute and
 * Required / Optional Fields, in the VeriSign policy schema's nesting (an MS-XCEP look-alike), plus the small
 * value readers the client shares.
 */
import { childText, type XmlElement } from '../../soap/index.js';

export interface SymantecPolicy {
  oid: string;
  name?: string;
  /** The attribute that carries the seat ID (e.g. mail_email); from seatIdInfo. */
  seatIdAttribute?: string;
  requiredFields: string[];
  optionalFields: string[];
  keySize?: number;
  validityDays?: number;
  renewalDays?: number;
  /** deploymentMode: Test or Production. */
  mode?: string;
  status?: string;
  deliveryFormat?: string;
}

export interface SymantecCa {
  certificate?: Uint8Array;
  intermediates: Uint8Array[];
  root?: Uint8Array;
  name?: string;
}


/**
 * The element itself or its first descendant with a local name, breadth first (the shallowest wins: response
 * shapes nest differently per service). The suite's messages.ts uses this one too.
 */
export function find(element: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!element) return undefined;
  const queue = [element];
  while (queue.length) {
    const next = queue.shift()!;
    if (next.name === name) return next;
    queue.push(...next.children);
  }
  return undefined;
}

export const b64 = (text: string | undefined): Uint8Array | undefined => (text ? new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64')) : undefined);
export const epoch = (text: string | undefined) => (text && /^-?\d+$/.test(text) ? new Date(Number(text) * 1000) : undefined);
export const num = (text: string | undefined) => (text && /^-?\d+$/.test(text.trim()) ? Number(text) : undefined);
export const truthy = (text: string | undefined) => text !== undefined && /^(true|1|yes|required|mandatory)$/i.test(text.trim());

/**
 * One field of subjectNameInfo. The VeriSign policy schema nests it as subjectNameAttribute >
 * subjectNameAttributeNameValuePair > {attributeName (the DN attribute), attributeNameValue (the field, with a
 * mandatory attribute), attributeNameValueProperty {sourceAttributeName, mandatory}}; flatter forms ({name,
 * mandatory}) are read too. Leaf settings such as overrideSubjectNameFormat are not fields.
 */
function readField(element: XmlElement): { name: string; required: boolean } | undefined {
  if (element.children.length === 0) return undefined;
  const valueElement = find(element, 'attributeNameValue');
  const name = find(element, 'sourceAttributeName')?.text || valueElement?.text || childText(element, 'name') || childText(element, 'key');
  if (!name) return undefined;
  const flag = find(element, 'mandatory')?.text ?? valueElement?.attributes.mandatory ?? find(element, 'required')?.text;
  return { name, required: truthy(flag) };
}

/** The seat ID attribute of seatIdInfo: its sourceAttributeName, or the attributeNameValue's text. */
function readSeatAttribute(seatInfo: XmlElement | undefined): string | undefined {
  if (!seatInfo) return undefined;
  return find(seatInfo, 'sourceAttributeName')?.text || find(seatInfo, 'attributeNameValue')?.text || childText(seatInfo, 'seatIdAttribute') || childText(seatInfo, 'attributeName') || seatInfo.text || undefined;
}

/**
 * A policy from getPolicies (§A.5): the OID through policyOIDReference into the oIDs table (MS-XCEP), else a
 * direct policyOID; fields from subjectNameInfo (ASSUMPTION where the schema is not public: each field is an
 * element with a name and a required/mandatory flag).
 */
export function readPolicy(policy: XmlElement, oids: Map<string, { value: string; name?: string }>): SymantecPolicy | undefined {
  const attributes = find(policy, 'attributes') ?? policy;
  const reference = childText(policy, 'policyOIDReference');
  const byReference = reference !== undefined ? oids.get(reference) : undefined;
  const oid = byReference?.value ?? childText(policy, 'policyOID') ?? childText(attributes, 'policyOID') ?? childText(policy, 'oid');
  if (!oid) return undefined;
  const seatIdAttribute = readSeatAttribute(find(attributes, 'seatIdInfo'));
  const requiredFields: string[] = [];
  const optionalFields: string[] = [];
  const subjectInfo = find(attributes, 'subjectNameInfo');
  for (const element of subjectInfo?.children ?? []) {
    const field = readField(element);
    if (field && !requiredFields.includes(field.name) && !optionalFields.includes(field.name)) (field.required ? requiredFields : optionalFields).push(field.name);
  }
  if (seatIdAttribute && !requiredFields.includes(seatIdAttribute)) {
    const i = optionalFields.indexOf(seatIdAttribute);
    if (i >= 0) optionalFields.splice(i, 1);
    requiredFields.unshift(seatIdAttribute);
  }
  const validity = find(attributes, 'certificateValidity');
  const keys = find(attributes, 'privateKeyAttributes');
  const systemInfo = find(attributes, 'systemInfo');
  const name = childText(attributes, 'commonName') ?? childText(policy, 'policyFriendlyName') ?? byReference?.name;
  const result: SymantecPolicy = { oid, requiredFields, optionalFields };
  if (name) result.name = name;
  if (seatIdAttribute) result.seatIdAttribute = seatIdAttribute;
  const keySize = num(childText(keys, 'keysize') ?? childText(keys, 'minimalKeyLength'));
  if (keySize !== undefined) result.keySize = keySize;
  const validityDays = num(childText(validity, 'validityPeriodDays'));
  if (validityDays !== undefined) result.validityDays = validityDays;
  const renewalDays = num(childText(validity, 'renewalPeriodDays'));
  if (renewalDays !== undefined) result.renewalDays = renewalDays;
  const mode = childText(attributes, 'deploymentMode');
  if (mode) result.mode = mode;
  const status = childText(attributes, 'status');
  if (status) result.status = status;
  const deliveryFormat = childText(systemInfo, 'certificateDeliveryFormat');
  if (deliveryFormat) result.deliveryFormat = deliveryFormat;
  return result;
}

