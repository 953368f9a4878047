/**
 * Writes a PFX (RFC 7292) in one of two forms: 'modern', what `openssl pkcs12 -export` writes by default in
 * OpenSSL 3 (PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC, MAC HMAC-SHA-256), and 'legacy', what older iOS and Android
 * accept (pbeWithSHAAnd3-KeyTripleDES-CBC, MAC HMAC-SHA-1). Same layout as OpenSSL: an EncryptedData safe with
 * the certificates first, then a Data safe with the shrouded key.
 */
import type { KeyObject } from 'node:crypto';
import { ContentInfo, EncryptedContent, EncryptedContentInfo } from '@peculiar/asn1-cms';
import { AuthenticatedSafe, id_pkcs8ShroudedKeyBag, PKCS8ShroudedKeyBag, SafeBag, SafeContents } from '@peculiar/asn1-pfx';
import { OctetString } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { pkcs8Der } from './keys.js';
import { decode, EncryptedData, encode, encodeOctetString, Pfx, PKCS12_OID, toArrayBuffer } from './pkcs12-asn1.js';
import { certificateBag, encodeAttributes, keyMatchesCertificate, localKeyIdFor } from './pkcs12-bags.js';
import { Pkcs12Error } from './pkcs12-errors.js';
import { passwordBytes, type PasswordBytes } from './pkcs12-kdf.js';
import { buildMacData } from './pkcs12-mac.js';
import { checkIterations, pbeEncrypt, type EncryptionScheme } from './pkcs12-pbe.js';
import type { HashName } from './algorithms.js';

export type Pkcs12BuildForm = 'modern' | 'legacy';

export interface Pkcs12BuildOptions {
  privateKey: KeyObject;
  /** The leaf certificate, DER. */
  certificate: Uint8Array;
  /** Issuer certificates, DER, in the order they should appear. */
  chain?: Uint8Array[];
  password: string;
  friendlyName?: string;
  form: Pkcs12BuildForm;
  /** For encryption and MAC alike; 2048 (OpenSSL's default) when omitted. */
  iterations?: number;
}

export const DEFAULT_ITERATIONS = 2048;

const FORMS: Record<Pkcs12BuildForm, { scheme: EncryptionScheme; macHash: HashName }> = {
  modern: { scheme: 'pbes2-aes256-sha256', macHash: 'sha256' },
  legacy: { scheme: 'pkcs12-3des-sha1', macHash: 'sha1' },
};

/** The PFX DER. Throws Pkcs12Error when the certificate is not the private key's or an option is out of range. */
export function buildPkcs12(options: Pkcs12BuildOptions): Uint8Array {
  const form = FORMS[options.form];
  if (!form) throw new Pkcs12Error(`unknown PKCS#12 form "${String(options.form)}": use modern or legacy`);
  if (options.privateKey.type !== 'private') throw new Pkcs12Error('privateKey must be a private KeyObject');
  const iterations = checkIterations(options.iterations ?? DEFAULT_ITERATIONS, 'build');
  if (!keyMatchesCertificate(options.privateKey, options.certificate)) {
    throw new Pkcs12Error("the certificate's public key does not match the private key");
  }
  // Chain certificates are not otherwise read, so a stray non-certificate would go into the file unnoticed.
  (options.chain ?? []).forEach((der, index) => decode(der, Certificate, `chain certificate ${index + 1}`));
  const password = passwordBytes(options.password);
  const attributes = { friendlyName: options.friendlyName, localKeyId: localKeyIdFor(options.certificate) };

  const certBags = [certificateBag(options.certificate, attributes), ...(options.chain ?? []).map((der) => certificateBag(der, {}))];
  const certSafe = encryptedSafe(new SafeContents(certBags), form.scheme, password, iterations);

  const shrouded = pbeEncrypt(form.scheme, password, iterations, pkcs8Der(options.privateKey));
  const keyBag = new SafeBag({
    bagId: id_pkcs8ShroudedKeyBag,
    bagValue: toArrayBuffer(
      encode(new PKCS8ShroudedKeyBag({ encryptionAlgorithm: shrouded.algorithm, encryptedData: new OctetString(shrouded.ciphertext) })),
    ),
    bagAttributes: encodeAttributes(attributes),
  });
  const keySafe = dataContentInfo(encode(new SafeContents([keyBag])));

  const authSafe = encode(new AuthenticatedSafe([certSafe, keySafe]));
  const pfx = new Pfx();
  pfx.authSafe = dataContentInfo(authSafe);
  pfx.macData = buildMacData(form.macHash, password, iterations, authSafe);
  return encode(pfx);
}

function dataContentInfo(content: Uint8Array): ContentInfo {
  return new ContentInfo({ contentType: PKCS12_OID.data, content: toArrayBuffer(encodeOctetString(content)) });
}

function encryptedSafe(contents: SafeContents, scheme: EncryptionScheme, password: PasswordBytes, iterations: number): ContentInfo {
  const { algorithm, ciphertext } = pbeEncrypt(scheme, password, iterations, encode(contents));
  const encryptedData = new EncryptedData();
  encryptedData.encryptedContentInfo = new EncryptedContentInfo({
    contentType: PKCS12_OID.data,
    contentEncryptionAlgorithm: algorithm,
    encryptedContent: new EncryptedContent({ value: new OctetString(ciphertext) }),
  });
  return new ContentInfo({ contentType: PKCS12_OID.encryptedData, content: toArrayBuffer(encode(encryptedData)) });
}
