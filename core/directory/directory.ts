/**
 * The MDM's directory: users (local or LDAP-sourced), their devices, labels on devices and groups of users,
 * in memory. Every record handed out is frozen; changes go through the methods, which validate their input
 * (every problem with its path) and tell subscribers what changed, so the engine can redeliver when a label
 * is applied. snapshot()/Directory.restore() give a plain JSON form for a Store.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DistinguishedName } from '../pki/names.js';
import { describeIssues, DirectoryError, type DirectoryEntity, issuesFrom } from './errors.js';
import {
  type Device,
  type DeviceInput,
  deviceInputSchema,
  type DevicePatch,
  devicePatchSchema,
  deviceSchema,
  type Group,
  type Label,
  labelNameSchema,
  type Platform,
  type User,
  type UserInput,
  userInputSchema,
  type UserPatch,
  userPatchSchema,
  userSchema,
} from './model.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { parseSnapshot, SNAPSHOT_FORMAT, type DirectorySnapshot } from './snapshot.js';

export type DirectoryEvent =
  | { kind: 'user' | 'device' | 'label' | 'group'; action: 'added' | 'updated' | 'removed'; id: string }
  | { kind: 'label'; action: 'member-added' | 'member-removed'; id: string; deviceId: string }
  | { kind: 'group'; action: 'member-added' | 'member-removed'; id: string; userId: string };

export type DirectoryListener = (event: DirectoryEvent) => void;

export interface DirectoryOptions {
  /** Generates device IDs; randomUUID by default (inject a counter for reproducible tests). */
  newDeviceId?: () => string;
}

export interface DeviceFilter {
  userId?: string;
  platform?: Platform;
  label?: string;
}

/** Device identifiers that must be unique across the directory, as a real MDM refuses a second device with them. */
const UNIQUE_DEVICE_FIELDS = ['serialNumber', 'udid', 'imei', 'meid'] as const;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function parse<S extends z.ZodType>(schema: S, input: unknown, entity: DirectoryEntity, id: string | undefined): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = issuesFrom(result.error);
    throw new DirectoryError('invalid_input', entity, id, `invalid ${entity}${id ? ` "${id}"` : ''}: ${describeIssues(issues)}`, issues);
  }
  return result.data;
}

/** Drops keys whose value is undefined (or null, in a patch), so records stay JSON-clean. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/** Fills the fields the directory derives: LDAP cn from the DN, displayName from first and last name. */
function complete(user: User): User {
  let out = user;
  if (!out.displayName && out.firstName && out.lastName) out = { ...out, displayName: `${out.firstName} ${out.lastName}` };
  if (out.source === 'ldap' && !out.ldap.cn) {
    const cn = DistinguishedName.parse(out.ldap.dn).get('CN');
    if (cn) out = { ...out, ldap: { ...out.ldap, cn } };
  }
  return out;
}

export class Directory {
  private readonly users = new Map<string, User>();
  private readonly credentials = new Map<string, string>();
  private readonly devices = new Map<string, Device>();
  private readonly labels = new Map<string, Label>();
  private readonly groups = new Map<string, Group>();
  private readonly listeners = new Set<DirectoryListener>();
  private readonly newDeviceId: () => string;

  constructor(options: DirectoryOptions = {}) {
    this.newDeviceId = options.newDeviceId ?? randomUUID;
  }

  // ---- users -------------------------------------------------------------------------------------------

  addUser(input: UserInput): User {
    const { password, ...fields } = parse(userInputSchema, input, 'user', (input as { id?: string })?.id);
    if (this.users.has(fields.id)) throw new DirectoryError('already_exists', 'user', fields.id, `user "${fields.id}" already exists`);
    const user = deepFreeze(complete(compact(fields) as User));
    this.users.set(user.id, user);
    if (password !== undefined) this.credentials.set(user.id, hashPassword(password));
    this.emit({ kind: 'user', action: 'added', id: user.id });
    return user;
  }

  getUser(id: string): User | undefined {
    return this.users.get(id);
  }

  requireUser(id: string): User {
    const user = this.users.get(id);
    if (!user) throw new DirectoryError('not_found', 'user', id, `no user "${id}"`);
    return user;
  }

  listUsers(): User[] {
    return [...this.users.values()];
  }

  /** Changes fields of a user; `ldap` only for LDAP users. The id and the source never change. */
  updateUser(id: string, patch: UserPatch): User {
    const current = this.requireUser(id);
    const changes = parse(userPatchSchema, patch, 'user', id);
    if (changes.ldap && current.source !== 'ldap') {
      const issues = [{ path: 'ldap', message: 'only LDAP users have LDAP attributes' }];
      throw new DirectoryError('invalid_input', 'user', id, `invalid user "${id}": ldap: only LDAP users have LDAP attributes`, issues);
    }
    const merged = parse(userSchema, compact({ ...current, ...changes }), 'user', id);
    const user = deepFreeze(complete(merged as User));
    this.users.set(id, user);
    this.emit({ kind: 'user', action: 'updated', id });
    return user;
  }

