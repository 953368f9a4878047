/**
 * The certificates and keys a SCEP CA simulator runs with: the issuing CA (with its parents) and, optionally,
 * an RA. defaultScepCaIdentity() turns the test PKI (root → issuing CA → RA, as fixtures/test-pki.ts loads it)
 * into that shape, so the CLI can start the embedded CA in one call.
 */
import type { KeyObject } from 'node:crypto';

/** A certificate (DER), its key and the certificates above it. */
export interface PkiIdentity {
  certificate: Uint8Array;
  privateKey: KeyObject;
  /** Issuers of `certificate`, nearest first; may or may not start with the certificate itself. */
  chain?: readonly Uint8Array[];
}

export interface ScepCaIdentity {
  /** The issuing CA; its `chain` are the parents sent with GetCACert. */
  ca: PkiIdentity;
  /** An RA: requests are encrypted to it and CertReps signed by it (NDES style). */
  ra?: { certificate: Uint8Array; privateKey: KeyObject };
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** The parents of `identity`: its chain without itself, ending at `root` when given. */
export function parentsOf(identity: PkiIdentity, root?: Uint8Array): Uint8Array[] {
  const parents = (identity.chain ?? []).filter((der) => !same(der, identity.certificate));
  if (root && !same(root, identity.certificate) && !parents.some((der) => same(der, root))) parents.push(root);
  return parents;
}

/** The embedded SCEP CA's identity from a root, an issuing CA and (optionally) an RA. */
export function defaultScepCaIdentity(pki: { root: PkiIdentity; issuing: PkiIdentity; ra?: PkiIdentity }): ScepCaIdentity {
  return {
    ca: { certificate: pki.issuing.certificate, privateKey: pki.issuing.privateKey, chain: parentsOf(pki.issuing, pki.root.certificate) },
    ...(pki.ra ? { ra: { certificate: pki.ra.certificate, privateKey: pki.ra.privateKey } } : {}),
  };
}
