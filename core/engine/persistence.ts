/** What the engine needs of persistence: core/store.ts's Store, which simulators/store's memory and SQLite stores implement. */
export type { Store as EngineStore, Collection as EngineCollection, ListOptions as EngineListOptions } from '../store.js';

/** Collection names, all under one prefix so the engine shares a Store with the CA simulators. */
export function collectionName(prefix: string, name: string): string {
  return `${prefix}:${name}`;
}