  /** Removes a user who has no devices (remove or reassign them first); drops the user from every group. */
  removeUser(id: string): void {
    this.requireUser(id);
    const owned = this.listDevices({ userId: id });
    if (owned.length > 0) {
      throw new DirectoryError('in_use', 'user', id, `user "${id}" still has ${owned.length} device(s): ${owned.map((d) => d.id).join(', ')}`);
    }
    for (const group of this.groups.values()) if (group.userIds.includes(id)) this.removeFromGroup(group.name, id);
    this.users.delete(id);
    this.credentials.delete(id);
    this.emit({ kind: 'user', action: 'removed', id });
  }

  setPassword(id: string, password: string): void {
    this.requireUser(id);
    if (password.length === 0) throw new DirectoryError('invalid_input', 'user', id, 'a password must not be empty', [{ path: 'password', message: 'empty' }]);
    this.credentials.set(id, hashPassword(password));
  }

  /** True when the user exists, has a password, and it matches. */
  verifyPassword(id: string, password: string): boolean {
    const stored = this.credentials.get(id);
    return stored !== undefined && verifyPassword(password, stored);
  }

  hasPassword(id: string): boolean {
    return this.credentials.has(id);
  }

  // ---- devices -----------------------------------------------------------------------------------------

  addDevice(input: DeviceInput): Device {
    const fields = parse(deviceInputSchema, input, 'device', (input as { id?: string })?.id);
    const id = fields.id ?? this.newDeviceId();
    if (this.devices.has(id)) throw new DirectoryError('already_exists', 'device', id, `device "${id}" already exists`);
    this.requireUser(fields.userId);
    const device = deepFreeze(compact({ ...fields, id }) as Device);
    this.checkUniqueIdentifiers(device);
    this.devices.set(id, device);
    this.emit({ kind: 'device', action: 'added', id });
    return device;
  }

  getDevice(id: string): Device | undefined {
    return this.devices.get(id);
  }

  requireDevice(id: string): Device {
    const device = this.devices.get(id);
    if (!device) throw new DirectoryError('not_found', 'device', id, `no device "${id}"`);
    return device;
  }

  listDevices(filter: DeviceFilter = {}): Device[] {
    const labelled = filter.label !== undefined ? new Set(this.requireLabel(filter.label).deviceIds) : undefined;
    return [...this.devices.values()].filter(
      (d) =>
        (filter.userId === undefined || d.userId === filter.userId) &&
        (filter.platform === undefined || d.platform === filter.platform) &&
        (labelled === undefined || labelled.has(d.id)),
    );
  }

  /** The device with this serial number, UDID, IMEI or MEID (how a registering device is matched). */
  findDevice(by: { serialNumber?: string; udid?: string; imei?: string; meid?: string }): Device | undefined {
    for (const device of this.devices.values()) {
      for (const field of UNIQUE_DEVICE_FIELDS) {
        const wanted = by[field];
        if (wanted !== undefined && device[field] !== undefined && device[field]!.toLowerCase() === wanted.toLowerCase()) return device;
      }
    }
    return undefined;
  }

  /** Changes fields of a device; `null` removes an optional field (e.g. phone: null = no phone number). */
  updateDevice(id: string, patch: DevicePatch): Device {
    const current = this.requireDevice(id);
    const changes = parse(devicePatchSchema, patch, 'device', id);
    const merged = parse(deviceSchema, compact({ ...current, ...changes }), 'device', id);
    if (merged.userId !== current.userId) this.requireUser(merged.userId);
    const device = deepFreeze(merged as Device);
    this.checkUniqueIdentifiers(device);
    this.devices.set(id, device);
    this.emit({ kind: 'device', action: 'updated', id });
    return device;
  }

  /** Removes a device and its label memberships. */
  removeDevice(id: string): void {
    this.requireDevice(id);
    for (const label of this.labels.values()) if (label.deviceIds.includes(id)) this.removeLabelFrom(label.name, id);
    this.devices.delete(id);
    this.emit({ kind: 'device', action: 'removed', id });
  }

  private checkUniqueIdentifiers(device: Device): void {
    for (const field of UNIQUE_DEVICE_FIELDS) {
      const value = device[field];
      if (value === undefined) continue;
      const other = this.findDevice({ [field]: value });
      if (other && other.id !== device.id) {
        throw new DirectoryError('already_exists', 'device', device.id, `device "${other.id}" already has ${field} ${value}`, [
          { path: field, message: `already used by device "${other.id}"` },
        ]);
      }
    }
  }

  // ---- labels (on devices) -----------------------------------------------------------------------------

  addLabel(name: string, description?: string): Label {
    parse(labelNameSchema, name, 'label', name);
    if (this.labels.has(name)) throw new DirectoryError('already_exists', 'label', name, `label "${name}" already exists`);
    const label = deepFreeze(compact({ name, description, deviceIds: [] }) as Label);
    this.labels.set(name, label);
    this.emit({ kind: 'label', action: 'added', id: name });
    return label;
  }

  getLabel(name: string): Label | undefined {
    return this.labels.get(name);
  }

