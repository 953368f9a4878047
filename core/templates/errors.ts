/** Problems a template can have, and the error substitute() throws for them. */

export type TemplateErrorCode =
  /** The name is in no table for the dialect (nor a custom attribute of the user or device). */
  | 'unknown_variable'
  /** The variable exists, but the user or device has no value for it. */
  | 'missing_source'
  /** The variable exists only for LDAP-sourced users and the user is local. */
  | 'needs_ldap'
  /** Text that starts a placeholder without finishing one ("${userCN", "${}"). */
  | 'malformed'
  /** With target 'dn': the template (or its result) is not a distinguished name. */
  | 'invalid_dn'
  /** A value that cannot go into a DN (unpaired UTF-16 surrogates). */
  | 'invalid_value'
  /** The context names a dialect that is not the product's. */
  | 'invalid_context';

export interface TemplateProblem {
  code: TemplateErrorCode;
  /** The variable's name as written (without delimiters), when the problem is about one. */
  variable?: string;
  /** The placeholder as written in the template ("${userCN}"). */
  placeholder?: string;
  /** Offset of the placeholder in the template. */
  offset?: number;
  /** The product's own text where it has one (missing_source, needs_ldap), otherwise mdmca's. */
  message: string;
  /** mdmca's explanation beside the product's text. */
  detail?: string;
  /** The guide's fix, when it gives one. */
  fix?: string;
  /** True when the message is a product text that the guides do not confirm. */
  assumption: boolean;
}

export class TemplateError extends Error {
  readonly code: TemplateErrorCode;
  readonly variable: string | undefined;
  readonly detail: string | undefined;
  readonly fix: string | undefined;
  readonly assumption: boolean;

  /** `problems[0]` is the one reported; the rest are every other problem of the same template. */
  constructor(readonly problems: readonly TemplateProblem[]) {
    const first = problems[0]!;
    super(first.message);
    this.name = 'TemplateError';
    this.code = first.code;
    this.variable = first.variable;
    this.detail = first.detail;
    this.fix = first.fix;
    this.assumption = first.assumption;
  }
}
