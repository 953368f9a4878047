/**
 * Where an emulated device gets its key pair. A phone makes its key when the profile arrives, and RSA-2048 key
 * generation costs ~170 ms of CPU here (more than the whole SCEP exchange), so a fleet would measure mostly key
 * generation. A KeyPool makes the keys up front, in parallel on libuv's thread pool, and hands each out once:
 * keys are never shared between devices, because clients derive the SCEP transactionID from the public key and
 * a CA answers a repeated transactionID with the first device's certificate (RFC 8894 §3.3.1). When the pool
 * has no key of the asked size, or is empty, the key is made on the spot and counted as a miss.
 * An optional cache directory keeps the generated keys (PKCS#8 PEM, test keys only) for the next run.
 */
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatKeySpec, generateKeyPair, importPrivateKey, type KeySpec, privateKeyToPem } from '../../core/pki/keys.js';

export interface DeviceKey {
  privateKey: KeyObject;
  /** Time spent making this key now, in ms (0 for a pooled key). */
  generatedMs: number;
  pooled: boolean;
}

/** Gives a device its key pair for `spec`. */
export type KeySource = (spec: KeySpec) => Promise<DeviceKey>;

/** Every key made on demand, as a phone does (`--fresh-keys`). */
export const freshKeys: KeySource = async (spec) => {
  const started = performance.now();
  const { privateKey } = await generateKeyPair(spec);
  return { privateKey, generatedMs: performance.now() - started, pooled: false };
};

export interface KeyPoolOptions {
  /** How many keys of which spec. */
  keys: Array<{ spec: KeySpec; count: number }>;
  /** Keys generated at once. Default 8 (libuv's pool has 4 threads; more keeps them busy). */
  concurrency?: number;
  /** Read keys from and write new keys to this directory. */
  cacheDir?: string;
  /** Called after each key is ready (for a progress display). */
  onKey?: (ready: number, total: number) => void;
}

export interface KeyPoolStats {
  /** Keys made up front by this process. */
  generated: number;
  /** Keys read from the cache directory. */
  loaded: number;
  /** Wall time of filling the pool, ms. */
  fillMs: number;
  /** Keys handed out from the pool. */
  taken: number;
  /** Requests the pool could not serve (made on the spot). */
  misses: number;
}

export class KeyPool {
  private readonly available = new Map<string, KeyObject[]>();
  readonly stats: KeyPoolStats = { generated: 0, loaded: 0, fillMs: 0, taken: 0, misses: 0 };

  private constructor() {}

  static async create(options: KeyPoolOptions): Promise<KeyPool> {
    const pool = new KeyPool();
    const started = performance.now();
    const total = options.keys.reduce((sum, entry) => sum + entry.count, 0);
    let ready = 0;
    options.onKey?.(0, total);
    for (const { spec, count } of options.keys) {
      const name = formatKeySpec(spec);
      const keys = options.cacheDir ? loadCached(options.cacheDir, name, count) : [];
      pool.stats.loaded += keys.length;
      ready += keys.length;
      options.onKey?.(ready, total);
      const missing = count - keys.length;
      const made = await generateMany(spec, missing, options.concurrency ?? 8, () => options.onKey?.(++ready, total));
      pool.stats.generated += made.length;
      if (options.cacheDir && made.length) saveCached(options.cacheDir, name, made, keys.length);
      pool.available.set(name, [...keys, ...made]);
    }
    pool.stats.fillMs = performance.now() - started;
    return pool;
  }

  /** Keys left of a spec. */
  remaining(spec: KeySpec): number {
    return this.available.get(formatKeySpec(spec))?.length ?? 0;
  }

  /** A KeySource drawing from the pool, making a key on the spot when none of the size is left. */
  readonly source: KeySource = async (spec) => {
    const key = this.available.get(formatKeySpec(spec))?.pop();
    if (key) {
      this.stats.taken++;
      return { privateKey: key, generatedMs: 0, pooled: true };
    }
    this.stats.misses++;
    return freshKeys(spec);
  };
}

async function generateMany(spec: KeySpec, count: number, concurrency: number, onEach: () => void): Promise<KeyObject[]> {
  const out: KeyObject[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      out.push((await generateKeyPair(spec)).privateKey);
      onEach();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

const fileName = (spec: string, index: number) => `${spec}-${String(index).padStart(6, '0')}.pem`;

function loadCached(dir: string, spec: string, count: number): KeyObject[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith(`${spec}-`) && name.endsWith('.pem')).sort();
  } catch {
    return [];
  }
  return names.slice(0, count).map((name) => importPrivateKey(readFileSync(join(dir, name), 'utf8')));
}

function saveCached(dir: string, spec: string, keys: KeyObject[], offset: number): void {
  mkdirSync(dir, { recursive: true });
  keys.forEach((key, i) => writeFileSync(join(dir, fileName(spec, offset + i)), privateKeyToPem(key), { mode: 0o600 }));
}
