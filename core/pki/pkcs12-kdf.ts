/**
 * The PKCS#12 key derivation function (RFC 7292 Appendix B.2) and the two byte forms of a password:
 * a BMPString with a trailing 0x0000 for the PKCS#12 KDF, and UTF-8 for PBKDF2 (as OpenSSL passes it).
 */
import * as crypto from 'node:crypto';
import type { HashName } from './algorithms.js';

/** What the derived bytes are for (RFC 7292 B.3). */
export const KDF_ID = { key: 1, iv: 2, mac: 3 } as const;

const BLOCK_BYTES: Record<HashName, number> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };
const DIGEST_BYTES: Record<HashName, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

export function digestLength(hash: HashName): number {
  return DIGEST_BYTES[hash];
}

/** A password as the two encodings the algorithms want; `label` says which interpretation it is. */
export interface PasswordBytes {
  bmp: Uint8Array;
  utf8: Uint8Array;
  label: string;
}

/** The standard form: every UTF-16 code unit big-endian, then 0x0000 (so "" is two zero bytes). */
export function passwordBytes(password: string): PasswordBytes {
  const bmp = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const unit = password.charCodeAt(i);
    bmp[2 * i] = unit >> 8;
    bmp[2 * i + 1] = unit & 0xff;
  }
  return { bmp, utf8: new Uint8Array(Buffer.from(password, 'utf8')), label: 'BMPString' };
}

/**
 * Every reading of `password` that some writer has used, the standard one first. OpenSSL's `pkcs12` command
 * tries the same ones: for "" also no password at all (zero bytes), and for non-ASCII text the form of
 * OpenSSL before 1.1.0, which widened each UTF-8 byte to 16 bits.
 */
export function passwordCandidates(password: string): PasswordBytes[] {
  const candidates = [passwordBytes(password)];
  if (password === '') candidates.push({ bmp: new Uint8Array(0), utf8: new Uint8Array(0), label: 'absent' });
  if (/[^\x00-\x7f]/.test(password)) {
    const widened = Buffer.from(password, 'utf8').toString('latin1');
    candidates.push({ ...passwordBytes(widened), label: 'UTF-8 bytes widened (OpenSSL < 1.1.0)' });
  }
  return candidates;
}

/** RFC 7292 B.2: `length` bytes of key material for purpose `id`. */
export function pkcs12Kdf(hash: HashName, password: Uint8Array, salt: Uint8Array, id: number, iterations: number, length: number): Uint8Array {
  const v = BLOCK_BYTES[hash];
  const u = DIGEST_BYTES[hash];
  const diversifier = new Uint8Array(v).fill(id);
  const input = concat(repeatToBlocks(salt, v), repeatToBlocks(password, v));
  const out = new Uint8Array(Math.ceil(length / u) * u);
  const block = new Uint8Array(v);
  for (let offset = 0; offset < length; offset += u) {
    let a: Buffer = crypto.createHash(hash).update(diversifier).update(input).digest();
    for (let r = 1; r < iterations; r++) a = digestOnce(hash, a);
    out.set(a, offset);
    if (offset + u >= length) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, with B = A repeated to v bytes.
    for (let i = 0; i < v; i++) block[i] = a[i % u]!;
    for (let j = 0; j < input.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[j + k]! + block[k]! + carry;
        input[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return out.subarray(0, length);
}

// crypto.hash (Node >= 20.12) is about twice as fast as createHash for the thousands of tiny inputs here.
const digestOnce: (hash: HashName, data: Buffer) => Buffer =
  typeof crypto.hash === 'function'
    ? (hash, data) => crypto.hash(hash, data, 'buffer')
    : (hash, data) => crypto.createHash(hash).update(data).digest();

/** `data` repeated to fill v * ceil(len / v) bytes; empty stays empty. */
function repeatToBlocks(data: Uint8Array, v: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / v) * v);
  for (let i = 0; i < out.length; i++) out[i] = data[i % data.length]!;
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
