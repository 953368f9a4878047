/** Reading `openssl speed` output of the OpenSSL versions in use, and the bound it gives. */
import { describe, expect, it } from 'vitest';
import { boundFor, parseOpensslSpeed } from './bound.js';

const OPENSSL_3_0_MULTI = `Got: +F2:2:2048:724.916944:12589.333333 from 1
version: 3.0.19
built on: Fri Apr  3 12:29:32 2026 UTC
                  sign    verify    sign/s verify/s
rsa 2048 bits 0.000140s 0.000008s   7148.5 119478.5
`;

const OPENSSL_3_5 = `version: 3.5.1
                   sign    verify    encrypt   decrypt   sign/s verify/s  encr./s decr./s
rsa  2048 bits 0.000561s 0.000016s 0.000017s 0.000559s   1782.5  61601.9  59138.3   1789.2
`;

describe('openssl speed parsing', () => {
  it('reads sign/s and verify/s from the 3.0 table', () => {
    expect(parseOpensslSpeed(OPENSSL_3_0_MULTI)).toEqual({ signPerSecond: 7148.5, verifyPerSecond: 119478.5 });
  });

  it('reads the sign/s column of the wider 3.2+ table', () => {
    expect(parseOpensslSpeed(OPENSSL_3_5)).toEqual({ signPerSecond: 1782.5, verifyPerSecond: 61601.9 });
  });

  it('falls back to the machine-readable lines, and refuses output without a result', () => {
    expect(parseOpensslSpeed('+F2:2:2048:700:12000\n+F2:2:2048:720:12500\n').signPerSecond).toBe(1420);
    expect(() => parseOpensslSpeed('openssl: unknown option')).toThrow(/no rsa2048 result/);
  });

  it('gives a third of the private-key operations to a SCEP issuance, all of them to a CSR issuance', () => {
    expect(boundFor(4410, 'scep')).toEqual({ privateOpsPerSecond: 4410, issuancesPerSecond: 1470 });
    expect(boundFor(4410, 'csr').issuancesPerSecond).toBe(4410);
  });
});
