/**
 * Certificate extensions (RFC 5280 §4.2): their OIDs, builders that return an ExtensionSpec (OID, criticality,
 * extnValue DER), the Extension DER, and a parser that turns a list of extensions into named fields. Everything is
 * encoded and decoded by @peculiar/asn1-x509.
 */
import * as asn1js from 'asn1js';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AccessDescription,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CertificatePolicies,
  CRLDistributionPoints,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  Extension,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  PolicyInformation,
  PolicyQualifierInfo,
  SubjectPublicKeyInfo,
} from '@peculiar/asn1-x509';
import { digest } from './algorithms.js';
import { decodeGeneralNames, encodeGeneralNames, type GeneralNameEntry } from './general-names.js';

export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

const AD_OCSP = '1.3.6.1.5.5.7.48.1';
const AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const QT_CPS = '1.3.6.1.5.5.7.2.1';

export class ExtensionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExtensionError';
  }
}

/** One extension: `value` is the DER inside extnValue's OCTET STRING. */
export interface ExtensionSpec {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** Extension DER (SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }). */
export function encodeExtension(spec: ExtensionSpec): Uint8Array {
  return new Uint8Array(
    AsnConvert.serialize(new Extension({ extnID: spec.oid, critical: spec.critical, extnValue: new OctetString(spec.value) })),
  );
}

// ---- key usage ---------------------------------------------------------------------------------------------

/** RFC 5280 bit order: digitalSignature is bit 0. */
export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGES)[number];

export function keyUsageExtension(usages: readonly KeyUsageName[], critical = true): ExtensionSpec {
  let flags = 0;
  for (const usage of usages) {
    const bit = KEY_USAGES.indexOf(usage === ('contentCommitment' as KeyUsageName) ? 'nonRepudiation' : usage);
    if (bit < 0) throw new ExtensionError(`unknown key usage "${usage}"`);
    flags |= 1 << bit;
  }
  if (flags === 0) throw new ExtensionError('keyUsage needs at least one usage');
  return { oid: EXT.keyUsage, critical, value: serialize(new KeyUsage(flags)) };
}

function parseKeyUsage(value: Uint8Array): KeyUsageName[] {
  const flags = AsnConvert.parse(value, KeyUsage).toNumber();
  return KEY_USAGES.filter((_, bit) => flags & (1 << bit));
}

// ---- extended key usage ------------------------------------------------------------------------------------

export const EXTENDED_KEY_USAGES: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ipsecEndSystem: '1.3.6.1.5.5.7.3.5',
  ipsecTunnel: '1.3.6.1.5.5.7.3.6',
  ipsecUser: '1.3.6.1.5.5.7.3.7',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  ipsecIKE: '1.3.6.1.5.5.7.3.17',
  smartcardLogon: '1.3.6.1.4.1.311.20.2.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
};
const EKU_NAMES = new Map(Object.entries(EXTENDED_KEY_USAGES).map(([name, oid]) => [oid, name]));

/** The OID of an EKU name (clientAuth, smartcardLogon, …) or dotted OID. */
export function extendedKeyUsageOid(nameOrOid: string): string {
  const oid = EXTENDED_KEY_USAGES[nameOrOid] ?? nameOrOid;
  if (!/^\d+(\.\d+)+$/.test(oid)) throw new ExtensionError(`unknown extended key usage "${nameOrOid}"`);
  return oid;
}

export function extendedKeyUsageExtension(usages: readonly string[], critical = false): ExtensionSpec {
  if (usages.length === 0) throw new ExtensionError('extendedKeyUsage needs at least one purpose');
  return { oid: EXT.extKeyUsage, critical, value: serialize(new ExtendedKeyUsage(usages.map(extendedKeyUsageOid))) };
}

// ---- basic constraints, key identifiers --------------------------------------------------------------------

export function basicConstraintsExtension(ca: boolean, pathLength?: number, critical = true): ExtensionSpec {
  const bc = new BasicConstraints({ cA: ca });
  if (ca && pathLength !== undefined) bc.pathLenConstraint = pathLength;
  return { oid: EXT.basicConstraints, critical, value: serialize(bc) };
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifierOfSpki(spki: Uint8Array): Uint8Array {
  return digest('sha1', new Uint8Array(AsnConvert.parse(spki, SubjectPublicKeyInfo).subjectPublicKey));
}

export function subjectKeyIdentifierExtension(keyId: Uint8Array): ExtensionSpec {
  return { oid: EXT.subjectKeyIdentifier, critical: false, value: serialize(new KeyIdentifier(keyId)) };
}

export function authorityKeyIdentifierExtension(keyId: Uint8Array): ExtensionSpec {
  const aki = new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) });
  return { oid: EXT.authorityKeyIdentifier, critical: false, value: serialize(aki) };
}

// ---- names and locations -----------------------------------------------------------------------------------

/** RFC 5280 §4.2.1.6: critical when the subject is empty. */
export function subjectAltNameExtension(names: readonly GeneralNameEntry[], critical = false): ExtensionSpec {
  return { oid: EXT.subjectAltName, critical, value: encodeGeneralNames(names) };
}

export function crlDistributionPointsExtension(uris: readonly string[]): ExtensionSpec {
  const points = uris.map(
    (uri) =>
      new DistributionPoint({
        distributionPoint: new DistributionPointName({ fullName: [new GeneralName({ uniformResourceIdentifier: uri })] }),
      }),
  );
  return { oid: EXT.crlDistributionPoints, critical: false, value: serialize(new CRLDistributionPoints(points)) };
}

