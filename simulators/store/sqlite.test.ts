/**
 * What only the SQLite store has: a file that outlives the process, WAL, and several connections (cluster
 * workers) on the same file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { transpileForChild, type Transpiled } from '../transpile.test-support.js';
import { openStore } from './sqlite.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mdmca-sqlite-'));
  path = join(dir, 'store.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite store', () => {
  it('keeps its data, in order, across close and reopen', () => {
    const first = openStore({ path });
    const c = first.collection<{ n: number }>('docs');
    for (let n = 1; n <= 5; n++) c.put(`id${n}`, { n });
    c.delete('id2');
    c.put('id1', { n: 10 });
    first.collection<{ s: string }>('serials').insert('ab', { s: 'x' });
    first.close();

    const second = openStore({ path });
    expect(second.collection<{ n: number }>('docs').list().map((d) => d.n)).toEqual([10, 3, 4, 5]);
    expect(second.collection('serials').insert('ab', { s: 'y' })).toBe(false);
    second.close();
  });

  it('runs in WAL mode with synchronous=NORMAL and a busy timeout', () => {
    const store = openStore({ path, busyTimeoutMs: 1234 });
    const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    store.close();
  });

  it('opens an in-memory database with { memory: true }', () => {
    const store = openStore({ memory: true });
    store.collection('x').put('a', { n: 1 });
    expect(store.collection('x').count()).toBe(1);
    store.close();
  });

  it('keeps insert unique and update atomic across two connections to one file', () => {
    const a = openStore({ path });
    const b = openStore({ path });
    const ca = a.collection<{ by: string }>('serials');
    const cb = b.collection<{ by: string }>('serials');
    let wonA = 0;
    let wonB = 0;
    for (let i = 0; i < 500; i++) {
      // Alternate who goes first so both connections win some and lose some.
      const first = i % 2 ? ca : cb;
      const second = i % 2 ? cb : ca;
      const r1 = first.insert(`s${i}`, { by: first === ca ? 'a' : 'b' });
      const r2 = second.insert(`s${i}`, { by: second === ca ? 'a' : 'b' });
      expect([r1, r2]).toEqual([true, false]);
      if ((first === ca) === r1) wonA++;
      else wonB++;
    }
    expect(wonA + wonB).toBe(500);
    expect(ca.count()).toBe(500);

    const counters = [a.collection<{ n: number }>('counter'), b.collection<{ n: number }>('counter')];
    counters[0]!.put('c', { n: 0 });
    for (let i = 0; i < 200; i++) counters[i % 2]!.update('c', (old) => ({ n: old.n + 1 }));
    expect(counters[1]!.get('c')).toEqual({ n: 200 });
    a.close();
    b.close();
  });

  it('makes a second writer wait for the first, and fail with StoreError busy once the timeout passes', () => {
    const a = openStore({ path });
    const b = openStore({ path, busyTimeoutMs: 50 });
    const started = Date.now();
    a.transaction(() => {
      a.collection('x').put('held', { n: 1 });
      expect(() => b.collection('x').put('other', { n: 2 })).toThrow(expect.objectContaining({ code: 'busy' }));
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    // Readers are not blocked by a writer in WAL mode, and see only committed data.
    a.transaction(() => {
      a.collection('x').put('uncommitted', { n: 3 });
      expect(b.collection('x').get('uncommitted')).toBeUndefined();
      expect(b.collection('x').get('held')).toEqual({ n: 1 });
    });
    a.close();
    b.close();
  });
});

describe('SQLite store group commit (batch)', () => {
  it('runs the batch() calls of one turn in one transaction and resolves after it commits', async () => {
    const store = openStore({ path });
    const other = openStore({ path });
    onTestFinished(() => (store.close(), other.close()));
    const sql = (store as unknown as { sql: { commit: { run: () => unknown } } }).sql;
    let commits = 0;
    const commit = sql.commit.run.bind(sql.commit);
    sql.commit.run = () => (commits++, commit());
    const docs = store.collection<{ n: number }>('docs');
    const pending = [1, 2, 3].map((n) => store.batch(() => docs.insert(`d${n}`, { n })));
    expect(other.collection('docs').count()).toBe(0); // nothing runs before the turn ends
    expect(await Promise.all(pending)).toEqual([true, true, true]);
    expect(commits).toBe(1);
    expect(other.collection('docs').count()).toBe(3); // committed: another connection sees it
    expect(await store.batch(() => docs.insert('d1', { n: 9 }))).toBe(false);
  });

  it('undoes and rejects only the call that throws or returns a promise', async () => {
    const store = openStore({ path });
    onTestFinished(() => store.close());
    const docs = store.collection<{ n: number }>('docs');
    const results = await Promise.allSettled([
      store.batch(() => docs.put('a', { n: 1 })),
      store.batch(() => {
        docs.put('b', { n: 2 });
        throw new Error('refused');
      }),
      store.batch(() => (docs.put('c', { n: 3 }), Promise.resolve())),
      store.batch(() => docs.put('d', { n: 4 })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'async_transaction' });
    expect(docs.list().map((d) => d.n)).toEqual([1, 4]);
  });

  it('waits for another writer on a timer, not in the busy handler, so the event loop keeps running', async () => {
    const store = openStore({ path, busyTimeoutMs: 5000 });
    const other = openStore({ path });
    onTestFinished(() => (store.close(), other.close()));
    const otherDb = (other as unknown as { db: import('better-sqlite3').Database }).db;
    otherDb.exec('BEGIN IMMEDIATE'); // another process holds the write lock
    let settled = false;
    const batched = store.batch(() => store.collection('docs').put('x', { n: 1 })).finally(() => (settled = true));
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(performance.now()), 1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(settled).toBe(false);
    expect(ticks.length).toBeGreaterThan(5); // the loop was not stopped while the batch waited
    otherDb.exec('COMMIT');
    await batched;
    clearInterval(ticker);
    expect(other.collection('docs').get('x')).toEqual({ n: 1 });
  });

  it('writes what is queued when closed, and refuses batches after', async () => {
    const store = openStore({ path });
    const queued = store.batch(() => store.collection('docs').put('x', { n: 1 }));
    store.close();
    await queued;
    await expect(store.batch(() => 1)).rejects.toMatchObject({ code: 'closed' });
    const again = openStore({ path });
    expect(again.collection('docs').get('x')).toEqual({ n: 1 });
    again.close();
  });
});

describe('SQLite store across processes', () => {
  /** A worker script on the real store modules, transpiled for a plain `node` child. */
  function buildWorker(): Transpiled {
    const child = transpileForChild(['core/store.ts', 'simulators/store/index.ts', 'simulators/store/codec.ts', 'simulators/store/sqlite.ts']);
    child.write(
      'worker.js',
      `import { openStore } from './simulators/store/sqlite.js';
       const [path, who, count, startAt, mode] = process.argv.slice(2);
       const claims = [];
       const store = openStore({ path, busyTimeoutMs: 10000 });
       while (Date.now() < Number(startAt)); // both processes start together, so they really race
       const serials = store.collection('serials');
       const counter = store.collection('counter');
       const won = [];
       // Opposite orders: each claims its end first, so both win some even when one starts late.
       for (let k = 0; k < Number(count); k++) {
         const i = who === 'p1' ? k : Number(count) - 1 - k;
         if (mode === 'batch') {
           // Group commit: 20 claims per turn, as concurrent issuances make them.
           claims.push(store.batch(() => serials.insert('s' + i, { who })).then((ok) => ok && won.push(i)));
           // A pause per turn, as between requests: both processes stay in the race even if one starts late.
           if (claims.length === 20) await Promise.all([...claims.splice(0), new Promise((r) => setTimeout(r, 2))]);
         } else if (serials.insert('s' + i, { who })) won.push(i);
         counter.update('c', (old) => ({ n: old.n + 1 }));
       }
       await Promise.all(claims);
       store.close();
       process.stdout.write(JSON.stringify(won));`,
    );
    return child;
  }

  it.each(['plain', 'batch'])('keeps insert unique and update atomic when two processes race on one file (%s)', async (mode) => {
    const child = buildWorker();
    onTestFinished(() => child.dispose());
    const worker = join(child.root, 'worker.js');
    const setup = openStore({ path });
    setup.collection('counter').put('c', { n: 0 });
    setup.close();

    const count = 3000;
    const run = promisify(execFile);
    // Far enough ahead that both children are up even on a loaded machine, so they start together and race.
    const startAt = String(Date.now() + 3000);
    const results = await Promise.all(['p1', 'p2'].map((who) => run(process.execPath, [worker, path, who, String(count), startAt, mode])));
    const won = results.map((r) => JSON.parse(r.stdout) as number[]);
    const all = [...won[0]!, ...won[1]!].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: count }, (_, i) => i)); // each serial claimed exactly once
    expect(won[0]!.length).toBeGreaterThan(0); // they really raced
    expect(won[1]!.length).toBeGreaterThan(0);

    const check = openStore({ path });
    expect(check.collection('counter').get('c')).toEqual({ n: 2 * count });
    expect(check.collection('serials').count()).toBe(count);
    check.close();
  });
});
