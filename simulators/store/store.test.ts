/**
 * One contract, run against both Store implementations: a test that passes on memory must mean the same on
 * SQLite. SQLite-only properties (files, reopen, several connections) are in sqlite.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, type Store } from './index.js';
import { createMemoryStore } from './memory.js';
import { openStore } from './sqlite.js';

interface Doc {
  n: number;
  tags?: string[];
}

const implementations: Array<[string, () => { store: Store; cleanup: () => void }]> = [
  ['memory', () => ({ store: createMemoryStore(), cleanup: () => undefined })],
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'mdmca-store-'));
      const store = openStore({ path: join(dir, 'store.db') });
      return { store, cleanup: () => (store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
];

describe.each(implementations)('Store contract: %s', (_name, make) => {
  let store: Store;
  let cleanup: () => void;
  beforeEach(() => ({ store, cleanup } = make()));
  afterEach(() => cleanup());

  const ids = (docs: Doc[]) => docs.map((d) => d.n);

  it('gets what was put, as a fresh object each time', () => {
    const c = store.collection<Doc>('docs');
    expect(c.get('a')).toBeUndefined();
    const value = { n: 1, tags: ['x'] };
    c.put('a', value);
    value.tags.push('mutated after put');
    const first = c.get('a')!;
    expect(first).toEqual({ n: 1, tags: ['x'] });
    first.tags!.push('mutated after get');
    expect(c.get('a')).toEqual({ n: 1, tags: ['x'] });
    expect(c.get('a')).not.toBe(c.get('a'));
  });

  it('put upserts in place; insert refuses an existing id and leaves it untouched', () => {
    const c = store.collection<Doc>('docs');
    c.put('a', { n: 1 });
    c.put('b', { n: 2 });
    c.put('a', { n: 3 });
    expect(ids(c.list())).toEqual([3, 2]);
    expect(c.insert('a', { n: 9 })).toBe(false);
    expect(c.get('a')).toEqual({ n: 3 });
    expect(c.insert('c', { n: 4 })).toBe(true);
    expect(c.count()).toBe(3);
  });

  it('update is read-modify-write on a copy; absent ids and throwing functions change nothing', () => {
    const c = store.collection<Doc>('docs');
    c.put('a', { n: 1 });
    expect(c.update('a', (old) => ({ n: old.n + 1 }))).toEqual({ n: 2 });
    expect(c.get('a')).toEqual({ n: 2 });
    let called = false;
    expect(c.update('missing', (old) => ((called = true), old))).toBeUndefined();
    expect(called).toBe(false);
    expect(() =>
      c.update('a', (old) => {
        old.n = 100; // mutating the copy must not leak
        store.collection<Doc>('other').put('x', { n: 1 });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(c.get('a')).toEqual({ n: 2 });
    expect(store.collection<Doc>('other').get('x')).toBeUndefined();
  });

  it('delete reports whether something was there; a re-insert goes last', () => {
    const c = store.collection<Doc>('docs');
    for (let n = 1; n <= 3; n++) c.put(String(n), { n });
    expect(c.delete('1')).toBe(true);
    expect(c.delete('1')).toBe(false);
    c.put('1', { n: 1 });
    expect(ids(c.list())).toEqual([2, 3, 1]);
    expect(c.count()).toBe(3);
  });

  it('lists in insertion order, reversed, filtered and paged', () => {
    const c = store.collection<Doc>('docs');
    for (let n = 1; n <= 10; n++) c.put(`id${n}`, { n });
    expect(ids(c.list())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ids(c.list({ order: 'desc', limit: 3 }))).toEqual([10, 9, 8]);
    expect(ids(c.list({ offset: 8 }))).toEqual([9, 10]);
    expect(ids(c.list({ limit: 2, offset: 3 }))).toEqual([4, 5]);
    const even = (d: Doc) => d.n % 2 === 0;
    expect(ids(c.list({ where: even }))).toEqual([2, 4, 6, 8, 10]);
    expect(ids(c.list({ where: even, offset: 1, limit: 2 }))).toEqual([4, 6]);
    expect(ids(c.list({ where: even, order: 'desc', limit: 2 }))).toEqual([10, 8]);
    expect(c.list({ limit: 0 })).toEqual([]);
    expect(c.list({ where: even, limit: 0 })).toEqual([]);
    expect(() => c.list({ offset: -1 })).toThrow(StoreError);
    expect(() => c.list({ limit: 1.5 })).toThrow(StoreError);
  });

  it('keeps collections apart', () => {
    store.collection<Doc>('a').put('x', { n: 1 });
    store.collection<Doc>('b').put('x', { n: 2 });
    expect(store.collection<Doc>('a').get('x')).toEqual({ n: 1 });
    expect(store.collection<Doc>('b').count()).toBe(1);
    expect(store.collection<Doc>('c').list()).toEqual([]);
  });

  it('commits a transaction and returns its result', () => {
    const c = store.collection<Doc>('docs');
    const result = store.transaction(() => {
      c.put('a', { n: 1 });
      c.insert('b', { n: 2 });
      return 'done';
    });
    expect(result).toBe('done');
    expect(ids(c.list())).toEqual([1, 2]);
  });

  it('rolls back every kind of write when the transaction throws, order included', () => {
    const c = store.collection<Doc>('docs');
    for (let n = 1; n <= 4; n++) c.put(String(n), { n });
    expect(() =>
      store.transaction(() => {
        c.put('1', { n: 10 });
        c.delete('2');
        c.insert('5', { n: 5 });
        c.update('3', () => ({ n: 30 }));
        c.delete('4');
        c.put('4', { n: 40 });
        store.collection<Doc>('other').put('x', { n: 0 });
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(ids(c.list())).toEqual([1, 2, 3, 4]);
    expect(store.collection<Doc>('other').count()).toBe(0);
  });

  it('nested transactions join the outer one', () => {
    const c = store.collection<Doc>('docs');
    store.transaction(() => {
      c.put('a', { n: 1 });
      try {
        store.transaction(() => {
          c.put('b', { n: 2 });
          throw new Error('inner');
        });
      } catch {
        // joined: the inner write stays part of the outer transaction
      }
    });
    expect(ids(c.list())).toEqual([1, 2]);
    expect(() =>
      store.transaction(() => {
        store.transaction(() => c.put('c', { n: 3 }));
        throw new Error('outer');
      }),
    ).toThrow('outer');
    expect(c.get('c')).toBeUndefined();
  });

  it('refuses an async transaction function and rolls it back', () => {
    const c = store.collection<Doc>('docs');
    const attempt = () =>
      store.transaction(() => {
        c.put('a', { n: 1 });
        return Promise.resolve();
      });
    expect(attempt).toThrow(expect.objectContaining({ code: 'async_transaction' }));
    expect(c.get('a')).toBeUndefined();
  });

  it('refuses values JSON cannot carry', () => {
    const c = store.collection<unknown>('docs');
    expect(() => c.put('a', undefined)).toThrow(expect.objectContaining({ code: 'not_serialisable' }));
    expect(() => c.put('a', { big: 1n })).toThrow(expect.objectContaining({ code: 'not_serialisable' }));
    expect(() => c.insert('a', () => 1)).toThrow(StoreError);
    expect(c.count()).toBe(0);
  });

  it('refuses work after close', () => {
    const c = store.collection<Doc>('docs');
    store.close();
    expect(() => c.get('a')).toThrow(expect.objectContaining({ code: 'closed' }));
    expect(() => store.collection('x')).toThrow(StoreError);
    expect(() => store.transaction(() => 1)).toThrow(StoreError);
  });

  it('behaves like a Map under random operation sequences (model-based, seed 20240611)', () => {
    type Op =
      | { kind: 'put' | 'insert'; id: string; n: number }
      | { kind: 'update' | 'delete'; id: string }
      | { kind: 'failedTx'; id: string; n: number };
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constantFrom('put' as const, 'insert' as const), id, n: fc.integer() }),
      fc.record({ kind: fc.constantFrom('update' as const, 'delete' as const), id }),
      fc.record({ kind: fc.constant('failedTx' as const), id, n: fc.integer() }),
    );
    let round = 0;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const c = store.collection<Doc>(`model${round++}`);
        const model = new Map<string, Doc>();
        for (const o of ops) {
          if (o.kind === 'put') {
            c.put(o.id, { n: o.n });
            model.set(o.id, { n: o.n });
          } else if (o.kind === 'insert') {
            expect(c.insert(o.id, { n: o.n })).toBe(!model.has(o.id));
            if (!model.has(o.id)) model.set(o.id, { n: o.n });
          } else if (o.kind === 'update') {
            const expected = model.has(o.id) ? { n: model.get(o.id)!.n + 1 } : undefined;
            expect(c.update(o.id, (old) => ({ n: old.n + 1 }))).toEqual(expected);
            if (expected) model.set(o.id, expected);
          } else if (o.kind === 'delete') {
            expect(c.delete(o.id)).toBe(model.delete(o.id));
          } else if (o.kind === 'failedTx') {
            expect(() =>
              store.transaction(() => {
                c.delete(o.id);
                c.put(o.id, { n: o.n });
                throw new Error('rollback');
              }),
            ).toThrow('rollback');
          }
          expect(c.list()).toEqual([...model.values()]);
          expect(c.count()).toBe(model.size);
        }
      }),
      { seed: 20240611, numRuns: 150 },
    );
  });
});
