/**
 * Certificate revocation lists (RFC 5280 §5): v2 CRLs with cRLNumber and authorityKeyIdentifier, entries with a
 * reason code and invalidity date; and reading them back. Built and read with @peculiar/asn1-x509 (CRLs are
 * not on the per-request path).
 */
import type { KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  CertificateList,
  CRLReason,
  Extension,
  Extensions,
  InvalidityDate,
  Name,
  RevokedCertificate,
  TBSCertList,
  Time,
} from '@peculiar/asn1-x509';
import { type HashName, parseSignatureAlgorithm, type SignatureScheme, sign, signatureAlgorithm, verifySignature } from './algorithms.js';
import type { CertificateAuthority } from './ca.js';
import { parseCertificate, ParsedCertificate } from './certificate.js';
import { authorityKeyIdentifierExtension, EXT, type ExtensionSpec, parseExtensions } from './extensions.js';
import { DistinguishedName } from './names.js';
import { derOrPem } from './pem.js';
import { serialContentFromHex, serialHexFromContent } from './serial.js';

export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined, // 7 is not used
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = Exclude<(typeof REVOCATION_REASONS)[number], undefined>;

export class CrlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CrlError';
  }
}

export interface CrlEntry {
  serialHex: string;
  revocationDate: Date;
  /** Written as given, 'unspecified' included (RFC 5280 prefers leaving it out: omit `reason` for that). */
  reason?: RevocationReason;
  invalidityDate?: Date;
}

export interface CrlOptions {
  ca: Pick<CertificateAuthority, 'certificate' | 'privateKey' | 'clock'>;
  entries: readonly CrlEntry[];
  /** Default: the CA's clock. */
  thisUpdate?: Date;
  nextUpdate?: Date;
  crlNumber: number | bigint;
  hash?: HashName;
}

const seconds = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);

function extension(spec: ExtensionSpec): Extension {
  return new Extension({ extnID: spec.oid, critical: spec.critical, extnValue: new OctetString(spec.value) });
}

function entryExtensions(entry: CrlEntry): Extension[] | undefined {
  const list: Extension[] = [];
  if (entry.reason !== undefined) {
    const code = REVOCATION_REASONS.indexOf(entry.reason);
    if (code < 0) throw new CrlError(`unknown revocation reason "${entry.reason}"`);
    list.push(extension({ oid: EXT.crlReason, critical: false, value: new Uint8Array(AsnConvert.serialize(new CRLReason(code))) }));
  }
  if (entry.invalidityDate) {
    const value = AsnConvert.serialize(new InvalidityDate(seconds(entry.invalidityDate)));
    list.push(extension({ oid: EXT.invalidityDate, critical: false, value: new Uint8Array(value) }));
  }
  return list.length ? list : undefined;
}

