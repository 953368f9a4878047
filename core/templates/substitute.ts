/**
 * Substituting the variables of a certificate template (subject DN, SAN, e-mail) from a user and a device,
 * in the dialect of the MDM product, and checking a template without substituting it (for mdmca doctor).
 * Values are inserted once, never rescanned, so a value that itself looks like a placeholder stays literal.
 */
import type { Device, User } from '../directory/model.js';
import { dnFormOf, escapeForDn, isWellFormedUnicode, parseDn } from './dn-escape.js';
import { type TemplateErrorCode, TemplateError, type TemplateProblem } from './errors.js';
import { type Dialect, PRODUCT_DIALECT, type Product, type Target, type VariableDefinition } from './model.js';
import { substitutionFailedText } from './product-texts.js';
import { resolveCustomAttribute, resolveSource } from './resolve.js';
import { placeholder, type Segment, tokenize } from './syntax.js';
import { findVariable, similarVariable, TABLES } from './tables/index.js';

export interface TemplateContext {
  product: Product;
  /** Must match the product's dialect when given. */
  dialect?: Dialect;
  /** 'text' (default) inserts values as they are; 'dn' escapes them for the DN form of the template. */
  target?: Target;
  user?: User;
  device?: Device;
}

export interface Substitution {
  value: string;
  /** The variables substituted, in template order. */
  variables: string[];
}

export interface VariableUse {
  name: string;
  placeholder: string;
  offset: number;
  /** The table entry; absent for a name in no table (possibly a custom attribute). */
  definition?: VariableDefinition;
}

export interface ValidateOptions {
  /** The product decides the dialect and the product texts; give `dialect` alone to check syntax and names only. */
  product?: Product;
  dialect?: Dialect;
  /** Whether users will come from LDAP: false reports every variable that needs LDAP. Unknown when absent. */
  ldap?: boolean;
  target?: Target;
  /** Custom attribute names that exist, so they are not reported as unknown. */
  customAttributes?: readonly string[];
}

function contextDialect(product: Product | undefined, dialect: Dialect | undefined): Dialect {
  if (product && dialect && PRODUCT_DIALECT[product] !== dialect) {
    const problem: TemplateProblem = {
      code: 'invalid_context',
      message: `${product} writes variables in the ${PRODUCT_DIALECT[product]} dialect, not ${dialect}`,
      assumption: false,
    };
    throw new TemplateError([problem]);
  }
  if (product) return PRODUCT_DIALECT[product];
  if (dialect) return dialect;
  throw new TemplateError([{ code: 'invalid_context', message: 'a product or a dialect is required', assumption: false }]);
}

function malformedProblem(segment: Extract<Segment, { kind: 'malformed' }>): TemplateProblem {
  return {
    code: 'malformed',
    placeholder: segment.raw,
    offset: segment.offset,
    message: `malformed placeholder "${segment.raw}" at offset ${segment.offset}: ${segment.reason}`,
    assumption: false,
  };
}

function unknownProblem(segment: Extract<Segment, { kind: 'placeholder' }>, dialect: Dialect): TemplateProblem {
  const similar = similarVariable(dialect, segment.name);
  return {
    code: 'unknown_variable',
    variable: segment.name,
    placeholder: segment.raw,
    offset: segment.offset,
    message: `unknown variable ${segment.raw}${similar ? ` (did you mean ${placeholder(similar.name, dialect)}?)` : ''}`,
    assumption: false,
  };
}

function unavailableProblem(
  code: Extract<TemplateErrorCode, 'missing_source' | 'needs_ldap'>,
  segment: Extract<Segment, { kind: 'placeholder' }>,
  product: Product,
  detail: string,
  fix: string | undefined,
): TemplateProblem {
  const { text, assumption } = substitutionFailedText(product, segment.name);
  return { code, variable: segment.name, placeholder: segment.raw, offset: segment.offset, message: text, detail, fix, assumption };
}

