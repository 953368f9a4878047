/**
 * The in-memory Store for unit tests. Values are kept as JSON text like SQLite keeps them, so a test against
 * memory sees what production sees (fresh objects, serialisation errors); a transaction keeps an undo log.
 */
import { decode, encode, refusePromise, window } from './codec.js';
import { StoreError, type Collection, type ListOptions, type Store } from './index.js';

interface Entry {
  seq: number;
  body: string;
}

type Table = Map<string, Entry>;

export class MemoryStore implements Store {
  private readonly tables = new Map<string, Table>();
  private readonly collections = new Map<string, MemoryCollection<unknown>>();
  private seq = 0;
  private undo: Array<() => void> | null = null;
  private reorder = new Set<Table>();
  private closed = false;

  collection<T>(name: string): Collection<T> {
    this.check();
    let collection = this.collections.get(name);
    if (!collection) {
      let table = this.tables.get(name);
      if (!table) this.tables.set(name, (table = new Map()));
      collection = new MemoryCollection<unknown>(this, name, table);
      this.collections.set(name, collection);
    }
    return collection as Collection<T>;
  }

  transaction<R>(fn: () => R): R {
    this.check();
    if (this.undo) return fn();
    this.undo = [];
    try {
      const result = fn();
      refusePromise(result);
      return result;
    } catch (error) {
      const undo = this.undo;
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      // A restored entry went to the end of its Map; put insertion order back.
      for (const table of this.reorder) {
        const entries = [...table].sort((a, b) => a[1].seq - b[1].seq);
        table.clear();
        for (const [id, entry] of entries) table.set(id, entry);
      }
      throw error;
    } finally {
      this.undo = null;
      this.reorder.clear();
    }
  }

  close(): void {
    this.closed = true;
  }

  /** @internal */
  check(): void {
    if (this.closed) throw new StoreError('closed', 'the store is closed');
  }

  /** @internal Writes `entry` (or removes the id when undefined), recording how to undo it. */
  write(table: Table, id: string, entry: Entry | undefined): void {
    if (this.undo) {
      const previous = table.get(id);
      this.undo.push(() => {
        if (previous) table.set(id, previous);
        else table.delete(id);
      });
      if (!entry && previous) this.reorder.add(table);
    }
    if (entry) table.set(id, entry);
    else table.delete(id);
  }

  /** @internal */
  nextSeq(): number {
    return ++this.seq;
  }
}

class MemoryCollection<T> implements Collection<T> {
  constructor(
    private readonly store: MemoryStore,
    private readonly name: string,
    private readonly table: Table,
  ) {}

  get(id: string): T | undefined {
    this.store.check();
    const entry = this.table.get(id);
    return entry ? decode<T>(entry.body) : undefined;
  }

  put(id: string, value: T): void {
    this.store.check();
    const body = encode(this.name, id, value);
    const existing = this.table.get(id);
    this.store.write(this.table, id, { seq: existing ? existing.seq : this.store.nextSeq(), body });
  }

  insert(id: string, value: T): boolean {
    this.store.check();
    const body = encode(this.name, id, value);
    if (this.table.has(id)) return false;
    this.store.write(this.table, id, { seq: this.store.nextSeq(), body });
    return true;
  }

  update(id: string, fn: (old: T) => T): T | undefined {
    // In a transaction, as on SQLite: whatever else `fn` writes is undone if it throws.
    return this.store.transaction(() => {
      const existing = this.table.get(id);
      if (!existing) return undefined;
      const body = encode(this.name, id, fn(decode<T>(existing.body)));
      this.store.write(this.table, id, { seq: existing.seq, body });
      return decode<T>(body);
    });
  }

  delete(id: string): boolean {
    this.store.check();
    if (!this.table.has(id)) return false;
    this.store.write(this.table, id, undefined);
    return true;
  }

  list(options: ListOptions<T> = {}): T[] {
    this.store.check();
    const { offset, limit } = window(options);
    const entries = options.order === 'desc' ? [...this.table.values()].reverse() : this.table.values();
    const out: T[] = [];
    let skipped = 0;
    for (const entry of entries) {
      if (out.length >= limit) break;
      const value = decode<T>(entry.body);
      if (options.where && !options.where(value)) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      out.push(value);
    }
    return out;
  }

  count(): number {
    this.store.check();
    return this.table.size;
  }
}

export function createMemoryStore(): Store {
  return new MemoryStore();
}
