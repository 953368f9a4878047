/**
 * What a certificate request carries for one user and device: the subject, SANs and request fields of an
 * identity-certificate configuration with its template variables filled in the product's dialect
 * (core/templates). A variable without a value throws TemplateError with the product's text, except in a request
 * field, which is then left out (see fieldValue).
 */
import type { Device, User } from '../directory/model.js';
import type { GeneralNameEntry } from '../pki/general-names.js';
import { DistinguishedName } from '../pki/names.js';
import { TemplateError } from '../templates/errors.js';
import { substitute } from '../templates/substitute.js';
import type { Product } from '../templates/model.js';
import type { IdentityConfigurationSpec } from './model.js';

export interface RequestData {
  /** RFC 4514. */
  subject: string;
  subjectAltNames: GeneralNameEntry[];
  /** The configuration's caParams, unchanged: request fields never override them (GlobalSign profileId, email, …). */
  params: Record<string, string>;
  /** The substituted request fields (Symantec Required/Optional Fields); a field whose variable has no value is absent. */
  fields: Record<string, string>;
}

type TemplateContext = { product: Product; user: User; device?: Device };

export function buildRequestData(configuration: IdentityConfigurationSpec, product: Product, user: User, device?: Device): RequestData {
  const context = { product, user, ...(device ? { device } : {}) };
  const subject = DistinguishedName.from(substitute(configuration.subject, { ...context, target: 'dn' }).value).toString();
  const subjectAltNames: GeneralNameEntry[] = [];
  for (const san of configuration.subjectAltNames) {
    const value = substitute(san.value, { ...context, target: 'text' }).value;
    if (value) subjectAltNames.push({ type: san.type, value });
  }
  if (configuration.email) {
    const value = substitute(configuration.email, { ...context, target: 'text' }).value;
    if (value && !subjectAltNames.some((s) => s.type === 'email' && s.value === value)) subjectAltNames.push({ type: 'email', value });
  }
  return { subject, subjectAltNames, params: { ...configuration.caParams }, fields: buildRequestFields(configuration, product, user, device) };
}

/** Only the request fields: what the SCEP proxy needs at enrolment time (the subject and SANs come from the CSR). */
export function buildRequestFields(configuration: Pick<IdentityConfigurationSpec, 'fields'>, product: Product, user: User, device?: Device): Record<string, string> {
  const context: TemplateContext = { product, user, ...(device ? { device } : {}) };
  const fields: Record<string, string> = {};
  for (const [name, template] of Object.entries(configuration.fields)) {
    const value = fieldValue(template, context);
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

/**
 * A request field: a variable this user or device has no value for (the tablet's phone number, guide 000) leaves the
 * field out (undefined, never '' — a consumer's `??` fallback must still apply) rather than failing, because only the CA's profile knows whether the field is required (Symantec
 * Required vs Optional Fields): the connector leaves an empty optional field out and refuses an empty required one.
 * Other template problems (unknown variable, LDAP-only variable for a local user) still fail.
 */
function fieldValue(template: string, context: TemplateContext): string | undefined {
  try {
    return substitute(template, { ...context, target: 'text' }).value;
  } catch (error) {
    if (error instanceof TemplateError && error.problems.every((p) => p.code === 'missing_source')) return undefined;
    throw error;
  }
}