export function substitute(template: string, context: TemplateContext): Substitution {
  const dialect = contextDialect(context.product, context.dialect);
  const { product, user, device } = context;
  const form = context.target === 'dn' ? dnFormOf(template) : undefined;
  const problems: TemplateProblem[] = [];
  const variables: string[] = [];
  let value = '';
  for (const segment of tokenize(template, dialect)) {
    if (segment.kind === 'literal') {
      value += segment.text;
      continue;
    }
    if (segment.kind === 'malformed') {
      problems.push(malformedProblem(segment));
      continue;
    }
    const definition = findVariable(dialect, segment.name);
    let resolved: string | undefined;
    if (definition) {
      if (definition.needsLdap && user && user.source !== 'ldap') {
        const detail = `${segment.raw} exists only for LDAP users; user "${user.id}" is a local user`;
        problems.push(unavailableProblem('needs_ldap', segment, product, detail, definition.fix));
        continue;
      }
      resolved = resolveSource(definition.source, user, device);
      if (resolved === undefined) {
        const owner = definition.source.from === 'device' ? (device ? `device "${device.id}"` : 'no device') : user ? `user "${user.id}"` : 'no user';
        problems.push(unavailableProblem('missing_source', segment, product, `${segment.raw}: ${owner} has no ${describeSource(definition)}`, definition.fix));
        continue;
      }
    } else {
      resolved = TABLES[dialect].customAttributes.supported ? resolveCustomAttribute(segment.name, user, device) : undefined;
      if (resolved === undefined) {
        problems.push(unknownProblem(segment, dialect));
        continue;
      }
    }
    if (form && !isWellFormedUnicode(resolved)) {
      problems.push({ code: 'invalid_value', variable: segment.name, placeholder: segment.raw, offset: segment.offset, message: `the value of ${segment.raw} is not well-formed Unicode and cannot go into a DN`, assumption: false });
      continue;
    }
    variables.push(segment.name);
    value += form ? escapeForDn(resolved, form) : resolved;
  }
  if (problems.length === 0 && form) {
    const problem = dnProblem(value, form, 'the result');
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new TemplateError(problems);
  return { value, variables };
}

function describeSource(definition: VariableDefinition): string {
  const s = definition.source;
  switch (s.from) {
    case 'user':
      return `${s.field}${s.part ? ` (${s.part} part)` : ''}`;
    case 'device':
      return s.field;
    case 'ldap':
      return `LDAP ${s.field}`;
    case 'ldap-attribute':
      return `LDAP attribute ${s.attribute}`;
  }
}

function dnProblem(text: string, form: 'rfc4514' | 'openssl', what: string): TemplateProblem | undefined {
  try {
    parseDn(text, form);
    return undefined;
  } catch (e) {
    return { code: 'invalid_dn', message: `${what} is not a ${form === 'openssl' ? 'slash-form' : 'RFC 4514'} DN: ${(e as Error).message}`, assumption: false };
  }
}

/** Every placeholder of the template, in order, with its table entry when it has one. Malformed text is skipped. */
export function listVariables(template: string, dialect: Dialect): VariableUse[] {
  return tokenize(template, dialect).flatMap((s) =>
    s.kind === 'placeholder' ? [{ name: s.name, placeholder: s.raw, offset: s.offset, definition: findVariable(dialect, s.name) }] : [],
  );
}

/** Every problem of a template, without a user or device: syntax, unknown names, LDAP needs, DN structure. */
export function validateTemplate(template: string, options: ValidateOptions): TemplateProblem[] {
  const dialect = contextDialect(options.product, options.dialect);
  const custom = new Set(options.customAttributes ?? []);
  const problems: TemplateProblem[] = [];
  const segments = tokenize(template, dialect);
  for (const segment of segments) {
    if (segment.kind === 'malformed') problems.push(malformedProblem(segment));
    if (segment.kind !== 'placeholder') continue;
    const definition = findVariable(dialect, segment.name);
    if (!definition) {
      if (!(TABLES[dialect].customAttributes.supported && custom.has(segment.name))) problems.push(unknownProblem(segment, dialect));
    } else if (definition.needsLdap && options.ldap === false) {
      const detail = `${segment.raw} exists only for LDAP users, and this configuration has no LDAP`;
      problems.push(
        options.product
          ? unavailableProblem('needs_ldap', segment, options.product, detail, definition.fix)
          : { code: 'needs_ldap', variable: segment.name, placeholder: segment.raw, offset: segment.offset, message: detail, fix: definition.fix, assumption: false },
      );
    }
  }
  if (options.target === 'dn') {
    // The structure with a neutral value in every placeholder: a broken literal part shows up here.
    const form = dnFormOf(template);
    const sample = segments.map((s) => (s.kind === 'literal' ? s.text : escapeForDn('x', form))).join('');
    const problem = dnProblem(sample, form, 'the template');
    if (problem) problems.push(problem);
  }
  return problems;
}