  requireLabel(name: string): Label {
    const label = this.labels.get(name);
    if (!label) throw new DirectoryError('not_found', 'label', name, `no label "${name}"`);
    return label;
  }

  listLabels(): Label[] {
    return [...this.labels.values()];
  }

  removeLabel(name: string): void {
    this.requireLabel(name);
    this.labels.delete(name);
    this.emit({ kind: 'label', action: 'removed', id: name });
  }

  /** Applies a label to a device ("Apply to Label", guide 000); applying it twice changes nothing. */
  applyLabel(name: string, deviceId: string): Label {
    const label = this.requireLabel(name);
    this.requireDevice(deviceId);
    if (label.deviceIds.includes(deviceId)) return label;
    const next = deepFreeze({ ...label, deviceIds: [...label.deviceIds, deviceId] });
    this.labels.set(name, next);
    this.emit({ kind: 'label', action: 'member-added', id: name, deviceId });
    return next;
  }

  removeLabelFrom(name: string, deviceId: string): Label {
    const label = this.requireLabel(name);
    if (!label.deviceIds.includes(deviceId)) return label;
    const next = deepFreeze({ ...label, deviceIds: label.deviceIds.filter((d) => d !== deviceId) });
    this.labels.set(name, next);
    this.emit({ kind: 'label', action: 'member-removed', id: name, deviceId });
    return next;
  }

  labelsOf(deviceId: string): string[] {
    this.requireDevice(deviceId);
    return [...this.labels.values()].filter((l) => l.deviceIds.includes(deviceId)).map((l) => l.name);
  }

  // ---- groups (of users) -------------------------------------------------------------------------------

  addGroup(name: string, description?: string): Group {
    parse(labelNameSchema, name, 'group', name);
    if (this.groups.has(name)) throw new DirectoryError('already_exists', 'group', name, `group "${name}" already exists`);
    const group = deepFreeze(compact({ name, description, userIds: [] }) as Group);
    this.groups.set(name, group);
    this.emit({ kind: 'group', action: 'added', id: name });
    return group;
  }

  getGroup(name: string): Group | undefined {
    return this.groups.get(name);
  }

  requireGroup(name: string): Group {
    const group = this.groups.get(name);
    if (!group) throw new DirectoryError('not_found', 'group', name, `no group "${name}"`);
    return group;
  }

  listGroups(): Group[] {
    return [...this.groups.values()];
  }

  removeGroup(name: string): void {
    this.requireGroup(name);
    this.groups.delete(name);
    this.emit({ kind: 'group', action: 'removed', id: name });
  }

  addToGroup(name: string, userId: string): Group {
    const group = this.requireGroup(name);
    this.requireUser(userId);
    if (group.userIds.includes(userId)) return group;
    const next = deepFreeze({ ...group, userIds: [...group.userIds, userId] });
    this.groups.set(name, next);
    this.emit({ kind: 'group', action: 'member-added', id: name, userId });
    return next;
  }

  removeFromGroup(name: string, userId: string): Group {
    const group = this.requireGroup(name);
    if (!group.userIds.includes(userId)) return group;
    const next = deepFreeze({ ...group, userIds: group.userIds.filter((u) => u !== userId) });
    this.groups.set(name, next);
    this.emit({ kind: 'group', action: 'member-removed', id: name, userId });
    return next;
  }

  groupsOf(userId: string): string[] {
    this.requireUser(userId);
    return [...this.groups.values()].filter((g) => g.userIds.includes(userId)).map((g) => g.name);
  }

  // ---- events and persistence --------------------------------------------------------------------------

  /** Calls `listener` after every change; returns the unsubscribe function. A throwing listener does not undo the change. */
  subscribe(listener: DirectoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: DirectoryEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A subscriber's failure is its own; the directory has already changed.
      }
    }
  }

  /** A plain JSON form of everything (password hashes included, never passwords). */
  snapshot(): DirectorySnapshot {
    return structuredClone({
      format: SNAPSHOT_FORMAT,
      version: 1 as const,
      users: [...this.users.values()],
      credentials: Object.fromEntries(this.credentials),
      devices: [...this.devices.values()],
      labels: [...this.labels.values()],
      groups: [...this.groups.values()],
    });
  }

  /** Rebuilds a directory from snapshot(); a damaged snapshot throws 'invalid_snapshot' with every problem. */
  static restore(snapshot: unknown, options: DirectoryOptions = {}): Directory {
    const data = parseSnapshot(snapshot);
    const directory = new Directory(options);
    for (const user of data.users) directory.users.set(user.id, deepFreeze(complete(compact(user) as User)));
    for (const [id, hash] of Object.entries(data.credentials)) directory.credentials.set(id, hash);
    for (const device of data.devices) directory.devices.set(device.id, deepFreeze(compact(device) as Device));
    for (const label of data.labels) directory.labels.set(label.name, deepFreeze(compact(label) as Label));
    for (const group of data.groups) directory.groups.set(group.name, deepFreeze(compact(group) as Group));
    return directory;
  }
}
