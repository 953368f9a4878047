/**
 * SafeBags (RFC 7292 §4.2): certificate and key bags with their friendlyName and localKeyId attributes,
 * and the certificate's public key, which is how a key finds its certificate.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { CertBag, id_certBag, id_x509Certificate, PKCS12Attribute, SafeBag } from '@peculiar/asn1-pfx';
import { Certificate } from '@peculiar/asn1-x509';
import { spkiDer } from './keys.js';
import { decode, decodeBmpString, decodeOctetString, encode, encodeBmpString, encodeOctetString, PKCS12_OID, toArrayBuffer } from './pkcs12-asn1.js';

export interface BagAttributes {
  friendlyName?: string;
  localKeyId?: Uint8Array;
}

/** The localKeyId mdmca writes, as OpenSSL does: SHA-1 of the leaf certificate's DER. */
export function localKeyIdFor(certificate: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(certificate).digest());
}

export function encodeAttributes(attributes: BagAttributes): PKCS12Attribute[] | undefined {
  const out: PKCS12Attribute[] = [];
  // PKCS12Attribute's constructor drops its argument, so fields are set one by one.
  const add = (attrId: string, value: Uint8Array) => {
    const attribute = new PKCS12Attribute();
    attribute.attrId = attrId;
    attribute.attrValues = [toArrayBuffer(value)];
    out.push(attribute);
  };
  if (attributes.friendlyName !== undefined) add(PKCS12_OID.friendlyName, encodeBmpString(attributes.friendlyName));
  if (attributes.localKeyId !== undefined) add(PKCS12_OID.localKeyId, encodeOctetString(attributes.localKeyId));
  return out.length > 0 ? out : undefined;
}

/** friendlyName and localKeyId of a bag; other attributes (Microsoft CSP names, …) are ignored. */
export function decodeAttributes(bag: SafeBag): BagAttributes {
  const result: BagAttributes = {};
  for (const attribute of bag.bagAttributes ?? []) {
    const value = attribute.attrValues[0];
    if (value === undefined) continue;
    if (attribute.attrId === PKCS12_OID.friendlyName) {
      const name = decodeBmpString(value);
      if (name !== undefined) result.friendlyName = name;
    } else if (attribute.attrId === PKCS12_OID.localKeyId) {
      result.localKeyId = decodeOctetString(value, 'localKeyId attribute');
    }
  }
  return result;
}

export function certificateBag(certificate: Uint8Array, attributes: BagAttributes): SafeBag {
  const certBag = new CertBag({ certId: id_x509Certificate, certValue: toArrayBuffer(encodeOctetString(certificate)) });
  return new SafeBag({ bagId: id_certBag, bagValue: toArrayBuffer(encode(certBag)), bagAttributes: encodeAttributes(attributes) });
}

/** The X.509 certificate in a certBag, or undefined for other certificate types (SDSI). */
export function decodeCertificateBag(bag: SafeBag): Uint8Array | undefined {
  const certBag = decode(bag.bagValue, CertBag, 'certBag');
  if (certBag.certId !== id_x509Certificate) return undefined;
  return decodeOctetString(certBag.certValue, 'certBag value');
}

/** The SubjectPublicKeyInfo DER of a certificate. */
export function certificateSpki(certificate: Uint8Array): Uint8Array {
  const parsed = decode(certificate, Certificate, 'certificate');
  return encode(parsed.tbsCertificate.subjectPublicKeyInfo);
}

export function keyMatchesCertificate(privateKey: KeyObject, certificate: Uint8Array): boolean {
  return Buffer.from(certificateSpki(certificate)).equals(spkiDer(privateKey));
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.from(a).equals(b);
}
