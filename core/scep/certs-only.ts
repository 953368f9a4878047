/**
 * Degenerate certs-only SignedData (RFC 8894 §3.4, RFC 5652 §5 with no signers): the GetCACert reply with an RA
 * or chain, the payload of a SUCCESS CertRep, the GetCRL reply. And GetNextCACert's reply (§4.7): a SignedData
 * signed by the current CA key around a certs-only SignedData of the next CA (and RA) certificates.
 */
import { Buffer } from 'node:buffer';
import type { HashName } from '../pki/algorithms.js';
import { encode, explicit, oid, sequence, set, smallInteger } from '../pki/der-writer.js';
import { certificateFields } from './cert-fields.js';
import { CMS_OID, FailInfo } from './constants.js';
import { ScepError, ScepMalformedError } from './errors.js';
import { buildSignedData, parseSignedData, type SignerIdentity, verifySignedData } from './signed-data.js';

export interface CertsOnly {
  /** In the order given: for a CertRep, the issued certificate first. */
  certificates: Uint8Array[];
  crls: Uint8Array[];
}

export function buildCertsOnly(contents: Partial<CertsOnly>): Uint8Array {
  const certificates = contents.certificates ?? [];
  const crls = contents.crls ?? [];
  const signedData = sequence(
    smallInteger(1),
    set(),
    sequence(oid(CMS_OID.data)),
    ...(certificates.length ? [explicit(0, certificates)] : []),
    ...(crls.length ? [explicit(1, crls)] : []),
    set(),
  );
  return encode(sequence(oid(CMS_OID.signedData), explicit(0, [signedData])));
}

/** Reads the certificates and CRLs of a SignedData; signers, if any, are ignored. */
export function parseCertsOnly(der: Uint8Array): CertsOnly {
  const data = parseSignedData(der, 'certs-only SignedData');
  return { certificates: data.certificates, crls: data.crls };
}

export interface BuildNextCaCertInput {
  /** The next CA certificate, and the next RA certificates if any. */
  certificates: readonly Uint8Array[];
  /** The current CA certificate and key. */
  signer: SignerIdentity;
  digest: HashName;
  signingTime?: Date;
}

export function buildNextCaCert(input: BuildNextCaCertInput): Promise<Uint8Array> {
  return buildSignedData({
    content: buildCertsOnly({ certificates: [...input.certificates] }),
    signer: input.signer,
    digest: input.digest,
    ...(input.signingTime ? { signingTime: input.signingTime } : {}),
  });
}

/**
 * Verifies a GetNextCACert reply against the current CA certificate (the signer must hold its key) and returns
 * the certificates it announces.
 */
export function parseNextCaCert(der: Uint8Array, currentCa: Uint8Array): CertsOnly & { signerCertificate: Uint8Array } {
  const data = parseSignedData(der, 'GetNextCACert reply');
  const signer = verifySignedData(data, [currentCa]);
  const expected = certificateFields(currentCa).spki;
  if (Buffer.compare(certificateFields(signer.certificate).spki, expected) !== 0) {
    throw new ScepError(FailInfo.badCertId, 'GetNextCACert reply is not signed by the current CA key');
  }
  if (!data.content) throw new ScepMalformedError('GetNextCACert reply has no content');
  return { ...parseCertsOnly(data.content), signerCertificate: signer.certificate };
}