/** Builds and signs a v2 CRL for `ca`; returns its DER. */
export async function buildCrl(options: CrlOptions): Promise<Uint8Array> {
  const { ca } = options;
  const hash = options.hash ?? 'sha256';
  const alg = signatureAlgorithm(ca.privateKey, hash);
  const algorithm = new AlgorithmIdentifier({ algorithm: alg.oid, ...(alg.nullParameters && { parameters: null }) });
  const crlNumber = new Uint8Array(asn1js.Integer.fromBigInt(BigInt(options.crlNumber)).toBER());
  const revoked = options.entries.map(
    (entry) =>
      new RevokedCertificate({
        userCertificate: serialContentFromHex(entry.serialHex).slice().buffer,
        revocationDate: new Time(entry.revocationDate),
        crlEntryExtensions: entryExtensions(entry),
      }),
  );
  const tbs = new TBSCertList({
    version: 1, // v2
    signature: algorithm,
    issuer: AsnConvert.parse(ca.certificate.subjectDer, Name),
    thisUpdate: new Time(options.thisUpdate ?? ca.clock.now()),
    nextUpdate: options.nextUpdate ? new Time(options.nextUpdate) : undefined,
    revokedCertificates: revoked.length ? revoked : undefined,
    crlExtensions: [
      extension(authorityKeyIdentifierExtension(ca.certificate.keyIdentifier)),
      extension({ oid: EXT.crlNumber, critical: false, value: crlNumber }),
    ],
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await sign(ca.privateKey, hash, tbsDer);
  const crl = new CertificateList({ tbsCertList: tbs, signatureAlgorithm: algorithm, signature: signature.slice().buffer });
  return new Uint8Array(AsnConvert.serialize(crl));
}

export interface ParsedCrlEntry {
  serialHex: string;
  revocationDate: Date;
  reason?: RevocationReason;
  invalidityDate?: Date;
}

export interface ParsedCrl {
  der: Uint8Array;
  /** TBSCertList DER: what the signature covers. */
  tbsDer: Uint8Array;
  version: number;
  issuer: DistinguishedName;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
  authorityKeyIdentifier?: Uint8Array;
  entries: ParsedCrlEntry[];
  signatureScheme: SignatureScheme;
  /** Whether `issuer` (a certificate or its public key) signed this CRL. */
  verify(issuer: ParsedCertificate | Uint8Array | KeyObject): boolean;
}

function toSpec(e: Extension): ExtensionSpec {
  return { oid: e.extnID, critical: e.critical, value: new Uint8Array(e.extnValue.buffer) };
}

function parseEntry(entry: RevokedCertificate): ParsedCrlEntry {
  const out: ParsedCrlEntry = {
    serialHex: serialHexFromContent(new Uint8Array(entry.userCertificate)),
    revocationDate: entry.revocationDate.getTime(),
  };
  for (const ext of entry.crlEntryExtensions ?? []) {
    const value = ext.extnValue.buffer;
    if (ext.extnID === EXT.crlReason) {
      const reason = REVOCATION_REASONS[AsnConvert.parse(value, CRLReason).reason];
      if (reason === undefined) throw new CrlError('unknown revocation reason code');
      out.reason = reason;
    } else if (ext.extnID === EXT.invalidityDate) {
      out.invalidityDate = AsnConvert.parse(value, InvalidityDate).value;
    }
  }
  return out;
}

/**
 * The fields of a TBSCertList. @peculiar/asn1-schema misreads a TBSCertList without nextUpdate (it then drops
 * the revoked certificates and extensions), so asn1js splits the top level, telling the optional fields apart by
 * their tags, and the library decodes each field.
 */
function readTbsCertList(tbsDer: Uint8Array): TBSCertList {
  const parsed = asn1js.fromBER(tbsDer);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw new CrlError('TBSCertList is not a SEQUENCE');
  const fields = [...parsed.result.valueBlock.value];
  const bytes = (block: asn1js.BaseBlock) => block.valueBeforeDecodeView;
  const tbs = new TBSCertList();
  const version = fields[0];
  if (version instanceof asn1js.Integer) {
    tbs.version = version.valueBlock.valueDec;
    fields.shift();
  }
  const [signature, issuer, thisUpdate, ...rest] = fields;
  if (!signature || !issuer || !thisUpdate) throw new CrlError('TBSCertList is missing fields');
  tbs.signature = AsnConvert.parse(bytes(signature), AlgorithmIdentifier);
  tbs.issuer = AsnConvert.parse(bytes(issuer), Name);
  tbs.thisUpdate = AsnConvert.parse(bytes(thisUpdate), Time);
  for (const field of rest) {
    const { tagClass, tagNumber } = field.idBlock;
    if (field instanceof asn1js.UTCTime || field instanceof asn1js.GeneralizedTime) {
      tbs.nextUpdate = AsnConvert.parse(bytes(field), Time);
    } else if (field instanceof asn1js.Sequence) {
      tbs.revokedCertificates = Array.from(field.valueBlock.value, (entry) => AsnConvert.parse(bytes(entry), RevokedCertificate));
    } else if (tagClass === 3 && tagNumber === 0 && field instanceof asn1js.Constructed && field.valueBlock.value[0]) {
      tbs.crlExtensions = Array.from(AsnConvert.parse(bytes(field.valueBlock.value[0]), Extensions));
    } else {
      throw new CrlError(`unexpected field in TBSCertList (class ${tagClass}, tag ${tagNumber})`);
    }
  }
  return tbs;
}

class CertificateListEnvelope {
  @AsnProp({ type: AsnPropTypes.Any }) tbsCertList = new ArrayBuffer(0);
  @AsnProp({ type: AlgorithmIdentifier }) signatureAlgorithm = new AlgorithmIdentifier();
  @AsnProp({ type: AsnPropTypes.BitString }) signature = new ArrayBuffer(0);
}

/** Parses a CRL from DER or PEM ("X509 CRL"); throws CrlError when it is malformed. */
export function parseCrl(input: Uint8Array | string): ParsedCrl {
  try {
    const der = derOrPem(input, 'X509 CRL');
    const list = AsnConvert.parse(der, CertificateListEnvelope);
    const tbsDer = new Uint8Array(list.tbsCertList);
    const tbs = readTbsCertList(tbsDer);
    const extensions = Array.from(tbs.crlExtensions ?? [], toSpec);
    const numberExt = extensions.find((e) => e.oid === EXT.crlNumber);
    const number = numberExt ? asn1js.fromBER(numberExt.value).result : undefined;
    const signatureScheme = parseSignatureAlgorithm(list.signatureAlgorithm.algorithm, list.signatureAlgorithm.parameters);
    const signature = new Uint8Array(list.signature);
    const aki = parseExtensions(extensions.filter((e) => e.oid === EXT.authorityKeyIdentifier)).authorityKeyIdentifier;
    return {
      der,
      tbsDer,
      version: (tbs.version ?? 0) + 1,
      issuer: DistinguishedName.fromDer(new Uint8Array(AsnConvert.serialize(tbs.issuer))),
      thisUpdate: tbs.thisUpdate.getTime(),
      ...(tbs.nextUpdate && { nextUpdate: tbs.nextUpdate.getTime() }),
      ...(number instanceof asn1js.Integer && { crlNumber: number.toBigInt() }),
      ...(aki && { authorityKeyIdentifier: aki }),
      entries: Array.from(tbs.revokedCertificates ?? [], parseEntry),
      signatureScheme,
      verify(issuer) {
        const key = issuer instanceof ParsedCertificate ? issuer.publicKey : issuer instanceof Uint8Array ? parseCertificate(issuer).publicKey : issuer;
        return verifySignature(key, signatureScheme, tbsDer, signature);
      },
    };
  } catch (error) {
    if (error instanceof CrlError) throw error;
    throw new CrlError(`malformed CRL: ${(error as Error).message}`, { cause: error });
  }
}
