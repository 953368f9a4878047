/**
 * Store throughput, measured (run with MDMCA_MEASURE=1 npx vitest run simulators/store/store.measure.test.ts).
 * Single thread, ~20 000 small records, SQLite on a file in a temp dir (WAL, synchronous=NORMAL).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CertificateRepository } from './certificates.js';
import type { Store } from './index.js';
import { createMemoryStore } from './memory.js';
import { openStore } from './sqlite.js';

const N = 20_000;

function rate(fn: (i: number) => void, n = N): number {
  const started = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return n / ((performance.now() - started) / 1000);
}

describe.skipIf(!process.env.MDMCA_MEASURE)('store throughput', () => {
  it('put / insert / get / update / CertificateRepository.add', { timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdmca-measure-'));
    const der = randomBytes(1536).toString('base64');
    const rows: string[] = [];
    const stores: Array<[string, () => Store]> = [
      ['memory', () => createMemoryStore()],
      ['sqlite file', () => openStore({ path: join(dir, `${Math.random()}.db`) })],
    ];
    for (const [name, make] of stores) {
      const store = make();
      const c = store.collection<{ n: number; name: string; status: string }>('docs');
      const value = (i: number) => ({ n: i, name: `device-${i}`, status: 'active' });
      const put = rate((i) => c.put(`p${i}`, value(i)));
      const insert = rate((i) => c.insert(`i${i}`, value(i)));
      const insertDup = rate((i) => c.insert(`i${i}`, value(i)));
      const get = rate((i) => c.get(`p${i}`));
      const update = rate((i) => c.update(`p${i}`, (old) => ({ ...old, status: 'retired' })));
      let batched = 0;
      store.transaction(() => {
        batched = rate((i) => c.put(`t${i}`, value(i)));
      });
      const repo = new CertificateRepository(store);
      const add = rate(
        (i) =>
          repo.add({
            serialHex: (0x4000_0000 + i).toString(16),
            issuer: 'scep-ca',
            subject: `CN=device-${i},O=Example`,
            notBefore: '2025-01-01T00:00:00.000Z',
            notAfter: '2026-01-01T00:00:00.000Z',
            der,
            profile: 'wifi',
            transactionId: `tx-${i}`,
          }),
        5_000,
      );
      const claim = rate((i) => repo.claimSerial((0x5000_0000 + i).toString(16)), 5_000);
      expect(c.count()).toBe(3 * N);
      store.close();
      const f = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10);
      rows.push(
        `${name.padEnd(12)} put ${f(put)}  insert ${f(insert)}  insert(dup) ${f(insertDup)}  get ${f(get)}  update ${f(update)}  put in 1 tx ${f(batched)}  cert.add(1.5 KB) ${f(add)}  claimSerial ${f(claim)}`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    console.log(`\nops/s, ${N} records, single thread\n${rows.join('\n')}`);
  });
});
