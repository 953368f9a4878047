import { describe, expect, it } from 'vitest';
import { randomValue } from './random.js';

describe('randomValue', () => {
  it('hands out values of the asked length that share no memory and do not repeat', () => {
    const seen = new Set<string>();
    const values: Uint8Array[] = [];
    // More than one pool's worth, with lengths that do not divide it, so refills and the tail are crossed.
    for (let i = 0; i < 600; i++) {
      const value = randomValue(16 + (i % 5));
      expect(value.byteLength).toBe(16 + (i % 5));
      expect(value.buffer.byteLength).toBe(value.byteLength); // its own buffer, not a view of the pool
      seen.add(Buffer.from(value).toString('hex'));
      values.push(value);
    }
    expect(seen.size).toBe(600);
    const copy = Buffer.from(values[1]!);
    values[0]!.fill(0);
    expect(Buffer.from(values[1]!)).toEqual(copy);
  });

  it('is not constant: bytes take many values', () => {
    const bytes = randomValue(256);
    expect(new Set(bytes).size).toBeGreaterThan(100);
    expect(randomValue(5000).byteLength).toBe(5000); // above the pooled size: drawn directly
  });
});
