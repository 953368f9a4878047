/**
 * What the engine needs of persistence: the shape of simulators/store's Store, restated here so core does not
 * import a simulator (DESIGN.md: dependencies point one way). simulators/store's memory and SQLite stores satisfy
 * it as they are.
 */
export interface EngineListOptions<T> {
  where?: (value: T) => boolean;
  limit?: number;
  offset?: number;
  order?: 'asc' | 'desc';
}

export interface EngineCollection<T> {
  get(id: string): T | undefined;
  put(id: string, value: T): void;
  /** Insert only: false when `id` exists. */
  insert(id: string, value: T): boolean;
  update(id: string, fn: (old: T) => T): T | undefined;
  delete(id: string): boolean;
  list(options?: EngineListOptions<T>): T[];
  count(): number;
}

export interface EngineStore {
  collection<T>(name: string): EngineCollection<T>;
  transaction<R>(fn: () => R): R;
}

/** Collection names, all under one prefix so the engine shares a Store with the CA simulators. */
export function collectionName(prefix: string, name: string): string {
  return `${prefix}:${name}`;
}
