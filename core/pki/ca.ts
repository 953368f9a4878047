/**
 * A certificate authority: issues certificates from CSRs or keys under a CertificateProfile, creates roots and
 * intermediates, and makes the self-signed certificates SCEP clients use for their first request.
 *
 * Issuing is the hot path (DESIGN.md, "The signing path"). Everything that does not change between requests
 * (issuer name, algorithm, profile extensions) is encoded once by the ASN.1 library and cached per profile; a
 * request costs a serial, two times, a SHA-1 for the SKI, der-writer's nesting of these pieces into one buffer,
 * and the signature on libuv's pool. The CSR's subject, key and SAN are copied as they came, never re-encoded.
 */
import * as asn1js from 'asn1js';
import type { KeyObject } from 'node:crypto';
import { digest, type HashName, sign } from './algorithms.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';
import type { ParsedCsr } from './csr.js';
import { bitString, der, type DerPart, encode, integer, octetString, sequence, TAG, time } from './der-writer.js';
import { EXT, encodeExtension, keyIdentifierOfSpki, type KeyUsageName, subjectKeyIdentifierExtension } from './extensions.js';
import { encodeGeneralNames, type GeneralNameEntry } from './general-names.js';
import { generateKeyPair, type KeyPair, type KeySpec, publicKeyOf } from './keys.js';
import { DistinguishedName, type DnInput } from './names.js';
import { publicKeyInfo } from './public-key-info.js';
import { type CertificateProfile, type CompiledProfile, compileProfile } from './profile.js';
import { type Serial, SerialGenerator } from './serial.js';
import type { Clock } from '../clock.js';

export class CaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaError';
  }
}

export interface IssuedCertificate {
  der: Uint8Array;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  subject: DistinguishedName;
}

export interface IssueRequest {
  subject: DnInput;
  /** The subject's key, or its SubjectPublicKeyInfo DER as `spki`. */
  publicKey?: KeyObject;
  spki?: Uint8Array;
  /** Wins over the profile's SAN policy. */
  subjectAltNames?: GeneralNameEntry[];
  profile?: CertificateProfile;
}

/** What an engine may change when it issues from a CSR (e.g. a subject from a certificate template). */
export interface CsrOverrides {
  subject?: DnInput;
  subjectAltNames?: GeneralNameEntry[];
  notAfter?: Date;
  validityDays?: number;
}

export interface CertificateAuthorityOptions {
  /** The CA certificate, DER or PEM. */
  certificate: Uint8Array | string;
  privateKey: KeyObject;
  /** Certificates above this one, nearest first (its issuer, …, the root). */
  parents?: Uint8Array[];
  clock: Clock;
  serials?: SerialGenerator;
}

// Library-encoded constants the hot path nests.
const VERSION_3 = new Uint8Array(
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Integer({ value: 2 })] }).toBER(),
);
const SAN_OID = new Uint8Array(new asn1js.ObjectIdentifier({ value: EXT.subjectAltName }).toBER());
const TRUE = new Uint8Array(new asn1js.Boolean({ value: true }).toBER());
const EMPTY_NAME = DistinguishedName.fromRdns([]).der;
/** The SKI extension minus its 20-byte key identifier, which always ends it. */
const SKI_PREFIX = (() => {
  const full = encodeExtension(subjectKeyIdentifierExtension(new Uint8Array(20)));
  return full.subarray(0, full.byteLength - 20);
})();

interface Subject {
  der: Uint8Array;
  dn?: DistinguishedName;
  spki: Uint8Array;
  keyId: Uint8Array;
  /** GeneralNames DER for the SAN, if any. */
  san?: Uint8Array;
}

