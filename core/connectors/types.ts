/**
 * The boundary between the MDM engine and a certificate authority (DESIGN.md: the MDM <-> CA boundary). Every CA
 * the engine can use — a SCEP server, GlobalSign EPKI, Symantec MPKI, OpenTrust CMS, Entrust — stands behind one
 * CaConnector: what it can do (capabilities), a Test Connection that reports what the product reports, enrolment
 * with a CSR or with a key the CA side makes, revocation and status. Failures are ConnectorErrors carrying the
 * text the user would see in the MDM console.
 */
import type { KeyObject } from 'node:crypto';
import type { GeneralNameEntry } from '../pki/general-names.js';
import type { KeySpec } from '../pki/keys.js';
import type { RevocationReason } from '../pki/crl.js';

export interface ConnectorCapabilities {
  /** Enrols a CSR made elsewhere (on the device, or by the engine). */
  csr: boolean;
  /** Makes the key pair itself and returns it with the certificate (the engine then delivers a PKCS#12). */
  serverGeneratedKey: boolean;
  revoke: boolean;
  status: boolean;
  /** Devices can enrol at the CA themselves by SCEP ("direct", no proxy through the MDM). */
  directScep: boolean;
}

/** The key of a request: a CSR (PKCS#10 DER), or a key the connector makes. */
export type EnrollmentKey = { csr: Uint8Array } | { serverGeneratedKey: { keySpec: KeySpec } };

export interface EnrollmentProfile {
  certificateType: 'user' | 'device';
  /** Requested validity; CAs that decide it themselves (SCEP) ignore it. */
  validityDays?: number;
  /** Vendor parameters: GlobalSign profile ID and product code, Symantec profile OID and seat ID, … */
  params?: Readonly<Record<string, string>>;
  /**
   * The configuration's substituted request fields (Symantec Required/Optional Fields), kept apart from params so a
   * field never overrides a vendor parameter; connectors without request fields ignore them.
   */
  fields?: Readonly<Record<string, string>>;
}

export interface EnrollmentRequest {
  key: EnrollmentKey;
  /** RFC 4514; for APIs that take the subject as data. A SCEP CA takes it from the CSR. */
  subject: string;
  subjectAltNames?: readonly GeneralNameEntry[];
  profile: EnrollmentProfile;
}

export interface IssuedCredential {
  certificate: Uint8Array;
  /** The issuing CA and its parents, nearest first (may be empty when the CA does not say). */
  chain: Uint8Array[];
  serialHex: string;
  /** RFC 4514 subject of the issued certificate. */
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** Only for serverGeneratedKey. */
  privateKey?: KeyObject;
}

export type ConnectorErrorCode =
  /** Nothing answered at the address, or it answered 404 (the product's "no endpoint listening"). */
  | 'unreachable'
  | 'http-error'
  | 'timeout'
  /** An answer that is not what the protocol returns. */
  | 'bad-response'
  /** The CA refused the request (SCEP FAILURE, a SOAP fault, …). */
  | 'rejected'
  /** The CA holds the request for approval. */
  | 'pending'
  /** The connector cannot do this (SCEP has no revocation). */
  | 'unsupported'
  | 'authentication'
  /** The CA configuration itself is wrong or incomplete. */
  | 'configuration';

export interface ConnectorErrorOptions {
  /** mdmca's explanation beside the product text. */
  detail?: string;
  /** The guide's fix, when it gives one. */
  fix?: string;
  /** True when `message` is a product text the guides do not confirm. */
  assumption?: boolean;
  cause?: unknown;
}

/** A CA-side failure; `message` is the text the MDM console shows. */
export class ConnectorError extends Error {
  readonly detail: string | undefined;
  readonly fix: string | undefined;
  readonly assumption: boolean;

  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    options: ConnectorErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.detail = options.detail;
    this.fix = options.fix;
    this.assumption = options.assumption ?? false;
  }
}

export type ConnectionTest =
  | { ok: true; message: string; details: Record<string, string> }
  | { ok: false; code: ConnectorErrorCode; message: string; detail?: string; fix?: string; assumption: boolean };

export interface CertificateState {
  status: 'valid' | 'revoked' | 'unknown';
  revokedAt?: Date;
  reason?: string;
}

/** Where devices enrol by SCEP themselves when the MDM does not proxy. */
export interface DirectEnrollment {
  url: string;
  challenge?: string;
  /** The SCEP "Name" (CA identifier) sent with GetCACert. */
  caIdentifier?: string;
}

export interface CaConnector {
  /** The CA type, as in a CA configuration ('scep', 'globalsign-epki', …). */
  readonly type: string;
  readonly capabilities: ConnectorCapabilities;
  /** Never throws: a failure is a result with the product's text. */
  testConnection(): Promise<ConnectionTest>;
  /** The CA certificates devices should trust: issuing CA first, then its parents up to the root. */
  caCertificates(): Promise<Uint8Array[]>;
  enroll(request: EnrollmentRequest): Promise<IssuedCredential>;
  revoke(serialHex: string, reason?: RevocationReason): Promise<void>;
  status(serialHex: string): Promise<CertificateState>;
  /** Present when capabilities.directScep. */
  directEnrollment?(): DirectEnrollment;
}
