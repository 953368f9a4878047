/**
 * Every error the GasOrderService simulator answers, in one table. The codes are the GAS family's
 * (../shared/reference/globalsign-epki.md §5); the EPKI guide's own table (§15.2) was not readable, so a row whose
 * code is inferred for EPKI is `confirmed: false` — ASSUMPTION — and the real values can be dropped in here
 * without code changes. Business errors travel in HTTP 200 with SuccessCode -1.
 */

export interface EpkiErrorDefinition {
  code: string;
  /** The request field the error names; a function of the request for generic rows. */
  field?: string;
  message: string;
  /** True when the family sources give this code for this meaning in EPKI too; false when inferred. */
  confirmed: boolean;
}

export const EPKI_ERRORS = {
  invalidParameter: { code: '-101', message: 'Invalid parameter value. Please check the ErrorField.', confirmed: true },
  missingParameter: { code: '-102', message: 'A mandatory parameter is missing. Please check the ErrorField.', confirmed: true },
  parameterTooLong: { code: '-103', message: 'Parameter value is too long. Please check the ErrorField.', confirmed: true },
  parameterFormat: { code: '-104', message: 'Parameter format is wrong. Please check the ErrorField.', confirmed: true },
  parameterCombination: { code: '-105', message: 'Invalid combination of parameters.', confirmed: true },
  loginFailure: { code: '-4001', field: 'UserName', message: 'Login failure. The user ID or password is incorrect.', confirmed: true },
  orderNotFound: { code: '-4003', field: 'OrderID', message: 'The OrderID does not exist.', confirmed: true },
  csrUnacceptable: { code: '-4006', field: 'CSR', message: 'The CSR is unacceptable: the key is not RSA or ECC, or is too short.', confirmed: true },
  csrInvalid: { code: '-4007', field: 'CSR', message: 'The CSR is invalid.', confirmed: true },
  targetInaccessible: { code: '-4008', field: 'TargetOrderID', message: 'The target certificate has expired or is inaccessible (revoked or cancelled).', confirmed: true },
  alreadyReissued: { code: '-4016', field: 'TargetOrderID', message: 'The certificate has already been reissued.', confirmed: true },
  ipNotAllowed: {
    code: '-4201',
    message: "Your IP address is not in the range allowed for API use. Please contact GlobalSign support to add it.",
    confirmed: true,
  },
  keyReused: { code: '-6007', field: 'CSR', message: 'The public key has already been used; re-use is allowed only with the same Common Name.', confirmed: true },
  // ASSUMPTION: no EPKI code for licences was found; -6101 ("balance too low to order") is the family's closest.
  licenceExpired: { code: '-6101', field: 'ProductCode', message: 'EPKI License Expiration Error: the licence pack for this ProductCode and Year has expired.', confirmed: false },
  licenceExhausted: { code: '-6101', field: 'ProductCode', message: 'EPKI License Expiration Error: no licences are left in the licence pack for this ProductCode and Year.', confirmed: false },
  licenceNoMatch: { code: '-6101', field: 'Year', message: 'EPKI License Expiration Error: no licence pack matches this ProductCode and Year.', confirmed: false },
  // ASSUMPTION: the MSSL "profile not found or not permitted" code, reused for EPKI profiles.
  profileNotFound: { code: '-9401', field: 'ProfileID', message: 'The profile ID was not found or is not permitted for this account.', confirmed: false },
  profileNotValidated: { code: '-9450', field: 'ProfileID', message: 'The profile has not been validated (vetting is not complete); it cannot be ordered against.', confirmed: false },
  productNotAllowed: { code: '-9901', field: 'ProductCode', message: "The user's product group does not allow the given ProductCode.", confirmed: true },
  noPermissionOrder: { code: '-9902', field: 'OrderID', message: 'No permission to access this OrderID.', confirmed: true },
  alreadyCancelled: { code: '-9915', field: 'OrderID', message: 'The order has already been cancelled.', confirmed: true },
  weakKey: { code: '-9936', field: 'CSR', message: 'The key is too short (RSA keys must be 2048 bits or more, ECC 256 or more).', confirmed: true },
  statusChanged: { code: '-9938', field: 'OrderID', message: 'The certificate status has already been changed.', confirmed: true },
  accountLocked: { code: '-9939', message: 'The account state is invalid, stopped or locked.', confirmed: true },
  notAdmin: { code: '-9200', field: 'UserName', message: 'This user type may not use this API (administrator rights are required).', confirmed: false },
  // ASSUMPTION: a SHA-1 profile after the SHA-1 sunset; -101 on HashType.
  sha1Refused: { code: '-101', field: 'HashType', message: 'SHA-1 is no longer issued: the profile must use SHA-256.', confirmed: false },
  ouNotAllowed: { code: '-101', field: 'OrganizationUnit', message: 'The Organization Unit is not allowed: the profile locks its base DN.', confirmed: false },
} as const satisfies Record<string, EpkiErrorDefinition>;

export type EpkiErrorKey = keyof typeof EPKI_ERRORS;

/** A business error: answered in HTTP 200 with SuccessCode -1. */
export class EpkiError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(
    readonly key: EpkiErrorKey,
    field?: string,
  ) {
    const definition: EpkiErrorDefinition = EPKI_ERRORS[key];
    super(definition.message);
    this.name = 'EpkiError';
    this.code = definition.code;
    this.field = field ?? definition.field;
  }
}

/** Codes the MobileIron connector reports as "EPKI License Expiration Error" (guide 001, Troubleshooting). */
export const LICENCE_ERROR_CODES: readonly string[] = [EPKI_ERRORS.licenceExpired.code];
