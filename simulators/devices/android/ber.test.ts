/**
 * BER re-encoding of pkiMessages as BouncyCastle writes them: the framing changes, the signed content does not,
 * and core/scep's request parser (what our SCEP server runs) reads the result.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../core/clock.js';
import { selfSignedCertificate } from '../../../core/pki/ca.js';
import { buildCsr } from '../../../core/pki/csr.js';
import { generateKeyPair, type KeyPair } from '../../../core/pki/keys.js';
import { MessageType } from '../../../core/scep/constants.js';
import { buildRequest, parseRequest } from '../../../core/scep/messages.js';
import { parseSignedData, verifySignedData } from '../../../core/scep/signed-data.js';
import { loadTestPki, type TestPki } from '../../../fixtures/test-pki.js';
import { BER_SEGMENT, hasIndefiniteLength, segmentedOctetString, toIndefiniteLength } from './ber.js';

let pki: TestPki;
let key: KeyPair;
let der: Uint8Array;
beforeAll(async () => {
  [pki, key] = await Promise.all([loadTestPki(), generateKeyPair({ type: 'rsa', bits: 2048 })]);
  const csr = await buildCsr({ subject: 'CN=ber-device', privateKey: key.privateKey, challengePassword: 'x' });
  const self = await selfSignedCertificate({ subject: 'CN=ber-device', privateKey: key.privateKey, validityDays: 1, keyUsage: ['digitalSignature'], clock: systemClock });
  ({ der } = await buildRequest({
    request: { messageType: MessageType.PKCSReq, csr },
    transactionId: 'ber-1',
    signer: { certificate: self.der, privateKey: key.privateKey },
    recipients: [pki.identities['scep-ra'].certificate],
    cipher: 'aes-128-cbc',
    digest: 'sha256',
  }));
});

describe('toIndefiniteLength', () => {
  it('writes the outer layers with indefinite lengths and segments the eContent', () => {
    const ber = toIndefiniteLength(der);
    expect(hasIndefiniteLength(der)).toBe(false);
    expect(Array.from(ber.subarray(0, 2))).toEqual([0x30, 0x80]);
    expect(Array.from(ber.subarray(-6))).toEqual([0, 0, 0, 0, 0, 0]);
    // A constructed, indefinite OCTET STRING (0x24 0x80) carries the eContent.
    expect(Buffer.from(ber).indexOf(Buffer.from([0x24, 0x80]))).toBeGreaterThan(0);
    expect(ber.length).toBeGreaterThan(der.length);
  });

  it('keeps the signed content: the same eContent, a signature that verifies', () => {
    const original = parseSignedData(der);
    const reencoded = parseSignedData(toIndefiniteLength(der));
    expect(Buffer.compare(reencoded.content!, original.content!)).toBe(0);
    expect(() => verifySignedData(reencoded)).not.toThrow();
  });

  it('is read by core/scep as the same request', () => {
    const ra = pki.identities['scep-ra'];
    const parsed = parseRequest(toIndefiniteLength(der), { recipients: [{ certificate: ra.certificate, privateKey: ra.privateKey }] });
    expect(parsed.transactionId).toBe('ber-1');
    expect(parsed.payload.messageType).toBe(MessageType.PKCSReq);
  });

  it('is accepted and verified by openssl cms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdmca-ber-'));
    try {
      writeFileSync(join(dir, 'ber.p7'), toIndefiniteLength(der));
      const out = spawnSync('openssl', ['cms', '-cmsout', '-inform', 'DER', '-in', join(dir, 'ber.p7'), '-print'], { encoding: 'utf8' });
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout).toContain('contentType: pkcs7-signedData');
      // The messageDigest still matches the (segmented) content: OpenSSL verifies the signature.
      const verify = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(dir, 'ber.p7'), '-noverify', '-binary', '-out', join(dir, 'content')], { encoding: 'utf8' });
      expect(verify.stderr).toMatch(/Verification successful/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('segments long content in 1000-byte pieces', () => {
    const content = new Uint8Array(2500).fill(7);
    const encoded = segmentedOctetString(content);
    expect(Array.from(encoded.subarray(0, 2))).toEqual([0x24, 0x80]);
    expect(Array.from(encoded.subarray(2, 6))).toEqual([0x04, 0x82, BER_SEGMENT >> 8, BER_SEGMENT & 0xff]);
    expect(encoded.length).toBe(2 + 3 * 4 + 2500 + 2); // three 4-byte segment headers (500 too: 0x82 0x01 0xf4), end-of-contents
  });

  it('refuses what is not a SignedData ContentInfo', () => {
    expect(() => toIndefiniteLength(Uint8Array.of(0x04, 0x01, 0x00))).toThrow(/ContentInfo/);
  });
});
