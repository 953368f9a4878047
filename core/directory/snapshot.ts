/**
 * The JSON form of a directory, for a Store. Restoring checks every record with the same schemas as the
 * directory's own methods, and the references between them (a device's user, a label's devices, a group's
 * users), and reports every problem with its path rather than the first.
 */
import { z } from 'zod';
import { DirectoryError, type DirectoryIssue, describeIssues, issuesFrom } from './errors.js';
import { type Device, deviceSchema, type Group, groupSchema, type Label, labelSchema, type User, userSchema } from './model.js';
import { isPasswordHash } from './passwords.js';

export const SNAPSHOT_FORMAT = 'mdmca-directory';

export interface DirectorySnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: 1;
  users: User[];
  /** Password hashes by user ID (passwords.ts format). */
  credentials: Record<string, string>;
  devices: Device[];
  labels: Label[];
  groups: Group[];
}

const snapshotSchema = z
  .object({
    format: z.literal(SNAPSHOT_FORMAT),
    version: z.literal(1),
    users: z.array(userSchema),
    credentials: z.record(z.string(), z.string().refine(isPasswordHash, { message: 'not a password hash' })),
    devices: z.array(deviceSchema),
    labels: z.array(labelSchema),
    groups: z.array(groupSchema),
  })
  .strict();

function duplicates(values: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return dup;
}

/** Every broken reference or duplicate key in a snapshot that passed the schema. */
function referenceIssues(data: z.output<typeof snapshotSchema>): DirectoryIssue[] {
  const issues: DirectoryIssue[] = [];
  const userIds = new Set(data.users.map((u) => u.id));
  const deviceIds = new Set(data.devices.map((d) => d.id));
  const dupUsers = duplicates(data.users.map((u) => u.id));
  data.users.forEach((u, i) => dupUsers.has(u.id) && issues.push({ path: `users.${i}.id`, message: `duplicate user "${u.id}"` }));
  const dupDevices = duplicates(data.devices.map((d) => d.id));
  data.devices.forEach((d, i) => {
    if (dupDevices.has(d.id)) issues.push({ path: `devices.${i}.id`, message: `duplicate device "${d.id}"` });
    if (!userIds.has(d.userId)) issues.push({ path: `devices.${i}.userId`, message: `no user "${d.userId}"` });
  });
  for (const field of ['serialNumber', 'udid', 'imei', 'meid'] as const) {
    const dup = duplicates(data.devices.flatMap((d) => (d[field] ? [d[field]!.toLowerCase()] : [])));
    data.devices.forEach((d, i) => {
      if (d[field] && dup.has(d[field]!.toLowerCase())) issues.push({ path: `devices.${i}.${field}`, message: `${field} ${d[field]} used by more than one device` });
    });
  }
  for (const id of Object.keys(data.credentials)) {
    if (!userIds.has(id)) issues.push({ path: `credentials.${id}`, message: `no user "${id}"` });
  }
  const dupLabels = duplicates(data.labels.map((l) => l.name));
  data.labels.forEach((l, i) => {
    if (dupLabels.has(l.name)) issues.push({ path: `labels.${i}.name`, message: `duplicate label "${l.name}"` });
    l.deviceIds.forEach((d, j) => deviceIds.has(d) || issues.push({ path: `labels.${i}.deviceIds.${j}`, message: `no device "${d}"` }));
  });
  const dupGroups = duplicates(data.groups.map((g) => g.name));
  data.groups.forEach((g, i) => {
    if (dupGroups.has(g.name)) issues.push({ path: `groups.${i}.name`, message: `duplicate group "${g.name}"` });
    g.userIds.forEach((u, j) => userIds.has(u) || issues.push({ path: `groups.${i}.userIds.${j}`, message: `no user "${u}"` }));
  });
  return issues;
}

export function parseSnapshot(input: unknown): z.output<typeof snapshotSchema> {
  const result = snapshotSchema.safeParse(input);
  const issues = result.success ? referenceIssues(result.data) : issuesFrom(result.error);
  if (issues.length > 0 || !result.success) {
    throw new DirectoryError('invalid_snapshot', 'snapshot', undefined, `invalid directory snapshot: ${describeIssues(issues)}`, issues);
  }
  return result.data;
}
