/**
 * Enrolment policy as a chain of middlewares, in the manner of micromdm's CSRSignerContext: each link sees the
 * request and either answers (reject, pending, an HTTP refusal) or calls next(); the last link signs. A new rule
 * is one more link. The server's default chain is renewal → the caller's policies (challenge → CSR hook →
 * approval, typically) → sign.
 */
import type { Peer } from '../http.js';
import type { CsrOverrides, IssuedCertificate } from '../pki/ca.js';
import type { ParsedCertificate } from '../pki/certificate.js';
import type { ParsedCsr } from '../pki/csr.js';
import type { CertificateProfile } from '../pki/profile.js';
import type { FailInfo, MessageType } from './constants.js';
import { FailInfo as Fail } from './constants.js';
import type { ParsedRequest } from './messages.js';

export interface EnrollmentContext {
  readonly messageType: MessageType.PKCSReq | MessageType.RenewalReq;
  readonly transactionId: string;
  readonly request: ParsedRequest;
  readonly csr: ParsedCsr;
  readonly now: Date;
  readonly peer: Peer;
  /** 'renewal' for a RenewalReq, and for a PKCSReq signed by a certificate that names this CA as its issuer. */
  readonly kind: 'enrollment' | 'renewal';
  /** The verified certificate that signed a renewal (set by the renewal link). */
  renewalOf?: ParsedCertificate;
  /** What authenticated the request: 'renewal', 'challenge', 'one-time challenge', or a custom link's word. */
  authenticatedBy?: string;
  /** What a link may change in the certificate about to be issued. */
  overrides: CsrOverrides;
  /** Replaces the server's profile for this request. */
  profile?: CertificateProfile;
  /** Free-form facts for the exchange record ("challenge accepted", …). */
  notes: string[];
}

export type PolicyResult =
  | { kind: 'issued'; certificate: IssuedCertificate }
  | { kind: 'rejected'; failInfo: FailInfo; text: string }
  | { kind: 'pending'; reason?: string }
  /** A vendor's plain HTTP refusal instead of a CertRep (e.g. Symantec's 412 "Passcode is either redeemed or locked"). */
  | { kind: 'http'; status: number; body: string; contentType?: string };

export type EnrollmentPolicy = (context: EnrollmentContext, next: () => Promise<PolicyResult>) => Promise<PolicyResult>;

type ResultOf<K extends PolicyResult['kind']> = Extract<PolicyResult, { kind: K }>;

export const reject = (failInfo: FailInfo, text: string): ResultOf<'rejected'> => ({ kind: 'rejected', failInfo, text });
export const pending = (reason?: string): ResultOf<'pending'> => ({ kind: 'pending', ...(reason !== undefined ? { reason } : {}) });
export const httpRefusal = (status: number, body: string, contentType = 'text/plain; charset=utf-8'): ResultOf<'http'> => ({
  kind: 'http',
  status,
  body,
  contentType,
});

/** Runs `policies` in order around `terminal`. A link that calls next() twice gets the first answer again. */
export function composePolicies(
  policies: readonly EnrollmentPolicy[],
  terminal: (context: EnrollmentContext) => Promise<PolicyResult>,
): (context: EnrollmentContext) => Promise<PolicyResult> {
  return (context) => {
    const run = (index: number): Promise<PolicyResult> => {
      const link = policies[index];
      if (!link) return terminal(context);
      let downstream: Promise<PolicyResult> | undefined;
      return link(context, () => (downstream ??= run(index + 1)));
    };
    return run(0);
  };
}

/** What a CSR hook answers: 'allow', or a result made with reject(), pending() or httpRefusal(). */
export type CsrVerdict = 'allow' | Exclude<PolicyResult, { kind: 'issued' }>;
export type CsrHook = (csr: ParsedCsr, context: EnrollmentContext) => CsrVerdict | Promise<CsrVerdict>;

/** The CSR hook (micromdm's csrverifier): a function decides on each request's CSR. */
export function csrPolicy(hook: CsrHook): EnrollmentPolicy {
  return async (context, next) => {
    const verdict = await hook(context.csr, context);
    return verdict === 'allow' ? next() : verdict;
  };
}

export interface ApprovalOptions {
  /** Whether approval is required now (the simulator's admin surface flips it); default always. */
  enabled?: () => boolean;
  /** Whether a verified renewal also waits; default false (the certificate it renews was approved). */
  renewals?: boolean;
  reason?: string;
}

/** Manual approval: the request is answered PENDING and kept until an operator approves or rejects it. */
export function manualApproval(options: ApprovalOptions = {}): EnrollmentPolicy {
  const reason = options.reason ?? 'awaiting manual approval';
  return async (context, next) => {
    if (options.enabled && !options.enabled()) return next();
    if (context.authenticatedBy === 'renewal' && !options.renewals) return next();
    return pending(reason);
  };
}

/** Refuses every request whose CSR key is weaker than `minimumRsaBits` (step-ca's minimumPublicKeyLength). */
export function minimumKeySize(minimumRsaBits: number): EnrollmentPolicy {
  return csrPolicy((csr) =>
    csr.keySpec.type === 'rsa' && csr.keySpec.bits < minimumRsaBits
      ? reject(Fail.badRequest, `RSA key of ${csr.keySpec.bits} bits is below the minimum of ${minimumRsaBits}`)
      : 'allow',
  );
}
