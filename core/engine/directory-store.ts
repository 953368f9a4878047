/**
 * The engine's directory (core/directory) kept in the Store. Devices are written one record per change, since a
 * fleet registers a thousand of them; users, groups, labels and password hashes, which change rarely, are
 * written as one snapshot without the devices.
 */
import { Directory, type DirectorySnapshot, type UserInput } from '../directory/index.js';
import type { Device } from '../directory/model.js';
import { collectionName, type EngineCollection, type EngineStore } from './persistence.js';

type DirectoryMeta = Omit<DirectorySnapshot, 'devices'>;

export interface DirectorySeed {
  users?: readonly UserInput[];
  groups?: ReadonlyArray<{ name: string; description?: string; members?: readonly string[] }>;
  labels?: ReadonlyArray<{ name: string; description?: string }>;
}

export class PersistentDirectory {
  readonly directory: Directory;
  private readonly meta: EngineCollection<DirectoryMeta>;
  private readonly devices: EngineCollection<Device>;

  constructor(store: EngineStore, prefix: string, seed: DirectorySeed = {}) {
    this.meta = store.collection<DirectoryMeta>(collectionName(prefix, 'directory'));
    this.devices = store.collection<Device>(collectionName(prefix, 'directory-devices'));
    const saved = this.meta.get('current');
    if (saved) {
      this.directory = Directory.restore({ ...saved, devices: this.devices.list() });
    } else {
      this.directory = new Directory();
      for (const user of seed.users ?? []) this.directory.addUser(user);
      for (const label of seed.labels ?? []) this.directory.addLabel(label.name, label.description);
      for (const group of seed.groups ?? []) {
        this.directory.addGroup(group.name, group.description);
        for (const member of group.members ?? []) this.directory.addToGroup(group.name, member);
      }
      for (const device of this.directory.listDevices()) this.devices.put(device.id, device);
      this.saveMeta();
    }
    this.directory.subscribe((event) => {
      if (event.kind === 'device') {
        const device = this.directory.getDevice(event.id);
        if (device) this.devices.put(device.id, device);
        else this.devices.delete(event.id);
        return;
      }
      this.saveMeta();
    });
  }

  /** Writes users, groups, labels and password hashes (setPassword emits no event: call this after it). */
  saveMeta(): void {
    const { devices: _devices, ...meta } = this.directory.snapshot();
    this.meta.put('current', meta);
  }
}
