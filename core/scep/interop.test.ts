/** OpenSSL 3 and our codec must read each other's CMS: signatures, envelopes, certs-only bundles. */
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFields } from './cert-fields.js';
import { buildCertsOnly, parseCertsOnly } from './certs-only.js';
import type { ContentCipherName } from './ciphers.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';
import { buildEnvelope, openEnvelope } from './envelope.js';
import { ScepError } from './errors.js';
import { buildCertRep, buildRequest, parseRequest } from './messages.js';
import { buildPkiMessage, parsePkiMessage } from './pki-message.js';
import { parseSignedData, verifySignedData } from './signed-data.js';
import { hasLegacyProvider, makeScepTestPki, type ScepTestPki } from './openssl-pki.test-support.js';

let pki: ScepTestPki;
let n = 0;
beforeAll(() => {
  pki = makeScepTestPki();
});
afterAll(() => pki.remove());

/** Writes `data` to a fresh file in the PKI directory. */
const file = (data: Uint8Array, name = 'blob') => pki.write(`${name}-${n++}.der`, data);
const read = (path: string) => new Uint8Array(readFileSync(path));
const out = () => join(pki.dir, `out-${n++}.bin`);

describe('openssl accepts what we write', () => {
  it.each(['sha1', 'sha256', 'sha512'] as const)('cms -verify accepts our PKCSReq (%s) and outputs our envelope', async (digest) => {
    const built = await buildRequest({
      request: { messageType: MessageType.PKCSReq, csr: pki.client.csr },
      transactionId: 'interop',
      signer: pki.client,
      recipients: [pki.ca.certificate],
      digest,
    });
    const content = out();
    pki.openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file(built.der, 'req'), '-out', content]);
    expect(Buffer.from(read(content))).toEqual(Buffer.from(parsePkiMessage(built.der).envelope!));
  });

  it('cms -verify accepts our CertReps: SUCCESS with its content, FAILURE and PENDING over empty content', async () => {
    const common = { transactionId: 'interop', recipientNonce: new Uint8Array(16).fill(9), signer: pki.ca };
    const success = await buildCertRep({ ...common, status: PkiStatus.SUCCESS, certificates: [pki.issued], encryptTo: pki.client.certificate });
    pki.openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file(success), '-out', out()]);
    const failure = await buildCertRep({ ...common, status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest, failInfoText: 'no' });
    const pending = await buildCertRep({ ...common, status: PkiStatus.PENDING });
    const empty = pki.write('empty.bin', new Uint8Array(0));
    for (const der of [failure, pending]) {
      pki.openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file(der), '-content', empty, '-out', out()]);
    }
    // And the signer really is the CA: verification against it as the trust anchor passes too.
    pki.openssl(['cms', '-verify', '-inform', 'DER', '-in', file(success), '-CAfile', pki.ca.certPath, '-purpose', 'any', '-out', out()]);
  });

  const ciphers: ContentCipherName[] = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'des-ede3-cbc'];
  it.each(ciphers)('cms -decrypt opens our %s envelope', (cipher) => {
    const envelope = buildEnvelope(pki.client.csr, [pki.ra.certificate, pki.ca.certificate], { cipher, allowLegacyCiphers: true });
    const content = out();
    pki.openssl(['cms', '-decrypt', '-inform', 'DER', '-in', file(envelope), '-recip', pki.ca.certPath, '-inkey', pki.ca.keyPath, '-out', content]);
    expect(Buffer.from(read(content))).toEqual(Buffer.from(pki.client.csr));
  });

  it.skipIf(!hasLegacyProvider())('cms -decrypt opens our single-DES envelope with the legacy provider', () => {
    const envelope = buildEnvelope(pki.client.csr, [pki.ca.certificate], { cipher: 'des-cbc', allowLegacyCiphers: true });
    const content = out();
    pki.openssl(['cms', '-decrypt', '-provider', 'legacy', '-provider', 'default', '-inform', 'DER', '-in', file(envelope), '-recip', pki.ca.certPath, '-inkey', pki.ca.keyPath, '-out', content]);
    expect(Buffer.from(read(content))).toEqual(Buffer.from(pki.client.csr));
  });

  it('cms -decrypt opens our RSAES-OAEP (SHA-256) envelope', () => {
    const envelope = buildEnvelope(pki.client.csr, [pki.ca.certificate], { keyTransport: { scheme: 'rsaes-oaep', hash: 'sha256' } });
    const content = out();
    pki.openssl(['cms', '-decrypt', '-inform', 'DER', '-in', file(envelope), '-recip', pki.ca.certPath, '-inkey', pki.ca.keyPath, '-out', content]);
    expect(Buffer.from(read(content))).toEqual(Buffer.from(pki.client.csr));
  });

  it('pkcs7 -print_certs and crl read our certs-only SignedData', () => {
    const bundle = buildCertsOnly({ certificates: [pki.issued, pki.ca.certificate], crls: [pki.crl] });
    const printed = pki.openssl(['pkcs7', '-inform', 'DER', '-in', file(bundle), '-print_certs', '-noout']).stdout.toString();
    expect(printed).toMatch(/subject=.*device 42/);
    expect(printed).toMatch(/subject=.*mdmca SCEP test CA/);
    const crls = pki.openssl(['pkcs7', '-inform', 'DER', '-in', file(bundle), '-print', '-noout']).stdout.toString();
    expect(crls).toMatch(/crl:/);
  });
});

