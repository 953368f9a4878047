import { describe, expect, it } from 'vitest';
import { memoryClaim, randomSerial, serialContentFromHex, SerialExhaustedError, SerialGenerator, serialHexFromContent, SerialReserve } from './serial.js';

describe('serials', () => {
  it('are 16 bytes, positive, DER-minimal, with at least 64 random bits', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const { bytes, hex } = randomSerial();
      expect(bytes.length).toBe(16);
      expect(bytes[0]! & 0x80).toBe(0); // positive
      expect(bytes[0]).not.toBe(0); // no leading zero octet
      expect(hex).toMatch(/^[4-7][0-9a-f]{31}$/);
      expect(serialHexFromContent(bytes)).toBe(hex);
      expect(BigInt(`0x${hex}`) >= 2n ** 64n).toBe(true);
      seen.add(bytes[15]!);
    }
    expect(seen.size).toBeGreaterThan(200); // the low byte is random
  });

  it('never repeats over 10 000 issuances through a claim callback', async () => {
    const used = new Set<string>();
    const generator = new SerialGenerator(memoryClaim(used));
    for (let i = 0; i < 10_000; i++) await generator.next();
    expect(used.size).toBe(10_000);
  });

  it('retries when the claim callback reports a collision, also when it is async', async () => {
    const fixed = [{ bytes: new Uint8Array([0x41]), hex: '41' }, { bytes: new Uint8Array([0x41]), hex: '41' }, { bytes: new Uint8Array([0x42]), hex: '42' }];
    let i = 0;
    const used = new Set<string>();
    const claims: string[] = [];
    const generator = new SerialGenerator(async (hex) => {
      claims.push(hex);
      if (used.has(hex)) return false;
      used.add(hex);
      return true;
    }, 16, () => fixed[i++]!);
    expect((await generator.next()).hex).toBe('41');
    expect((await generator.next()).hex).toBe('42');
    expect(claims).toEqual(['41', '41', '42']);
  });

  it('gives up with SerialExhaustedError when every serial is refused', async () => {
    await expect(new SerialGenerator(() => false, 3).next()).rejects.toThrow(SerialExhaustedError);
  });

  it('SerialReserve claims a block per write, shares one claim between concurrent callers, and never repeats', async () => {
    const used = new Set<string>();
    const blocks: number[] = [];
    const reserve = new SerialReserve(async (hexes) => {
      blocks.push(hexes.length);
      await new Promise((resolve) => setTimeout(resolve, 5)); // a commit in flight
      return hexes.map((hex) => (used.has(hex) ? false : (used.add(hex), true)));
    }, 8);
    const serials = await Promise.all(Array.from({ length: 20 }, () => reserve.next()));
    expect(new Set(serials.map((s) => s.hex)).size).toBe(20);
    expect(serials.every((s) => used.has(s.hex))).toBe(true); // nothing handed out before it was claimed
    expect(blocks).toEqual([8, 8, 8]); // 20 callers: three blocks of 8, not 20 claims
    await reserve.next();
    expect(blocks).toHaveLength(3); // served from what is left of the third block
  });

  it('SerialReserve skips serials the claim refuses and gives up when a whole run of blocks is refused', async () => {
    let counter = 0x40;
    const accepted = new Set<string>();
    const reserve = new SerialReserve(
      (hexes) => hexes.map((hex, i) => i % 2 === 1 && (accepted.add(hex), true)), // every other one is "taken"
      4,
      16,
      () => {
        const hex = (counter++).toString(16);
        return { hex, bytes: Buffer.from(hex, 'hex') };
      },
    );
    const handedOut = await Promise.all(Array.from({ length: 5 }, () => reserve.next()));
    expect(handedOut.every((serial) => accepted.has(serial.hex))).toBe(true);
    expect(new Set(handedOut.map((serial) => serial.hex)).size).toBe(5);
    await expect(new SerialReserve((hexes) => hexes.map(() => false), 4, 3).next()).rejects.toThrow(SerialExhaustedError);
    const failing = new SerialReserve(async () => Promise.reject(new Error('database is closed')), 4);
    await expect(failing.next()).rejects.toThrow('database is closed');
  });

  it('converts between INTEGER content and canonical hex', () => {
    expect(serialHexFromContent(new Uint8Array([0x00, 0x80]))).toBe('0080');
    expect(serialHexFromContent(new Uint8Array([0x00, 0x00, 0x01]))).toBe('01');
    expect(serialHexFromContent(new Uint8Array([0xff, 0xff, 0x80]))).toBe('80');
    expect(serialHexFromContent(new Uint8Array([0xff, 0x7f]))).toBe('ff7f');
    expect(Buffer.from(serialContentFromHex('80')).toString('hex')).toBe('0080');
    expect(Buffer.from(serialContentFromHex('0080')).toString('hex')).toBe('0080');
    expect(Buffer.from(serialContentFromHex('1')).toString('hex')).toBe('01');
    expect(Buffer.from(serialContentFromHex('000001')).toString('hex')).toBe('01');
    expect(() => serialContentFromHex('xyz')).toThrow(RangeError);
  });
});
