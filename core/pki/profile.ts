/**
 * Certificate profiles: what a CertificateAuthority puts in the certificates it issues, and their compiled form,
 * in which every extension that does not depend on the request is already encoded (DESIGN.md, "The signing
 * path"), so that issuing costs only the per-request parts.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import type { KeyObject } from 'node:crypto';
import { type HashName, signatureAlgorithm } from './algorithms.js';
import {
  type AuthorityInfoAccess,
  authorityInfoAccessExtension,
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  certificatePoliciesExtension,
  crlDistributionPointsExtension,
  EXT,
  encodeExtension,
  type ExtensionSpec,
  extendedKeyUsageExtension,
  type KeyUsageName,
  keyUsageExtension,
  type PolicySpec,
} from './extensions.js';
import { encodeGeneralNames, type GeneralNameEntry } from './general-names.js';

/** Where a certificate's subjectAltName comes from: the CSR's request, a fixed list, or nowhere. */
export type SanPolicy = 'csr' | 'none' | { names: GeneralNameEntry[] };

export interface CertificateProfile {
  /** Validity from now; default 365. */
  validityDays?: number;
  /** An explicit end of validity; wins over validityDays. */
  notAfter?: Date;
  /** notBefore = now − backdateSeconds, for clients whose clocks run slow; default 0. */
  backdateSeconds?: number;
  /** Never let a certificate outlive its issuer; default true. */
  capToIssuerNotAfter?: boolean;
  /** Default: keyCertSign, cRLSign, digitalSignature for a CA; digitalSignature, keyEncipherment otherwise. [] for none. */
  keyUsage?: KeyUsageName[];
  /** Names (clientAuth, smartcardLogon, …) or OIDs; none by default. */
  extendedKeyUsage?: string[];
  /** Default 'csr' (copy what the request asks for, as it is). */
  subjectAltNames?: SanPolicy;
  crlDistributionPoints?: string[];
  authorityInfoAccess?: AuthorityInfoAccess;
  certificatePolicies?: PolicySpec[];
  /** Signature hash; default sha256. sha1 exists for legacy CA profiles. */
  hash?: HashName;
  isCa?: boolean;
  /** basicConstraints pathLenConstraint, for CAs. */
  pathLength?: number;
  /** Anything else, added after the extensions above. */
  extraExtensions?: ExtensionSpec[];
}

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** A profile ready for an issuer: every request-independent part encoded once. */
export interface CompiledProfile {
  readonly hash: HashName;
  /** The signature AlgorithmIdentifier DER (TBSCertificate.signature and Certificate.signatureAlgorithm). */
  readonly signatureAlgorithm: Uint8Array;
  /** Encoded Extension elements that every certificate of this profile carries, in order. */
  readonly fixedExtensions: readonly Uint8Array[];
  /** 'csr', 'none', or the GeneralNames DER of a fixed list. */
  readonly san: 'csr' | 'none' | Uint8Array;
  readonly validityMs: number;
  readonly notAfter: Date | undefined;
  readonly backdateMs: number;
  readonly capToIssuerNotAfter: boolean;
}

const DAY_MS = 86_400_000;

/** Compiles `profile` for an issuer with `signingKey` whose key identifier is `issuerKeyId`. */
export function compileProfile(profile: CertificateProfile, signingKey: KeyObject, issuerKeyId: Uint8Array): CompiledProfile {
  const validityDays = profile.validityDays ?? 365;
  if (!(validityDays > 0)) throw new ProfileError(`validityDays must be positive, got ${validityDays}`);
  const backdate = profile.backdateSeconds ?? 0;
  if (!(backdate >= 0)) throw new ProfileError(`backdateSeconds must not be negative, got ${backdate}`);
  if (profile.pathLength !== undefined && (!profile.isCa || !(profile.pathLength >= 0))) {
    throw new ProfileError('pathLength needs isCa and a value >= 0');
  }
  const hash = profile.hash ?? 'sha256';
  const alg = signatureAlgorithm(signingKey, hash);
  const algorithmId = new AlgorithmIdentifier({ algorithm: alg.oid, ...(alg.nullParameters && { parameters: null }) });

  const isCa = profile.isCa ?? false;
  const keyUsage = profile.keyUsage ?? (isCa ? ['keyCertSign', 'cRLSign', 'digitalSignature'] : ['digitalSignature', 'keyEncipherment']);
  const specs: ExtensionSpec[] = [basicConstraintsExtension(isCa, profile.pathLength)];
  if (keyUsage.length > 0) specs.push(keyUsageExtension(keyUsage));
  if (profile.extendedKeyUsage?.length) specs.push(extendedKeyUsageExtension(profile.extendedKeyUsage));
  specs.push(authorityKeyIdentifierExtension(issuerKeyId));
  if (profile.crlDistributionPoints?.length) specs.push(crlDistributionPointsExtension(profile.crlDistributionPoints));
  if (profile.authorityInfoAccess) specs.push(authorityInfoAccessExtension(profile.authorityInfoAccess));
  if (profile.certificatePolicies?.length) specs.push(certificatePoliciesExtension(profile.certificatePolicies));
  specs.push(...(profile.extraExtensions ?? []));
  // The issuer adds the SAN and SKI per certificate; a certificate must not carry an extension twice (§4.2).
  const oids = [...specs.map((s) => s.oid), EXT.subjectAltName, EXT.subjectKeyIdentifier];
  const twice = oids.find((oid, i) => oids.indexOf(oid) !== i);
  if (twice) throw new ProfileError(`extension ${twice} would appear twice; set it through its profile field`);

  const policy = profile.subjectAltNames ?? 'csr';
  return {
    hash,
    signatureAlgorithm: new Uint8Array(AsnConvert.serialize(algorithmId)),
    fixedExtensions: specs.map(encodeExtension),
    san: typeof policy === 'string' ? policy : policy.names.length ? encodeGeneralNames(policy.names) : 'none',
    validityMs: validityDays * DAY_MS,
    notAfter: profile.notAfter,
    backdateMs: backdate * 1000,
    capToIssuerNotAfter: profile.capToIssuerNotAfter ?? true,
  };
}
