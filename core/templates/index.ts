/**
 * core/templates: variable substitution in certificate templates (subject DN, SAN, e-mail) in the three
 * dialects of the guides' MDM products.
 *
 * Public API
 *   substitute(template, {product, dialect?, target?: 'dn' | 'text', user?, device?}): {value, variables}
 *     throws TemplateError {code, variable, message, detail, fix, assumption, problems} — `message` is the
 *     product's own text for a variable without a value (MobileIron Cloud: "Variable substitution failed for
 *     {UserCN}", guide 001); `problems` lists every problem of the template, the first one is the error's.
 *     Codes: 'unknown_variable' | 'missing_source' | 'needs_ldap' | 'malformed' | 'invalid_dn' | 'invalid_value'
 *     | 'invalid_context'. With target 'dn' each value is escaped for the template's DN form (RFC 4514 via
 *     core/pki/names.ts escapeDnValue, or OpenSSL's "/CN=…" form) and the result must parse as a DN; with
 *     'text' (SAN, e-mail) values go in as they are.
 *   listVariables(template, dialect): VariableUse[] {name, placeholder, offset, definition?}
 *   validateTemplate(template, {product? | dialect?, ldap?, target?, customAttributes?}): TemplateProblem[]
 *     every problem, without a user or device (for mdmca doctor): malformed placeholders, unknown names (with a
 *     "did you mean" for a wrong case), LDAP-only variables when ldap === false (with the guide's fix), DN
 *     structure when target is 'dn'.
 *   TABLES / MOBILEIRON_TABLE / WORKSPACE_ONE_TABLE / MAAS360_TABLE: DialectTable {dialect, products, syntax,
 *     variables: VariableDefinition {name, description, source, needsLdap, assumption, evidence, fix?},
 *     customAttributes, notes}; findVariable(dialect, name); PRODUCT_DIALECT; substitutionFailedText(product, name).
 *   tokenize(template, dialect): Segment[]; placeholder(name, dialect); isVariableName(name, dialect).
 *
 * Syntax, per dialect (syntax.ts): MobileIron ${name}, Workspace ONE {Name}, MaaS360 %name%. No dialect has an
 * escape (none is documented); text that starts a placeholder without finishing one is reported as malformed,
 * never passed through. Values are inserted once and never rescanned.
 */
export { type DnForm, dnFormOf, escapeOpenSslDnValue } from './dn-escape.js';
export { TemplateError, type TemplateErrorCode, type TemplateProblem } from './errors.js';
export {
  type DeviceField,
  type Dialect,
  type DialectTable,
  type LdapField,
  PRODUCT_DIALECT,
  type Product,
  type Target,
  type UserField,
  type VariableDefinition,
  type VariableSource,
} from './model.js';
export { type ProductText, substitutionFailedText } from './product-texts.js';
export {
  listVariables,
  substitute,
  type Substitution,
  type TemplateContext,
  type ValidateOptions,
  validateTemplate,
  type VariableUse,
} from './substitute.js';
export { isVariableName, placeholder, type Segment, tokenize } from './syntax.js';
export { findVariable, MAAS360_TABLE, MOBILEIRON_TABLE, TABLES, WORKSPACE_ONE_TABLE } from './tables/index.js';