describe('we read what openssl writes', () => {
  const encrypt = (args: string[], recipient = pki.ca.certPath) => {
    const target = out();
    pki.openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', pki.client.csrPath, '-out', target, ...args, ...(recipient ? [recipient] : [])]);
    return read(target);
  };

  it.each([
    ['-aes128', 'aes-128-cbc'],
    ['-aes256', 'aes-256-cbc'],
    ['-des3', 'des-ede3-cbc'],
  ])('opens cms -encrypt %s', (flag, cipher) => {
    const opened = openEnvelope(encrypt([flag]), [pki.ra, pki.ca], { allowLegacyCiphers: true });
    expect(opened.cipher.name).toBe(cipher);
    expect(opened.matchedBy).toBe('issuerAndSerialNumber');
    expect(Buffer.from(opened.content)).toEqual(Buffer.from(pki.client.csr));
  });

  it('opens BER from cms -encrypt -stream (indefinite lengths, constructed encryptedContent)', () => {
    const ber = encrypt(['-aes128', '-stream']);
    expect(ber[1]).toBe(0x80); // indefinite length at the top
    expect(Buffer.from(openEnvelope(ber, [pki.ca]).content)).toEqual(Buffer.from(pki.client.csr));
  });

  it('matches a recipient named by subjectKeyIdentifier (cms -encrypt -keyid)', () => {
    const opened = openEnvelope(encrypt(['-aes128', '-keyid'], pki.ra.certPath), [pki.ca, pki.ra]);
    expect(opened.matchedBy).toBe('subjectKeyIdentifier');
    expect(opened.recipient).toBe(pki.ra);
  });

  it('opens RSAES-OAEP key transport (cms -encrypt -keyopt rsa_padding_mode:oaep)', () => {
    const envelope = encrypt(['-aes128', '-recip', pki.ca.certPath, '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'], '');
    const opened = openEnvelope(envelope, [pki.ca]);
    expect(opened.keyTransport).toEqual({ scheme: 'rsaes-oaep', hash: 'sha256' });
    expect(Buffer.from(opened.content)).toEqual(Buffer.from(pki.client.csr));
  });

  it('refuses openssl’s 3DES envelope with badAlg unless legacy ciphers are allowed', () => {
    expect(() => openEnvelope(encrypt(['-des3']), [pki.ca])).toThrow(expect.objectContaining({ failInfo: FailInfo.badAlg }));
  });

  it('tries the given key when no recipient matches (NDES-style RA)', () => {
    const opened = openEnvelope(encrypt(['-aes128'], pki.ra.certPath), [{ certificate: pki.ca.certificate, privateKey: pki.ra.privateKey }]);
    expect(opened.matchedBy).toBe('fallback');
    expect(Buffer.from(opened.content)).toEqual(Buffer.from(pki.client.csr));
    // With the wrong key the content does not decrypt, and that is all anyone learns.
    try {
      openEnvelope(encrypt(['-aes128'], pki.ra.certPath), [pki.ca]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScepError);
      expect((error as ScepError).failInfo).toBe(FailInfo.badMessageCheck);
    }
  });

  const sign = (args: string[]) => {
    const target = out();
    const content = file(buildEnvelope(pki.client.csr, [pki.ca.certificate]));
    pki.openssl(['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-in', content, '-signer', pki.client.certPath, '-inkey', pki.client.keyPath, '-out', target, ...args]);
    return { der: read(target), content: read(content) };
  };

  it.each([
    ['DER, sha256', ['-md', 'sha256']],
    ['BER -stream (constructed eContent)', ['-md', 'sha256', '-stream']],
    ['signer named by -keyid', ['-md', 'sha512', '-keyid']],
    ['RSASSA-PSS', ['-md', 'sha256', '-keyopt', 'rsa_padding_mode:pss']],
  ])('verifies cms -sign output: %s', (_name, args) => {
    const signed = sign(args as string[]);
    const data = parseSignedData(signed.der);
    expect(Buffer.from(data.content!)).toEqual(Buffer.from(signed.content));
    const signer = verifySignedData(data);
    expect(Buffer.from(signer.certificate)).toEqual(Buffer.from(pki.client.certificate));
  });

  it('answers badAlg for an MD5 signer', () => {
    let signed;
    try {
      signed = sign(['-md', 'md5']);
    } catch {
      return; // this OpenSSL refuses MD5 outright
    }
    expect(() => verifySignedData(parseSignedData(signed.der))).toThrow(expect.objectContaining({ failInfo: FailInfo.badAlg }));
  });

  it('reads crl2pkcs7 output as certs-only', () => {
    const target = out();
    pki.openssl(['crl2pkcs7', '-nocrl', '-certfile', pki.ca.certPath, '-certfile', pki.ra.certPath, '-outform', 'DER', '-out', target]);
    const bundle = parseCertsOnly(read(target));
    expect(bundle.certificates.map((c) => certificateFields(c).serialNumber.byteLength)).toHaveLength(2);
    expect(Buffer.from(bundle.certificates[1]!)).toEqual(Buffer.from(pki.ra.certificate));
  });
});