export interface AuthorityInfoAccess {
  caIssuers?: string[];
  ocsp?: string[];
}

export function authorityInfoAccessExtension(aia: AuthorityInfoAccess): ExtensionSpec {
  const access = (method: string) => (uri: string) =>
    new AccessDescription({ accessMethod: method, accessLocation: new GeneralName({ uniformResourceIdentifier: uri }) });
  const items = [...(aia.ocsp ?? []).map(access(AD_OCSP)), ...(aia.caIssuers ?? []).map(access(AD_CA_ISSUERS))];
  if (items.length === 0) throw new ExtensionError('authorityInfoAccess needs a caIssuers or ocsp URI');
  return { oid: EXT.authorityInfoAccess, critical: false, value: serialize(new AuthorityInfoAccessSyntax(items)) };
}

export interface PolicySpec {
  oid: string;
  cpsUri?: string;
}

export function certificatePoliciesExtension(policies: readonly PolicySpec[]): ExtensionSpec {
  const infos = policies.map(
    (p) =>
      new PolicyInformation({
        policyIdentifier: p.oid,
        policyQualifiers: p.cpsUri
          ? [new PolicyQualifierInfo({ policyQualifierId: QT_CPS, qualifier: new asn1js.IA5String({ value: p.cpsUri }).toBER() })]
          : undefined,
      }),
  );
  return { oid: EXT.certificatePolicies, critical: false, value: serialize(new CertificatePolicies(infos)) };
}

// ---- parsing -----------------------------------------------------------------------------------------------

export interface ParsedExtensions {
  keyUsage?: KeyUsageName[];
  /** Names where known (clientAuth, …), dotted OIDs otherwise. */
  extendedKeyUsage?: string[];
  subjectAltNames?: GeneralNameEntry[];
  basicConstraints?: { ca: boolean; pathLength?: number };
  subjectKeyIdentifier?: Uint8Array;
  authorityKeyIdentifier?: Uint8Array;
  crlDistributionPoints?: string[];
  authorityInfoAccess?: { caIssuers: string[]; ocsp: string[] };
  certificatePolicies?: PolicySpec[];
  /** Every extension as it came, known or not, in order. */
  all: ExtensionSpec[];
}

const uriOf = (name: GeneralName | undefined) => name?.uniformResourceIdentifier;

/** Reads the extensions we know; throws ExtensionError when one of them is malformed. */
export function parseExtensions(all: ExtensionSpec[]): ParsedExtensions {
  const out: ParsedExtensions = { all };
  for (const ext of all) {
    try {
      parseOne(ext, out);
    } catch (error) {
      if (error instanceof ExtensionError) throw error;
      throw new ExtensionError(`malformed extension ${ext.oid}: ${(error as Error).message}`, { cause: error });
    }
  }
  return out;
}

function parseOne({ oid, value }: ExtensionSpec, out: ParsedExtensions): void {
  switch (oid) {
    case EXT.keyUsage:
      out.keyUsage = parseKeyUsage(value);
      break;
    case EXT.extKeyUsage:
      out.extendedKeyUsage = Array.from(AsnConvert.parse(value, ExtendedKeyUsage), (o) => EKU_NAMES.get(o) ?? o);
      break;
    case EXT.subjectAltName:
      out.subjectAltNames = decodeGeneralNames(value);
      break;
    case EXT.basicConstraints: {
      const bc = AsnConvert.parse(value, BasicConstraints);
      out.basicConstraints = { ca: bc.cA, ...(bc.pathLenConstraint !== undefined && { pathLength: bc.pathLenConstraint }) };
      break;
    }
    case EXT.subjectKeyIdentifier:
      out.subjectKeyIdentifier = new Uint8Array(AsnConvert.parse(value, KeyIdentifier).buffer);
      break;
    case EXT.authorityKeyIdentifier: {
      const keyId = AsnConvert.parse(value, AuthorityKeyIdentifier).keyIdentifier;
      if (keyId) out.authorityKeyIdentifier = new Uint8Array(keyId.buffer);
      break;
    }
    case EXT.crlDistributionPoints:
      out.crlDistributionPoints = Array.from(AsnConvert.parse(value, CRLDistributionPoints)).flatMap(
        (dp) => dp.distributionPoint?.fullName?.map(uriOf).filter((u): u is string => !!u) ?? [],
      );
      break;
    case EXT.authorityInfoAccess: {
      const aia = Array.from(AsnConvert.parse(value, AuthorityInfoAccessSyntax));
      const uris = (method: string) =>
        aia.filter((a) => a.accessMethod === method).map((a) => uriOf(a.accessLocation)).filter((u): u is string => !!u);
      out.authorityInfoAccess = { caIssuers: uris(AD_CA_ISSUERS), ocsp: uris(AD_OCSP) };
      break;
    }
    case EXT.certificatePolicies:
      out.certificatePolicies = Array.from(AsnConvert.parse(value, CertificatePolicies), (p) => {
        const cps = p.policyQualifiers?.find((q) => q.policyQualifierId === QT_CPS);
        const parsed = cps ? asn1js.fromBER(cps.qualifier) : undefined;
        const cpsUri = parsed?.result instanceof asn1js.IA5String ? parsed.result.getValue() : undefined;
        return { oid: p.policyIdentifier, ...(cpsUri !== undefined && { cpsUri }) };
      });
      break;
  }
}

function serialize(value: object): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(value));
}
