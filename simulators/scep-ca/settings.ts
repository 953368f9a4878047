/**
 * What an operator changes at run time through the admin surface (approval mode, challenge), kept in the Store
 * so it survives a restart with SQLite. Values given at construction win over stored ones.
 */
import type { Collection, Store } from '../store/index.js';

export interface ScepCaSettings {
  approval: 'auto' | 'manual';
  /** Whether enrolments need a challengePassword (the static one or a one-time one). */
  challengeRequired: boolean;
  /** The static challenge; absent = only one-time challenges are accepted. */
  challenge?: string;
}

export class SettingsStore {
  private readonly collection: Collection<ScepCaSettings>;
  private cached: ScepCaSettings;

  constructor(store: Store, prefix: string, initial: Partial<ScepCaSettings>) {
    this.collection = store.collection<ScepCaSettings>(`${prefix}:settings`);
    const stored = this.collection.get('current');
    const defined = Object.fromEntries(Object.entries(initial).filter(([, v]) => v !== undefined)) as Partial<ScepCaSettings>;
    this.cached = { approval: 'auto', challengeRequired: false, ...stored, ...defined };
    this.collection.put('current', this.cached);
  }

  /** Read on every request: from memory. */
  get current(): Readonly<ScepCaSettings> {
    return this.cached;
  }

  change(patch: Partial<ScepCaSettings> & { challenge?: string | undefined }): ScepCaSettings {
    const next: ScepCaSettings = { ...this.cached, ...patch };
    if ('challenge' in patch && patch.challenge === undefined) delete next.challenge;
    this.collection.put('current', next);
    this.cached = next;
    return next;
  }
}
