import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openssl, removeDir, tempDir } from './pkcs12-openssl-pki.test-support.js';
import { KDF_ID, passwordBytes, passwordCandidates, pkcs12Kdf } from './pkcs12-kdf.js';
import type { HashName } from './algorithms.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').toUpperCase();
const unhex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

/** OpenSSL's own PKCS12KDF, the oracle. `pass` is given as the BMPString bytes, as OpenSSL's provider expects. */
function opensslKdf(hash: HashName, password: Uint8Array, salt: Uint8Array, id: number, iterations: number, length: number): string {
  const dir = tempDir();
  try {
    const args = ['kdf', '-keylen', String(length), '-kdfopt', `digest:${hash.toUpperCase()}`, '-kdfopt', `hexsalt:${hex(salt)}`];
    args.push('-kdfopt', `id:${id}`, '-kdfopt', `iter:${iterations}`);
    args.push('-kdfopt', `hexpass:${hex(password)}`);
    args.push('PKCS12KDF');
    return openssl(args, dir).stdout.trim().replace(/:/g, '');
  } finally {
    removeDir(dir);
  }
}

describe('passwordBytes', () => {
  it('encodes UTF-16 code units big-endian with a trailing 0x0000', () => {
    expect(hex(passwordBytes('smeg').bmp)).toBe('0073006D006500670000');
    expect(hex(passwordBytes('é中').bmp)).toBe('00E94E2D0000');
    expect(hex(passwordBytes('😀').bmp)).toBe('D83DDE000000');
    expect(hex(passwordBytes('').bmp)).toBe('0000');
    expect(hex(passwordBytes('é中').utf8)).toBe('C3A9E4B8AD');
  });

  it('tries no password at all for "" and the pre-1.1.0 OpenSSL form for non-ASCII text', () => {
    expect(passwordCandidates('pw').map((c) => c.label)).toEqual(['BMPString']);
    expect(passwordCandidates('').map((c) => hex(c.bmp))).toEqual(['0000', '']);
    const [, widened] = passwordCandidates('é');
    expect(hex(widened!.bmp)).toBe('00C300A90000');
  });
});

describe('pkcs12Kdf (RFC 7292 Appendix B)', () => {
  it('matches the known answers in OpenSSL test suite (password "smeg")', () => {
    const password = passwordBytes('smeg').bmp;
    expect(hex(pkcs12Kdf('sha1', password, unhex('0A58CF64530D823F'), KDF_ID.key, 1, 24))).toBe(
      '8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3',
    );
    expect(hex(pkcs12Kdf('sha1', password, unhex('0A58CF64530D823F'), KDF_ID.iv, 1, 8))).toBe(opensslKdf('sha1', password, unhex('0A58CF64530D823F'), 2, 1, 8));
  });

  it('agrees with openssl kdf PKCS12KDF for random inputs (every hash, ID, length across block boundaries)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<HashName>('sha1', 'sha256', 'sha384', 'sha512'),
        fc.string({ maxLength: 40, unit: 'binary' }),
        fc.uint8Array({ minLength: 0, maxLength: 70 }),
        fc.constantFrom(1, 2, 3),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 150 }),
        (hash, text, salt, id, iterations, length) => {
          const password = passwordBytes(text).bmp;
          expect(hex(pkcs12Kdf(hash, password, salt, id, iterations, length))).toBe(opensslKdf(hash, password, salt, id, iterations, length));
        },
      ),
      { seed: 1207, numRuns: 25 },
    );
  });

  it('derives from an absent (zero-length) password as OpenSSL does', () => {
    const salt = unhex('3D83C0E4546AC140');
    expect(hex(pkcs12Kdf('sha256', new Uint8Array(0), salt, KDF_ID.mac, 5, 32))).toBe(opensslKdf('sha256', new Uint8Array(0), salt, 3, 5, 32));
  });
});
