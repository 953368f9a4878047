/** The JSON form both Store implementations keep, and the checks they share so they fail alike. */
import { StoreError, type ListOptions } from './index.js';

export function encode(collection: string, id: string, value: unknown): string {
  let body: string | undefined;
  try {
    body = JSON.stringify(value);
  } catch (error) {
    throw new StoreError('not_serialisable', `${collection}/${id}: value is not JSON-serialisable: ${(error as Error).message}`);
  }
  if (body === undefined) throw new StoreError('not_serialisable', `${collection}/${id}: value is not JSON-serialisable`);
  return body;
}

export function decode<T>(body: string): T {
  return JSON.parse(body) as T;
}

export function refusePromise(result: unknown): void {
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new StoreError('async_transaction', 'a transaction function must be synchronous; it returned a promise');
  }
}

/** Offset and limit checked once, the same way for both stores. */
export function window(options: Pick<ListOptions<unknown>, 'offset' | 'limit'>): { offset: number; limit: number } {
  const offset = options.offset ?? 0;
  const limit = options.limit ?? Infinity;
  if (!(Number.isInteger(offset) && offset >= 0)) throw new StoreError('invalid_option', `offset must be a non-negative integer: ${offset}`);
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
    throw new StoreError('invalid_option', `limit must be a non-negative integer: ${limit}`);
  }
  return { offset, limit };
}