interface Issuer {
  nameDer: Uint8Array;
  key: KeyObject;
  notAfter?: Date;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
const toSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/** Builds and signs one certificate. */
async function buildCertificate(
  issuer: Issuer,
  profile: CompiledProfile,
  serial: Serial,
  subject: Subject,
  now: Date,
  overrides: { notAfter?: Date; validityDays?: number } = {},
): Promise<IssuedCertificate> {
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  const notBefore = new Date(nowMs - profile.backdateMs);
  let notAfter = toSeconds(
    overrides.notAfter?.getTime() ??
      (overrides.validityDays !== undefined ? nowMs + overrides.validityDays * 86_400_000 : undefined) ??
      profile.notAfter?.getTime() ??
      nowMs + profile.validityMs,
  );
  if (profile.capToIssuerNotAfter && issuer.notAfter && notAfter > issuer.notAfter) notAfter = issuer.notAfter;
  if (notAfter <= notBefore) {
    throw new CaError(`validity ends (${notAfter.toISOString()}) before it starts (${notBefore.toISOString()}); has the CA expired?`);
  }

  const extensions: DerPart[] = [...profile.fixedExtensions];
  if (subject.san) {
    // RFC 5280 §4.2.1.6: the SAN is critical when the subject is empty.
    const critical = sameBytes(subject.der, EMPTY_NAME) ? [TRUE] : [];
    extensions.push(sequence(SAN_OID, ...critical, octetString(subject.san)));
  }
  extensions.push(SKI_PREFIX, subject.keyId);

  const tbs = encode(
    sequence(
      VERSION_3,
      integer(serial.bytes),
      profile.signatureAlgorithm,
      issuer.nameDer,
      sequence(time(notBefore), time(notAfter)),
      subject.der,
      subject.spki,
      der(TAG.explicit(3), [sequence(...extensions)]),
    ),
  );
  const signature = await sign(issuer.key, profile.hash, tbs);
  return {
    der: encode(sequence(tbs, profile.signatureAlgorithm, bitString(signature))),
    serialHex: serial.hex,
    notBefore,
    notAfter,
    subject: subject.dn ?? DistinguishedName.fromDer(subject.der),
  };
}

function subjectFromKey(subject: DnInput, key: { publicKey?: KeyObject; spki?: Uint8Array }, san?: GeneralNameEntry[]): Subject {
  let spki: Uint8Array;
  let keyId: Uint8Array;
  if (key.spki) {
    spki = key.spki;
    keyId = keyIdentifierOfSpki(spki);
  } else if (key.publicKey) {
    const info = publicKeyInfo(key.publicKey);
    spki = info.spki;
    keyId = digest('sha1', info.subjectPublicKey);
  } else {
    throw new CaError('an issue request needs publicKey or spki');
  }
  const dn = DistinguishedName.from(subject);
  return { der: dn.der, dn, spki, keyId, ...(san?.length && { san: encodeGeneralNames(san) }) };
}

export class CertificateAuthority {
  readonly certificate: ParsedCertificate;
  readonly privateKey: KeyObject;
  readonly clock: Clock;
  readonly serials: SerialGenerator;
  /** This CA's certificate, then its parents up to the root. */
  readonly chain: readonly Uint8Array[];
  private readonly keyId: Uint8Array;
  private readonly compiled = new WeakMap<CertificateProfile, CompiledProfile>();
  private readonly defaultProfile: CertificateProfile = {};

  constructor(options: CertificateAuthorityOptions) {
    this.certificate = parseCertificate(options.certificate);
    this.privateKey = options.privateKey;
    this.clock = options.clock;
    this.serials = options.serials ?? new SerialGenerator();
    this.chain = [this.certificate.der, ...(options.parents ?? [])];
    if (!sameBytes(publicKeyInfo(options.privateKey).spki, this.certificate.spkiDer)) {
      throw new CaError(`the private key does not belong to the CA certificate ${this.certificate.subject}`);
    }
    this.keyId = this.certificate.keyIdentifier;
  }

  get certificateDer(): Uint8Array {
    return this.certificate.der;
  }

  get subject(): DistinguishedName {
    return this.certificate.subject;
  }

  /**
   * The compiled form of `profile`, cached by identity: treat a profile as a value and do not change it after
   * its first use (make a new object instead).
   */
  prepare(profile: CertificateProfile): CompiledProfile {
    let compiled = this.compiled.get(profile);
    if (!compiled) {
      compiled = compileProfile(profile, this.privateKey, this.keyId);
      this.compiled.set(profile, compiled);
    }
    return compiled;
  }

  private get issuer(): Issuer {
    return { nameDer: this.certificate.subjectDer, key: this.privateKey, notAfter: this.certificate.notAfter };
  }

  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    const profile = this.prepare(request.profile ?? this.defaultProfile);
    const subject = subjectFromKey(request.subject, request, request.subjectAltNames);
    if (!subject.san && profile.san instanceof Uint8Array) subject.san = profile.san;
    return buildCertificate(this.issuer, profile, await this.serials.next(), subject, this.clock.now());
  }

