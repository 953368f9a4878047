import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importPublicKey, spkiDer } from '../pki/keys.js';
import { isPrintableString } from './signed-attributes.js';
import { runOpenssl } from './openssl-pki.test-support.js';
import { transactionIdFor, type TransactionIdStyle } from './transaction-id.js';

// The RSA-1024 key of micromdm's testclient fixture (its CSR produced PKCSReq.der), as SubjectPublicKeyInfo.
const CLIENT_SPKI = Buffer.from(
  '30819f300d06092a864886f70d010101050003818d0030818902818100d3f581abd07f1da68cc0122e65d97916c8acb6243df21326c8f40d590d770affbf143d0f82e2d05be814d12560d6a1916515c1d419b6565dbc923f0ea0801b0b9787de17503e863b428e566c445e269df72d8b192b74ff941a5dfb52e9ec5bade69fcb8cea833eede961076cd1b1c66b64f043299c7557e12df8116b5f8f71370203010001',
  'hex',
);

describe('transaction IDs', () => {
  const spki = new Uint8Array(CLIENT_SPKI);

  it('reproduces the iOS ID found in PKCSReq.der', () => {
    expect(transactionIdFor(spki, 'apple')).toBe('A13090761A30F66664F85D37433D2065E1112BA1');
  });

  it('reproduces sscep: upper-case hex MD5 of the SubjectPublicKeyInfo', () => {
    const md5 = runOpenssl(['dgst', '-md5', '-r'], process.cwd(), spki).stdout.toString().split(' ')[0]!;
    expect(transactionIdFor(spki, 'sscep')).toBe(md5.toUpperCase());
  });

  it('derives micromdm’s IDs from the subjectPublicKey bits (SHA-256/160 now, SHA-1 in 2.1)', () => {
    expect(transactionIdFor(spki, 'micromdm-legacy')).toBe(Buffer.from('A13090761A30F66664F85D37433D2065E1112BA1', 'hex').toString('base64'));
    // RFC 7093 method 1 over the PKCS#1 RSAPublicKey, extracted here by openssl.
    const rsaPublicKey = runOpenssl(['rsa', '-pubin', '-inform', 'DER', '-RSAPublicKey_out', '-outform', 'DER'], process.cwd(), spki).stdout;
    const expected = createHash('sha256').update(rsaPublicKey).digest().subarray(0, 20).toString('base64');
    expect(transactionIdFor(spki, 'micromdm')).toBe(expected);
  });

  it('defaults to hex SHA-256 of the SPKI, from a KeyObject or DER alike', () => {
    const key = importPublicKey(spki);
    expect(transactionIdFor(key)).toBe(transactionIdFor(spkiDer(key)));
    expect(transactionIdFor(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('always yields a PrintableString', () => {
    for (const style of ['mdmca', 'micromdm', 'micromdm-legacy', 'sscep', 'apple'] as TransactionIdStyle[]) {
      expect(isPrintableString(transactionIdFor(spki, style))).toBe(true);
    }
  });
});
