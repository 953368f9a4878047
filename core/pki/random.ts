/**
 * Small cryptographically random values (serial numbers, nonces, content keys, IVs) cut from a pooled block.
 * From Node, OpenSSL 3's RAND_bytes costs about 5 µs per call whatever the size up to a few KB, and a SCEP reply
 * draws four small values; one 4 KiB draw covers about a hundred replies. Node's randomUUID pools the same way.
 * Each byte is handed out once, as a copy: no value shares memory with the pool or with another value.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
/** Larger requests skip the pool (they are not the per-message case it is for). */
const POOLED_MAX = 256;

const pool = new Uint8Array(POOL_BYTES);
let offset = POOL_BYTES;

export function randomValue(length: number): Uint8Array {
  if (length > POOLED_MAX) return randomFillSync(new Uint8Array(length));
  if (offset + length > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const value = pool.slice(offset, offset + length);
  pool.fill(0, offset, offset + length); // what was handed out does not stay behind in the pool
  offset += length;
  return value;
}