  /**
   * Issues for a CSR, copying its subject, key and (by the profile's policy) requested SAN byte for byte. It does
   * not check the CSR's signature or challenge: that is policy, the caller's (see ParsedCsr.verify()).
   */
  async issueFromCsr(csr: ParsedCsr, profile: CertificateProfile = this.defaultProfile, overrides: CsrOverrides = {}): Promise<IssuedCertificate> {
    const compiled = this.prepare(profile);
    const dn = overrides.subject !== undefined ? DistinguishedName.from(overrides.subject) : csr.subject;
    let san: Uint8Array | undefined;
    if (overrides.subjectAltNames) san = overrides.subjectAltNames.length ? encodeGeneralNames(overrides.subjectAltNames) : undefined;
    else if (compiled.san === 'csr') san = csr.extensions.all.find((e) => e.oid === EXT.subjectAltName)?.value;
    else if (compiled.san instanceof Uint8Array) san = compiled.san;
    const subject: Subject = { der: dn.der, dn, spki: csr.spkiDer, keyId: digest('sha1', csr.subjectPublicKey), ...(san && { san }) };
    return buildCertificate(this.issuer, compiled, await this.serials.next(), subject, this.clock.now(), overrides);
  }

  /** Issues a subordinate CA certificate and returns the new CA, sharing this one's clock and serials. */
  async issueIntermediate(options: {
    subject: DnInput;
    keys: KeyPair | KeySpec;
    validityDays?: number;
    pathLength?: number;
    hash?: HashName;
    profile?: CertificateProfile;
  }): Promise<CertificateAuthority> {
    const keys = 'privateKey' in options.keys ? options.keys : await generateKeyPair(options.keys);
    const profile: CertificateProfile = {
      validityDays: options.validityDays ?? 5 * 365,
      hash: options.hash ?? 'sha256',
      ...options.profile,
      isCa: true,
      ...(options.pathLength !== undefined && { pathLength: options.pathLength }),
    };
    const issued = await this.issue({ subject: options.subject, publicKey: keys.publicKey, profile });
    return new CertificateAuthority({
      certificate: issued.der,
      privateKey: keys.privateKey,
      parents: [...this.chain],
      clock: this.clock,
      serials: this.serials,
    });
  }

  /** A self-signed root CA. */
  static async createRoot(options: {
    subject: DnInput;
    keys: KeyPair | KeySpec;
    clock: Clock;
    validityDays?: number;
    hash?: HashName;
    pathLength?: number;
    serials?: SerialGenerator;
  }): Promise<CertificateAuthority> {
    const keys = 'privateKey' in options.keys ? options.keys : await generateKeyPair(options.keys);
    const serials = options.serials ?? new SerialGenerator();
    const issued = await selfSigned(options.subject, keys, options.clock, serials, {
      isCa: true,
      validityDays: options.validityDays ?? 10 * 365,
      hash: options.hash ?? 'sha256',
      ...(options.pathLength !== undefined && { pathLength: options.pathLength }),
    });
    return new CertificateAuthority({ certificate: issued.der, privateKey: keys.privateKey, clock: options.clock, serials });
  }
}

async function selfSigned(
  subjectInput: DnInput,
  keys: KeyPair,
  clock: Clock,
  serials: SerialGenerator,
  profile: CertificateProfile,
): Promise<IssuedCertificate> {
  const subject = subjectFromKey(subjectInput, { publicKey: keys.publicKey });
  const compiled = compileProfile({ ...profile, capToIssuerNotAfter: false }, keys.privateKey, subject.keyId);
  const issuer: Issuer = { nameDer: subject.der, key: keys.privateKey };
  return buildCertificate(issuer, compiled, await serials.next(), subject, clock.now());
}

/**
 * A self-signed end-entity certificate, e.g. the transient signer certificate of a SCEP client (RFC 8894 §2.3:
 * digitalSignature and keyEncipherment, which the default keyUsage gives).
 */
export function selfSignedCertificate(options: {
  subject: DnInput;
  privateKey: KeyObject;
  publicKey?: KeyObject;
  clock: Clock;
  validityDays?: number;
  keyUsage?: KeyUsageName[];
  hash?: HashName;
  serials?: SerialGenerator;
}): Promise<IssuedCertificate> {
  const keys = { privateKey: options.privateKey, publicKey: options.publicKey ?? publicKeyOf(options.privateKey) };
  return selfSigned(options.subject, keys, options.clock, options.serials ?? new SerialGenerator(), {
    validityDays: options.validityDays ?? 365,
    hash: options.hash ?? 'sha256',
    ...(options.keyUsage && { keyUsage: options.keyUsage }),
  });
}
