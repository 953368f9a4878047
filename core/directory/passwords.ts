/**
 * Password hashes for directory users (local users, and the simulated bind of LDAP users). These are test
 * identities, not secrets, but a snapshot should still not carry plain passwords. scrypt with a deliberately
 * small cost (N=256, r=8: well under a millisecond) so that enrolling a fleet of 1000 devices is not dominated by logins.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 256;
const KEY_LENGTH = 32;

/** "scrypt$N$salt-base64$hash-base64" */
export function hashPassword(password: string, salt: Uint8Array = randomBytes(16)): string {
  const hash = scryptSync(password, salt, KEY_LENGTH, { N, r: 8, p: 1 });
  return `scrypt$${N}$${Buffer.from(salt).toString('base64')}$${hash.toString('base64')}`;
}

export function isPasswordHash(value: string): boolean {
  return /^scrypt\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(value);
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, cost, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !cost || !salt || !hash) return false;
  const n = Number(cost);
  if (!Number.isInteger(n) || n < 2 || n > 1 << 14 || (n & (n - 1)) !== 0) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, { N: n, r: 8, p: 1 });
  return expected.length === KEY_LENGTH && timingSafeEqual(actual, expected);
}
