/**
 * Real messages from micromdm/scep's test data (Debian package `scep`), read in place from ../shared/fixtures.
 * What they show: PKCSReq.der is an iOS-style request (signer "MDM SCEP SIGNER", 8-byte senderNonce, SHA-1,
 * DES-EDE3 content, transactionID = upper-case hex SHA-1 of the CSR key) encrypted to testca; CertRep.der is
 * micromdm's answer, encrypted with single DES to that "MDM SCEP SIGNER" certificate (RSA-2048), whose key is
 * not among the fixtures, so it cannot be opened: testclient/ holds the CSR's own RSA-1024 key and certificate.
 * CertRep_NoCertificatesForSigners.der is an NDES reply signed by an RA certificate (testca2/ca2.pem) it does
 * not carry, with AES-128 content under RSAES-OAEP (SHA-1 defaults) to another "SCEP SIGNER" certificate.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pemToDer } from '../pki/pem.js';
import { certificateFields } from './cert-fields.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';
import { describeEnvelope } from './envelope.js';
import { ScepError } from './errors.js';
import { parseCertRep, parseRequest } from './messages.js';
import { parsePkiMessage } from './pki-message.js';
import { runOpenssl } from './openssl-pki.test-support.js';
import { transactionIdFor } from './transaction-id.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/micromdm-scep/', import.meta.url));
const present = existsSync(join(FIXTURES, 'PKCSReq.der'));
if (!present) console.warn(`skipping the micromdm fixture tests: ${FIXTURES} is absent`);

const bytes = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const cert = (name: string) => pemToDer(readFileSync(join(FIXTURES, name), 'utf8'), 'CERTIFICATE');
const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');

describe.skipIf(!present)('micromdm/scep fixtures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdmca-fixtures-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // testca/ca.key is PEM encrypted with DES-EDE3 under the empty passphrase.
  const caKey = () => createPrivateKey({ key: readFileSync(join(FIXTURES, 'testca/ca.key'), 'utf8'), passphrase: '' });

  it('PKCSReq.der parses, verifies and decrypts with testca to a CSR openssl accepts', () => {
    const request = parseRequest(bytes('PKCSReq.der'), {
      recipients: [{ certificate: cert('testca/ca.pem'), privateKey: caKey() }],
      allowLegacyCiphers: true,
    });
    expect(request.messageType).toBe(MessageType.PKCSReq);
    expect(request.transactionId).toBe('A13090761A30F66664F85D37433D2065E1112BA1');
    expect(hex(request.senderNonce)).toBe('ae7fe8816cc6bedd'); // 8 bytes, not the RFC's 16
    expect(request.digest).toBe('sha1');
    expect(request.cipher).toBe('des-ede3-cbc');
    expect(request.legacyCipher).toBe(true);
    expect(request.keyTransport).toEqual({ scheme: 'rsaes-pkcs1-v1_5' });
    expect(request.signingTime?.toISOString()).toBe('2016-05-31T11:30:13.000Z');
    expect(hex(certificateFields(request.signerCertificate).serialNumber)).toBe('01');
    if (request.payload.messageType !== MessageType.PKCSReq) throw new Error('expected a CSR');
    const csrPath = join(dir, 'fixture.csr.der');
    writeFileSync(csrPath, request.payload.csr);
    const checked = runOpenssl(['req', '-inform', 'DER', '-in', csrPath, '-verify', '-noout', '-subject'], dir);
    expect(checked.stdout.toString() + checked.stderr).toMatch(/verify OK/i);
    // The transactionID is iOS's: upper-case hex SHA-1 of the CSR key's subjectPublicKey.
    const spki = runOpenssl(['req', '-inform', 'DER', '-in', csrPath, '-pubkey', '-noout'], dir).stdout.toString();
    expect(transactionIdFor(pemToDer(spki, 'PUBLIC KEY'), 'apple')).toBe(request.transactionId);
  });

  it('PKCSReq.der is refused with badAlg when legacy ciphers are not allowed', () => {
    try {
      parseRequest(bytes('PKCSReq.der'), { recipients: [{ certificate: cert('testca/ca.pem'), privateKey: caKey() }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScepError);
      expect((error as ScepError).failInfo).toBe(FailInfo.badAlg);
      expect((error as ScepError).context.transactionId).toBe('A13090761A30F66664F85D37433D2065E1112BA1');
    }
  });

  it('CertRep.der verifies; its single-DES envelope is addressed to the PKCSReq signer, not to testclient', () => {
    const reply = parsePkiMessage(bytes('CertRep.der'));
    expect(reply.messageType).toBe(MessageType.CertRep);
    expect(reply.pkiStatus).toBe(PkiStatus.SUCCESS);
    expect(reply.transactionId).toBe('A13090761A30F66664F85D37433D2065E1112BA1');
    expect(hex(reply.recipientNonce!)).toBe('ae7fe8816cc6bedd');
    expect(reply.senderNonce).toBeUndefined(); // micromdm 2016 sent none
    expect(reply.signingTime?.toISOString()).toBe('2016-05-31T11:30:14.000Z'); // written as 160531073014-0400
    expect(Buffer.from(reply.signerCertificate)).toEqual(Buffer.from(cert('testca/ca.pem')));
    // The issued certificate travels in the clear too, and its key is testclient's.
    const issued = certificateFields(reply.certificates[0]!);
    expect(hex(issued.subjectKeyIdentifier!)).toBe('a13090761a30f66664f85d37433d2065e1112ba1');
    expect(Buffer.from(issued.spki)).toEqual(Buffer.from(certificateFields(cert('testclient/client.pem')).spki));

    const envelope = describeEnvelope(reply.envelope!);
    expect(envelope.cipher).toBe('des-cbc');
    expect(envelope.keyTransports).toEqual(['1.2.840.113549.1.1.1']);
    const pkcsReqSigner = certificateFields(parsePkiMessage(bytes('PKCSReq.der')).signerCertificate);
    const recipient = envelope.recipients[0] as { issuer: Uint8Array; serialNumber: Uint8Array };
    expect(Buffer.from(recipient.issuer)).toEqual(Buffer.from(pkcsReqSigner.issuer));
    expect(hex(recipient.serialNumber)).toBe('01');

    // testclient's RSA-1024 key is neither named nor the right size for the 2048-bit encrypted key.
    const decryptWith = {
      certificate: cert('testclient/client.pem'),
      privateKey: createPrivateKey(readFileSync(join(FIXTURES, 'testclient/client.key'), 'utf8')),
    };
    try {
      parseCertRep(bytes('CertRep.der'), { expectedRecipientNonce: Buffer.from('ae7fe8816cc6bedd', 'hex'), decryptWith, allowLegacyCiphers: true });
      expect.unreachable();
    } catch (error) {
      expect((error as ScepError).failInfo).toBe(FailInfo.badCertId);
    }
  });

  it('CertRep_NoCertificatesForSigners.der verifies against testca2/ca2.pem given as a trusted signer', () => {
    const ra = cert('testca2/ca2.pem');
    const reply = parsePkiMessage(bytes('testca2/CertRep_NoCertificatesForSigners.der'), { trustedSigners: [ra] });
    expect(reply.certificates).toEqual([]);
    expect(Buffer.from(reply.signerCertificate)).toEqual(Buffer.from(ra));
    expect(reply.pkiStatus).toBe(PkiStatus.SUCCESS);
    expect(reply.transactionId).toBe('HVvzN0228V+AW+dUuDe8OPyDXD0=');
    expect(reply.senderNonce?.byteLength).toBe(16);
    expect(reply.recipientNonce?.byteLength).toBe(16);
    const envelope = describeEnvelope(reply.envelope!);
    expect(envelope.cipher).toBe('aes-128-cbc');
    expect(envelope.keyTransports).toEqual(['1.2.840.113549.1.1.7']);
  });

  it('CertRep_NoCertificatesForSigners.der fails with badCertId without the trusted signer', () => {
    try {
      parsePkiMessage(bytes('testca2/CertRep_NoCertificatesForSigners.der'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScepError);
      expect((error as ScepError).failInfo).toBe(FailInfo.badCertId);
      expect((error as ScepError).context.transactionId).toBe('HVvzN0228V+AW+dUuDe8OPyDXD0=');
    }
    // The wrong certificate is no better: testca's key did not sign it.
    expect(() => parsePkiMessage(bytes('testca2/CertRep_NoCertificatesForSigners.der'), { trustedSigners: [cert('testca/ca.pem')] })).toThrow(
      expect.objectContaining({ failInfo: FailInfo.badCertId }),
    );
  });
});
