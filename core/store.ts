/**
 * Persistence behind one small interface (in the spirit of micromdm's depot), for the simulators and for core's
 * own stateful parts (the MDM engine): SQLite on disk by default (simulators/store/sqlite.ts), memory for unit
 * tests (simulators/store/memory.ts). Both keep values as JSON text, so they behave alike:
 * what you get back is always a fresh copy, and a value that JSON cannot carry is refused when it is written.
 */

export interface ListOptions<T> {
  /** Keeps only values for which it returns true; evaluated before offset and limit. */
  where?: (value: T) => boolean;
  limit?: number;
  offset?: number;
  /** By insertion: 'asc' (default) oldest first. An upsert keeps an entry's place; delete + insert moves it last. */
  order?: 'asc' | 'desc';
}

export interface Collection<T> {
  get(id: string): T | undefined;
  /** Insert or replace. */
  put(id: string, value: T): void;
  /** Insert only: false, and nothing written, when `id` exists. Serial numbers and transaction IDs rely on it. */
  insert(id: string, value: T): boolean;
  /** Atomic read-modify-write: `fn` gets a copy of the current value; its result is stored and returned. undefined when `id` is absent. */
  update(id: string, fn: (old: T) => T): T | undefined;
  delete(id: string): boolean;
  list(options?: ListOptions<T>): T[];
  count(): number;
}

export interface Store {
  collection<T>(name: string): Collection<T>;
  /**
   * Runs `fn` atomically: everything it writes is kept, or nothing is when it throws. Synchronous (a function
   * returning a promise is refused and rolled back). A call inside another joins the outer transaction.
   */
  transaction<R>(fn: () => R): R;
  /**
   * Group commit: `fn` runs later in the same event-loop turn as the other batch() calls, all of them in one
   * transaction (each under its own savepoint, so a throwing `fn` undoes only its own writes and rejects only its
   * own promise). The promise settles after that transaction commits: once it resolves, what `fn` wrote is as
   * durable as a transaction() commit. Optional; writeBatched() falls back to transaction().
   */
  batch?<R>(fn: () => R): Promise<R>;
  close(): void;
}

/** store.batch(fn) where the Store groups commits, else transaction(fn) now; either way a promise of fn's result. */
export function writeBatched<R>(store: Store, fn: () => R): Promise<R> {
  if (store.batch) return store.batch(fn);
  try {
    return Promise.resolve(store.transaction(fn));
  } catch (error) {
    return Promise.reject(error);
  }
}

export type StoreErrorCode = 'closed' | 'not_serialisable' | 'async_transaction' | 'busy' | 'invalid_option';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
