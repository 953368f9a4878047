/**
 * Certificate serial numbers: 16 random bytes, positive and DER-minimal, never reused.
 *
 * The first byte is forced into 0x40..0x7f: the top bit clear keeps the INTEGER positive, the next bit set keeps
 * it free of a leading zero octet, so every serial is exactly 16 content bytes (126 random bits, far above the
 * 64 that RFC 5280 and the CA/Browser Forum ask for) and its hex form is its DER content. Uniqueness is the
 * claim callback's business: a Store records the serial atomically and answers false when it already has it.
 */
import { randomValue } from './random.js';

export const SERIAL_BYTES = 16;

/** Records `serialHex` as used; false when it already was. May be async (a database). */
export type ClaimSerial = (serialHex: string) => boolean | Promise<boolean>;

export interface Serial {
  /** INTEGER content octets (two's complement, minimal). */
  bytes: Uint8Array;
  /** Lower-case hex of `bytes`: the form stores and logs use. */
  hex: string;
}

export class SerialExhaustedError extends Error {
  constructor(attempts: number) {
    super(`no unused serial number after ${attempts} attempts: the claim callback refuses everything`);
    this.name = 'SerialExhaustedError';
  }
}

/** A claim callback backed by an in-memory Set: for tests and for simulators without a Store. */
export function memoryClaim(used: Set<string> = new Set()): ClaimSerial {
  return (serialHex) => {
    if (used.has(serialHex)) return false;
    used.add(serialHex);
    return true;
  };
}

export function randomSerial(): Serial {
  const bytes = randomValue(SERIAL_BYTES);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return { bytes, hex: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex') };
}

/** Records every serial of `serialHexes` as used in one durable write; per serial, false when it already was. */
export type ClaimSerials = (serialHexes: readonly string[]) => boolean[] | Promise<boolean[]>;

export class SerialGenerator {
  constructor(
    private readonly claim: ClaimSerial = memoryClaim(),
    protected readonly maxAttempts = 16,
    protected readonly source: () => Serial = randomSerial,
  ) {}

  /** A fresh serial the claim callback accepted; retries on collision. */
  async next(): Promise<Serial> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const serial = this.source();
      const claimed = this.claim(serial.hex);
      if (claimed === true || (claimed !== false && (await claimed))) return serial;
    }
    throw new SerialExhaustedError(this.maxAttempts);
  }
}

/**
 * Claims serials ahead, a block at a time: one durable claim (one Store write) per block instead of one per
 * certificate, and issuing no longer waits for a commit before it signs. The guarantee is SerialGenerator's:
 * nothing is signed with a serial that is not durably taken. A serial claimed and never used (the process stops)
 * is only skipped; serials must be unique, not consecutive. Concurrent callers share one claim in flight.
 */
export class SerialReserve extends SerialGenerator {
  private readonly ready: Serial[] = [];
  private filling: Promise<void> | undefined;

  constructor(
    private readonly claimMany: ClaimSerials,
    private readonly blockSize = 64,
    maxAttempts = 16,
    source: () => Serial = randomSerial,
  ) {
    super(() => false, maxAttempts, source);
  }

  override async next(): Promise<Serial> {
    for (let round = 0; round < this.maxAttempts; round++) {
      const serial = this.ready.pop();
      if (serial) return serial;
      this.filling ??= this.fill().finally(() => (this.filling = undefined));
      await this.filling;
    }
    const ready = this.ready.pop();
    if (ready) return ready;
    throw new SerialExhaustedError(this.maxAttempts * this.blockSize);
  }

  private async fill(): Promise<void> {
    const candidates = Array.from({ length: this.blockSize }, this.source);
    const claimed = await this.claimMany(candidates.map((serial) => serial.hex));
    candidates.forEach((serial, i) => claimed[i] === true && this.ready.push(serial));
  }
}

/**
 * Canonical hex of an INTEGER's content octets as found in certificates and CRLs: lower case, redundant leading
 * 00 (or FF for negatives) octets removed, the sign octet kept ("0080" for 128).
 */
export function serialHexFromContent(content: Uint8Array): string {
  let start = 0;
  while (
    start < content.length - 1 &&
    ((content[start] === 0x00 && content[start + 1]! < 0x80) || (content[start] === 0xff && content[start + 1]! >= 0x80))
  ) {
    start++;
  }
  return Buffer.from(content.subarray(start)).toString('hex');
}

/**
 * Minimal INTEGER content octets for a serial given in hex, read as a positive number (RFC 5280 serials are
 * positive): "80" and "0080" both give 00 80.
 */
export function serialContentFromHex(serialHex: string): Uint8Array {
  const hex = serialHex.length % 2 ? `0${serialHex}` : serialHex;
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new RangeError(`not a hex serial number: "${serialHex}"`);
  let bytes = Buffer.from(hex, 'hex');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  return new Uint8Array(bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}
