/**
 * Typed reads of one plist dictionary of a profile, failing the way iOS does: a required key that is absent is
 * a "missing field" error, a key of the wrong type an "invalid field" error, both naming the payload. Keys the
 * reader never asked for are reported as warnings (iOS ignores them silently; a report should not).
 */
import type { PlistValue } from 'plist';
import { IosProfileError } from './errors.js';

export type PlistDict = { [key: string]: PlistValue };

export function isDict(value: PlistValue | undefined): value is PlistDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

export class PayloadReader {
  private readonly read = new Set<string>();

  constructor(
    readonly dict: PlistDict,
    /** How errors name the payload: its PayloadDisplayName, else its type. */
    readonly payload: string,
  ) {}

  has(key: string): boolean {
    this.read.add(key);
    return this.dict[key] !== undefined && this.dict[key] !== null;
  }

  raw(key: string): PlistValue | undefined {
    this.read.add(key);
    const value = this.dict[key];
    return value === null ? undefined : value;
  }

  missing(field: string): IosProfileError {
    return new IosProfileError('missingField', { payload: this.payload, field });
  }

  invalid(field: string, reason: string): IosProfileError {
    return new IosProfileError('invalidField', { payload: this.payload, field, reason });
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.invalid(key, `expected a string, found ${describe(value)}`);
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '') throw this.missing(key);
    return value;
  }

  integer(key: string, fallback: number): number;
  integer(key: string): number | undefined;
  integer(key: string, fallback?: number): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.invalid(key, `expected an integer, found ${describe(value)}`);
    return value;
  }

  number(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw this.invalid(key, `expected a number, found ${describe(value)}`);
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.invalid(key, `expected a boolean, found ${describe(value)}`);
    return value;
  }

  data(key: string): Uint8Array | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!(value instanceof Uint8Array)) throw this.invalid(key, `expected data, found ${describe(value)}`);
    return value;
  }

  dictionary(key: string): PlistDict | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isDict(value)) throw this.invalid(key, `expected a dictionary, found ${describe(value)}`);
    return value;
  }

  array(key: string): PlistValue[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.invalid(key, `expected an array, found ${describe(value)}`);
    return value;
  }

  /** Keys present that nothing read: for warnings. */
  unread(): string[] {
    return Object.keys(this.dict).filter((key) => !this.read.has(key));
  }
}

/** The plist type of a value, for error texts. */
export function describe(value: PlistValue | undefined): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'data';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a dictionary';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a real';
  return `a ${typeof value}`;
}
