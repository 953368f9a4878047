/**
 * The SQLite Store (better-sqlite3): one file, one table of JSON documents.
 *
 *   documents(seq INTEGER PRIMARY KEY, collection, id, body, UNIQUE(collection, id))
 *
 * seq is the rowid: a new row gets a higher one than every row present, an upsert keeps it, so ORDER BY seq is
 * insertion order; the (collection, seq) index serves list() and count() without touching other collections;
 * the UNIQUE index serves get() and makes insert() uniqueness the database's business, which holds across
 * processes sharing the file (cluster workers).
 *
 * Durability: WAL with synchronous=NORMAL. A commit survives a crash of the process, but the last commits before
 * a power loss or OS crash may be lost (never corrupted): the fsync happens at checkpoints rather than on every
 * commit. For a test harness that trade (several times the write rate) is right; a lost simulator record is
 * re-creatable, a slow benchmark is not. batch() groups the writes of one event-loop turn into one commit (group
 * commit) and settles each caller's promise only after it: the issuing hot path acknowledges nothing uncommitted.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { decode, encode, refusePromise, window } from './codec.js';
import { StoreError, type Collection, type ListOptions, type Store } from './index.js';

export type OpenStoreOptions =
  | { path: string; busyTimeoutMs?: number; memory?: never }
  | { memory: true; path?: never; busyTimeoutMs?: never };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS documents (
  seq INTEGER PRIMARY KEY,
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (collection, id)
);
CREATE INDEX IF NOT EXISTS documents_by_seq ON documents (collection, seq);
`;

interface Statements {
  get: Statement<[string, string], string>;
  upsert: Statement<[string, string, string]>;
  insert: Statement<[string, string, string]>;
  replace: Statement<[string, string, string]>;
  remove: Statement<[string, string]>;
  count: Statement<[string], number>;
  listAsc: Statement<[string, number, number], string>;
  listDesc: Statement<[string, number, number], string>;
  begin: Statement<[]>;
  commit: Statement<[]>;
  rollback: Statement<[]>;
  savepoint: Statement<[]>;
  release: Statement<[]>;
  rollbackTo: Statement<[]>;
}

interface Queued {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// Captured at load: a test's fake timers must not hold up a commit that a request is waiting for.
const nextTurn: (fn: () => void) => void = globalThis.setImmediate.bind(globalThis);
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
const retryLater = (fn: () => void): void => void realSetTimeout(fn, 1);

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

export class SqliteStore implements Store {
  private readonly db: Db;
  private readonly busyTimeoutMs: number;
  /** @internal */ readonly sql: Statements;
  private readonly collections = new Map<string, SqliteCollection<unknown>>();
  private closed = false;

  constructor(options: OpenStoreOptions) {
    this.db = new Database(options.memory ? ':memory:' : options.path);
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    try {
      // Before anything else, so a second process opening the file waits for the first one's schema setup.
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const db = this.db;
    this.sql = {
      get: db.prepare<[string, string], string>('SELECT body FROM documents WHERE collection = ? AND id = ?').pluck(),
      upsert: db.prepare(
        'INSERT INTO documents (collection, id, body) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body',
      ),
      insert: db.prepare('INSERT INTO documents (collection, id, body) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO NOTHING'),
      replace: db.prepare('UPDATE documents SET body = ? WHERE collection = ? AND id = ?'),
      remove: db.prepare('DELETE FROM documents WHERE collection = ? AND id = ?'),
      count: db.prepare<[string], number>('SELECT count(*) FROM documents WHERE collection = ?').pluck(),
      listAsc: db
        .prepare<[string, number, number], string>('SELECT body FROM documents WHERE collection = ? ORDER BY seq ASC LIMIT ? OFFSET ?')
        .pluck(),
      listDesc: db
        .prepare<[string, number, number], string>('SELECT body FROM documents WHERE collection = ? ORDER BY seq DESC LIMIT ? OFFSET ?')
        .pluck(),
      // IMMEDIATE takes the write lock up front: a read-modify-write in two processes waits instead of failing
      // with SQLITE_BUSY when the reader tries to become a writer.
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT batched'),
      release: db.prepare('RELEASE batched'),
      rollbackTo: db.prepare('ROLLBACK TO batched'),
    };
  }

  collection<T>(name: string): Collection<T> {
    this.check();
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new SqliteCollection<unknown>(this, name);
      this.collections.set(name, collection);
    }
    return collection as Collection<T>;
  }

  transaction<R>(fn: () => R): R {
    this.check();
    if (this.db.inTransaction) return fn();
    this.run(() => this.sql.begin.run());
    try {
      const result = fn();
      refusePromise(result);
      this.run(() => this.sql.commit.run());
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.sql.rollback.run();
      throw error;
    }
  }

  /**
   * Group commit (Store.batch): one BEGIN IMMEDIATE … COMMIT per event-loop turn for every batch() of that turn.
   * A commit costs a WAL append and, across cluster workers, a turn of the write lock; a certificate issuance makes
   * two (claim the serial, record the certificate), so under load this divides that cost by the batch size.
   */
  batch<R>(fn: () => R): Promise<R> {
    try {
      this.check();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<R>((resolve, reject) => {
      if (this.queued.push({ fn, resolve: resolve as (value: unknown) => void, reject }) === 1) nextTurn(this.flush);
    });
  }

  private queued: Queued[] = [];
  /** When the queued batch first found the write lock taken (another process is committing). */
  private busySince: number | undefined;

  /**
   * Takes the write lock without blocking the event loop: SQLite's busy handler sleeps (1, 2, 5 … ms) with the
   * thread stopped, which under two cluster workers committing every turn stalls both. So the first attempts do
   * not wait; a taken lock retries on a timer, and only after the busy timeout does BEGIN block (and fail).
   */
  private beginBatch(block: boolean): boolean {
    if (block || (this.busySince !== undefined && performance.now() - this.busySince >= this.busyTimeoutMs)) {
      this.busySince = undefined;
      this.run(() => this.sql.begin.run());
      return true;
    }
    // Not a prepared statement: SQLite applies busy_timeout when the PRAGMA is prepared, not when it is stepped.
    this.db.pragma('busy_timeout = 0');
    try {
      this.sql.begin.run();
      this.busySince = undefined;
      return true;
    } catch (error) {
      if (!isBusy(error)) throw error;
      this.busySince ??= performance.now();
      return false;
    } finally {
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  private readonly flush = (): void => this.flushQueued(false);

  private flushQueued(block: boolean): void {
    if (this.queued.length === 0) return;
    if (this.closed) {
      for (const item of this.queued.splice(0)) item.reject(new StoreError('closed', 'the store is closed'));
      return;
    }
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    let batch: Queued[] = [];
    try {
      if (!this.beginBatch(block)) {
        retryLater(this.flush); // whatever else is queued by then joins this batch
        return;
      }
      batch = this.queued;
      this.queued = [];
      try {
        for (const item of batch) {
          this.sql.savepoint.run();
          try {
            const value = item.fn();
            refusePromise(value);
            this.sql.release.run();
            results.push({ ok: true, value });
          } catch (error) {
            this.sql.rollbackTo.run();
            this.sql.release.run();
            results.push({ ok: false, error });
          }
        }
        this.run(() => this.sql.commit.run());
      } catch (error) {
        if (this.db.inTransaction) this.sql.rollback.run();
        throw error;
      }
    } catch (error) {
      if (batch.length === 0) batch = this.queued.splice(0);
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const result = results[i]!;
      if (result.ok) item.resolve(result.value);
      else item.reject(result.error);
    });
  }

  close(): void {
    if (this.closed) return;
    this.flushQueued(true); // what is queued is written before the file closes
    this.closed = true;
    this.db.close();
  }

  /** @internal */
  check(): void {
    if (this.closed) throw new StoreError('closed', 'the store is closed');
  }

  /** @internal Runs a statement, turning "database is locked" into a typed error. */
  run<R>(fn: () => R): R {
    try {
      return fn();
    } catch (error) {
      if (isBusy(error)) throw new StoreError('busy', `database is locked: ${(error as Error).message}`);
      throw error;
    }
  }
}

class SqliteCollection<T> implements Collection<T> {
  constructor(
    private readonly store: SqliteStore,
    private readonly name: string,
  ) {}

  get(id: string): T | undefined {
    this.store.check();
    const body = this.store.run(() => this.store.sql.get.get(this.name, id));
    return body === undefined ? undefined : decode<T>(body);
  }

  put(id: string, value: T): void {
    this.store.check();
    const body = encode(this.name, id, value);
    this.store.run(() => this.store.sql.upsert.run(this.name, id, body));
  }

  insert(id: string, value: T): boolean {
    this.store.check();
    const body = encode(this.name, id, value);
    return this.store.run(() => this.store.sql.insert.run(this.name, id, body)).changes === 1;
  }

  update(id: string, fn: (old: T) => T): T | undefined {
    return this.store.transaction(() => {
      const old = this.store.sql.get.get(this.name, id);
      if (old === undefined) return undefined;
      const body = encode(this.name, id, fn(decode<T>(old)));
      this.store.sql.replace.run(body, this.name, id);
      return decode<T>(body);
    });
  }

  delete(id: string): boolean {
    this.store.check();
    return this.store.run(() => this.store.sql.remove.run(this.name, id)).changes === 1;
  }

  list(options: ListOptions<T> = {}): T[] {
    this.store.check();
    const { offset, limit } = window(options);
    const statement = options.order === 'desc' ? this.store.sql.listDesc : this.store.sql.listAsc;
    if (!options.where) {
      const rows = this.store.run(() => statement.all(this.name, limit === Infinity ? -1 : limit, offset));
      return rows.map((body) => decode<T>(body));
    }
    // A JavaScript predicate: walk in order, stop as soon as the page is full.
    const out: T[] = [];
    if (limit === 0) return out;
    let skipped = 0;
    for (const body of statement.iterate(this.name, -1, 0)) {
      const value = decode<T>(body);
      if (!options.where(value)) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      out.push(value);
      if (out.length >= limit) break;
    }
    return out;
  }

  count(): number {
    this.store.check();
    return this.store.run(() => this.store.sql.count.get(this.name)) ?? 0;
  }
}

/** SQLite on a file (created if missing; its directory must exist), or in memory with `{ memory: true }`. */
export function openStore(options: OpenStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