/**
 * Rewrites a DER pkiMessage the way BouncyCastle streams it: indefinite lengths down to the content, and the
 * eContent as a constructed OCTET STRING in two segments. The signature survives: it covers only signedAttrs,
 * and messageDigest is over the content octets, which do not change.
 */
function streamedLikeBouncyCastle(der: Uint8Array): Uint8Array {
  type Node = asn1js.BaseBlock & { valueBlock: { value: Node[]; valueHexView: Uint8Array } };
  const indefinite = { isIndefiniteForm: true };
  const children = (node: Node) => node.valueBlock.value;
  const contentInfo = asn1js.fromBER(der, { parseEmbedded: false }).result as Node;
  const [contentType, explicit] = children(contentInfo) as [Node, Node];
  const [version, digests, encap, ...rest] = children(children(explicit)[0]!) as [Node, Node, Node, ...Node[]];
  const [eContentType, eExplicit] = children(encap) as [Node, Node];
  const octets = children(eExplicit)[0]!.valueBlock.valueHexView;
  const segments = [octets.subarray(0, 100), octets.subarray(100)].map((part) => new asn1js.OctetString({ valueHex: part }));
  const eContent = new asn1js.OctetString({ isConstructed: true, value: segments });
  eContent.idBlock.isConstructed = true;
  eContent.lenBlock.isIndefiniteForm = true;
  const context0 = (value: asn1js.BaseBlock[]) => new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, lenBlock: indefinite, value });
  const encapInfo = new asn1js.Sequence({ lenBlock: indefinite, value: [eContentType, context0([eContent])] });
  const signedData = new asn1js.Sequence({ lenBlock: indefinite, value: [version, digests, encapInfo, ...rest] });
  return new Uint8Array(new asn1js.Sequence({ lenBlock: indefinite, value: [contentType, context0([signedData])] }).toBER());
}

describe('BER end to end (Android, BouncyCastle)', () => {
  it('parses a streamed pkiMessage around an openssl -stream envelope', async () => {
    const envelopePath = join(pki.dir, 'streamed-envelope.der');
    pki.openssl(['cms', '-encrypt', '-binary', '-stream', '-aes128', '-outform', 'DER', '-in', pki.client.csrPath, '-out', envelopePath, pki.ca.certPath]);
    const der = await buildPkiMessage({
      messageType: MessageType.PKCSReq,
      transactionId: 'android',
      senderNonce: new Uint8Array(16).fill(5),
      envelope: read(envelopePath),
      signer: pki.client,
      digest: 'sha256',
    });
    const ber = streamedLikeBouncyCastle(der);
    expect(ber[1]).toBe(0x80);
    expect(Buffer.from(ber).indexOf(Buffer.from([0x24, 0x80]))).toBeGreaterThan(0); // constructed, indefinite eContent
    const request = parseRequest(ber, { recipients: [pki.ca] });
    expect(request.transactionId).toBe('android');
    expect(request.payload).toEqual({ messageType: MessageType.PKCSReq, csr: pki.client.csr });
  });
});
