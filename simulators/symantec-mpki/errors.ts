/**
 * Every refusal of the simulated PKI Web Services, in one table (vendor-apis.md §A.7, §A.8).
 *
 * ASSUMPTION: no public MPKI error-code table exists (§E). The codes below are the simulator's own; the texts
 * follow the reference's fault list, DigiCert's successor texts where known (S10: "CSR key length 4096 does not
 * match 2048"), and schema-validation wording for [C schema] rules. Transport per §A.7: a SOAP 1.1 Fault with
 * faultstring = message and detail {errorcode, message}; management outcomes (already revoked, nothing to
 * revoke) travel as a negative successCode in HTTP 200 instead (`result: true`).
 */
import { SoapFault, type SoapFaultCode } from '../../core/soap/index.js';

interface MpkiErrorDefinition {
  code: string;
  /** `{0}`, `{1}` are replaced with the arguments. */
  message: string;
  faultcode: SoapFaultCode;
  /** A management outcome: successCode = Number(code) in a 200 answer, not a Fault. */
  result?: boolean;
}

export const MPKI_ERRORS = {
  // schema rules ([C] schema, behaviour [I])
  badVersion: { code: '-101', message: 'Invalid version "{0}": the version must match \\d{1,3}\\.\\d{0,3}', faultcode: 'soap:Client' },
  transactionIdTooLong: { code: '-102', message: 'clientTransactionID is longer than 40 characters', faultcode: 'soap:Client' },
  missingElement: { code: '-103', message: 'Required element {0} is missing', faultcode: 'soap:Client' },
  invalidValue: { code: '-104', message: 'Invalid value "{1}" for {0}', faultcode: 'soap:Client' },
  unknownOperation: { code: '-105', message: 'Unknown operation {0}', faultcode: 'soap:Client' },
  bulkTooMany: { code: '-106', message: 'Too many {0} values in one request (at most {1})', faultcode: 'soap:Client' },
  // ASSUMPTION: like a JAX-WS endpoint, a SOAPAction naming another operation than the body's is refused.
  soapActionMismatch: { code: '-108', message: 'SOAPAction "{0}" does not match the operation {1} (expected {2})', faultcode: 'soap:Client' },
  commentTooLong: { code: '-107', message: 'comment is longer than 512 characters', faultcode: 'soap:Client' },
  // authorization (§A.2 [I])
  raNotAuthenticated: { code: '-201', message: 'Not authorized: no valid RA certificate was presented', faultcode: 'soap:Client' },
  raNotRegistered: { code: '-202', message: 'Not authorized: the RA certificate is not registered to this account', faultcode: 'soap:Client' },
  raNotAuthorized: { code: '-203', message: 'Not authorized: the RA is not authorized for certificate profile {0}', faultcode: 'soap:Client' },
  // profiles (§A.8 3)
  profileNotFound: { code: '-301', message: 'Certificate profile {0} not found', faultcode: 'soap:Client' },
  profileNotEnabled: { code: '-302', message: 'Certificate profile {0} is not enabled for web services enrollment', faultcode: 'soap:Client' },
  // enrollment data (§A.8 4, 5, 8)
  seatIdMissing: { code: '-401', message: 'The seat ID attribute {0} is missing', faultcode: 'soap:Client' },
  requiredFieldMissing: { code: '-402', message: 'Required field {0} is missing or empty', faultcode: 'soap:Client' },
  // ASSUMPTION: an optional field sent with an empty value is refused (guide 000: a field with no value, such as a
  // tablet's phone number, must be left out), so a connector that sends it empty is caught.
  emptyFieldValue: { code: '-409', message: 'Field {0} has an empty value; leave out an optional field that has no value', faultcode: 'soap:Client' },
  seatNotFound: { code: '-403', message: 'Could not find seat with identifier = {0} using {1} as seat id mapping', faultcode: 'soap:Client' },
  csrMissing: { code: '-404', message: 'A PKCS10 binarySecurityToken is required', faultcode: 'soap:Client' },
  csrInvalid: { code: '-405', message: 'The PKCS10 request is invalid: {0}', faultcode: 'soap:Client' },
  keySizeNotAllowed: { code: '-406', message: 'CSR key length {0} does not match {1}', faultcode: 'soap:Client' },
  keyAlgorithmNotAllowed: { code: '-407', message: 'CSR key algorithm {0} is not allowed; the profile requires RSA', faultcode: 'soap:Client' },
  tokenTypeNotAllowed: { code: '-408', message: 'Token type {0} is not allowed for certificate profile {1}', faultcode: 'soap:Client' },
  // seats (guide 000, Seat usage)
  seatPoolExhausted: { code: '-501', message: 'No seats left in the {0} seat pool ({1} purchased, {2} used)', faultcode: 'soap:Client' },
  // pending flow (§A.8 9)
  pendingNotFound: { code: '-601', message: 'No pending request with reference ID {0}', faultcode: 'soap:Client' },
  pendingRejected: { code: '-602', message: 'The request {0} was rejected by the administrator', faultcode: 'soap:Client' },
  // renewal (§A.8 10)
  renewCertificateMissing: { code: '-701', message: 'Renew needs the certificate to renew as an X509v3 or PKCS7 binarySecurityToken', faultcode: 'soap:Client' },
  renewNotPermitted: { code: '-702', message: 'Failed to renew the specified certificate: renewal is not permitted until {0}', faultcode: 'soap:Client' },
  renewNotValid: { code: '-703', message: 'Failed to renew the specified certificate: the certificate is {0}', faultcode: 'soap:Client' },
  // certificate management
  certificateNotFound: { code: '-801', message: 'Certificate with serial number {0} not found', faultcode: 'soap:Client' },
  keyNotEscrowed: { code: '-802', message: 'Key recovery is not available: the key of certificate {0} is not escrowed', faultcode: 'soap:Client' },
  userNotFound: { code: '-803', message: 'User with seat ID {0} not found', faultcode: 'soap:Client' },
  passcodeNotFound: { code: '-804', message: 'No passcode for seat ID {0} and profile {1}', faultcode: 'soap:Client' },
  alreadyRevoked: { code: '-1', message: 'Certificate {0} is already revoked', faultcode: 'soap:Client', result: true },
  notSuspended: { code: '-2', message: 'Certificate {0} is not suspended', faultcode: 'soap:Client', result: true },
  notValid: { code: '-3', message: 'Certificate {0} is not valid', faultcode: 'soap:Client', result: true },
  nothingToUpdate: { code: '-4', message: 'No certificate found for {0}', faultcode: 'soap:Client', result: true },
  // service
  serviceDown: { code: '-901', message: 'The service is temporarily unavailable', faultcode: 'soap:Server' },
  internal: { code: '-999', message: 'Internal error: {0}', faultcode: 'soap:Server' },
} as const satisfies Record<string, MpkiErrorDefinition>;

export type MpkiErrorKey = keyof typeof MPKI_ERRORS;

export class MpkiError extends Error {
  readonly code: string;
  readonly result: boolean;
  constructor(
    readonly key: MpkiErrorKey,
    ...args: (string | number)[]
  ) {
    const definition: MpkiErrorDefinition = MPKI_ERRORS[key];
    super(definition.message.replace(/\{(\d)\}/g, (_, i: string) => String(args[Number(i)] ?? '')));
    this.name = 'MpkiError';
    this.code = definition.code;
    this.result = definition.result ?? false;
  }

  toFault(): SoapFault {
    const definition: MpkiErrorDefinition = MPKI_ERRORS[this.key];
    return new SoapFault(definition.faultcode, this.message, 500, { errorcode: this.code, message: this.message });
  }
}
