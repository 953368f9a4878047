import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Directory } from './directory.js';
import { DirectoryError } from './errors.js';
import { formatE164, isValidImei, isValidUdid, luhnCheckDigit, makeImei, parseNationalNumber } from './identifiers.js';
import type { UserInput } from './model.js';

const seed = JSON.parse(readFileSync(new URL('../../fixtures/directory/users.json', import.meta.url), 'utf8')) as { users: UserInput[] };

function seeded(): Directory {
  let n = 0;
  const directory = new Directory({ newDeviceId: () => `dev-${++n}` });
  for (const user of seed.users) directory.addUser(user);
  return directory;
}

function caught(fn: () => unknown): DirectoryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DirectoryError) return e;
    throw e;
  }
  throw new Error('expected a DirectoryError');
}

describe('identifiers', () => {
  it('checks IMEIs by their Luhn digit and completes them', () => {
    expect(isValidImei('490154203237518')).toBe(true);
    expect(isValidImei('490154203237519')).toBe(false);
    expect(isValidImei('49015420323751')).toBe(false);
    expect(luhnCheckDigit('49015420323751')).toBe(8);
    expect(makeImei('35391805123456')).toMatch(/^\d{15}$/);
    expect(isValidImei(makeImei('35391805123456'))).toBe(true);
  });

  it('knows the three UDID forms', () => {
    expect(isValidUdid('a'.repeat(40))).toBe(true);
    expect(isValidUdid('00008030-001A35E11A88802E')).toBe(true);
    expect(isValidUdid('6F9619FF-8B86-D011-B42D-00C04FC964FF')).toBe(true);
    expect(isValidUdid('not-a-udid')).toBe(false);
  });

  it('reads national numbers as people type them', () => {
    expect(parseNationalNumber('(617) 555-0101')).toBe('6175550101');
    expect(parseNationalNumber('12ab')).toBeUndefined();
    expect(formatE164({ countryCode: '44', number: '7700900123' })).toBe('+447700900123');
  });
});

describe('Directory users', () => {
  it('derives the LDAP cn from the DN and the display name from first and last name', () => {
    const directory = seeded();
    const alice = directory.requireUser('asmith');
    expect(alice.source).toBe('ldap');
    expect(alice.source === 'ldap' && alice.ldap.cn).toBe('Alice Smith');
    expect(alice.displayName).toBe('Alice Smith');
    const rosa = directory.requireUser('rlopez');
    expect(rosa.source === 'ldap' && rosa.ldap.cn).toBe('López, Rosa');
    expect(directory.requireUser('jdoe').source).toBe('local');
  });

  it('reports every problem of bad input with its path', () => {
    const error = caught(() =>
      new Directory().addUser({ id: 'bad user', source: 'ldap', email: 'nope', ldap: { dn: 'not a dn' } }),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['email', 'id', 'ldap.dn']);
  });

  it('refuses duplicates, unknown users and LDAP attributes on a local user', () => {
    const directory = seeded();
    expect(caught(() => directory.addUser({ id: 'jdoe', source: 'local' })).code).toBe('already_exists');
    expect(caught(() => directory.requireUser('nobody')).code).toBe('not_found');
    expect(caught(() => directory.updateUser('jdoe', { ldap: { dn: 'CN=x' } })).issues[0]!.path).toBe('ldap');
  });

  it('keeps password hashes, never passwords', () => {
    const directory = seeded();
    expect(directory.verifyPassword('jdoe', 'Passw0rd!')).toBe(true);
    expect(directory.verifyPassword('jdoe', 'wrong')).toBe(false);
    expect(directory.verifyPassword('rlopez', '')).toBe(false);
    directory.setPassword('rlopez', 'n3w');
    expect(directory.verifyPassword('rlopez', 'n3w')).toBe(true);
    expect(JSON.stringify(directory.snapshot())).not.toContain('Passw0rd!');
  });

  it('hands out frozen records and updates by replacing them', () => {
    const directory = seeded();
    const before = directory.requireUser('jdoe');
    expect(Object.isFrozen(before)).toBe(true);
    const after = directory.updateUser('jdoe', { email: 'jd@example.com', displayName: 'JD' });
    expect(before.email).toBe('jane.doe@example.com');
    expect(after).toMatchObject({ email: 'jd@example.com', displayName: 'JD', source: 'local' });
  });
});

describe('Directory devices, labels and groups', () => {
  it('adds devices for existing users with unique identifiers', () => {
    const directory = seeded();
    const d = directory.addDevice({ userId: 'jdoe', platform: 'ios', udid: '00008030-001A35E11A88802E', serialNumber: 'F2LX1234ABCD' });
    expect(d).toMatchObject({ id: 'dev-1', status: 'pending', ownership: 'company' });
    expect(caught(() => directory.addDevice({ userId: 'ghost', platform: 'ios' })).code).toBe('not_found');
    const dup = caught(() => directory.addDevice({ userId: 'asmith', platform: 'ios', udid: '00008030-001a35e11a88802e' }));
    expect(dup.code).toBe('already_exists');
    expect(dup.issues[0]!.path).toBe('udid');
    const bad = caught(() => directory.addDevice({ userId: 'asmith', platform: 'android', imei: '490154203237519', phone: { countryCode: '1', number: '12' } }));
    expect(bad.issues.map((i) => i.path).sort()).toEqual(['imei', 'phone']);
    expect(directory.findDevice({ serialNumber: 'f2lx1234abcd' })?.id).toBe('dev-1');
  });

  it('updates devices, removing optional fields with null', () => {
    const directory = seeded();
    const d = directory.addDevice({ userId: 'jdoe', platform: 'android', phone: { countryCode: '1', number: '6175550101' } });
    const updated = directory.updateDevice(d.id, { phone: null, imei: '490154203237518', status: 'active' });
    expect(updated.phone).toBeUndefined();
    expect(updated).toMatchObject({ imei: '490154203237518', status: 'active' });
    expect('phone' in updated).toBe(false);
  });

  it('labels devices, tells subscribers, and forgets removed devices', () => {
    const directory = seeded();
    const events: string[] = [];
    directory.subscribe((e) => events.push(`${e.kind}:${e.action}:${e.id}${'deviceId' in e ? `:${e.deviceId}` : ''}`));
    const a = directory.addDevice({ userId: 'jdoe', platform: 'ios' });
    const b = directory.addDevice({ userId: 'asmith', platform: 'android' });
    directory.addLabel('iOS', 'all iOS devices');
    directory.applyLabel('iOS', a.id);
    directory.applyLabel('iOS', a.id);
    expect(directory.listDevices({ label: 'iOS' }).map((d) => d.id)).toEqual([a.id]);
    expect(directory.labelsOf(a.id)).toEqual(['iOS']);
    expect(directory.labelsOf(b.id)).toEqual([]);
    directory.removeDevice(a.id);
    expect(directory.requireLabel('iOS').deviceIds).toEqual([]);
    expect(events).toEqual([
      'device:added:dev-1',
      'device:added:dev-2',
      'label:added:iOS',
      'label:member-added:iOS:dev-1',
      'label:member-removed:iOS:dev-1',
      'device:removed:dev-1',
    ]);
  });

  it('groups users and refuses to remove a user who still has devices', () => {
    const directory = seeded();
    directory.addGroup('Sales');
    directory.addToGroup('Sales', 'asmith');
    expect(directory.groupsOf('asmith')).toEqual(['Sales']);
    expect(directory.requireGroup('Sales').userIds).toEqual(['asmith']);
    const d = directory.addDevice({ userId: 'asmith', platform: 'ios' });
    expect(caught(() => directory.removeUser('asmith')).code).toBe('in_use');
    directory.removeDevice(d.id);
    directory.removeUser('asmith');
    expect(directory.requireGroup('Sales').userIds).toEqual([]);
  });
});

describe('Directory snapshot', () => {
  it('round-trips through JSON', () => {
    const directory = seeded();
    const d = directory.addDevice({ userId: 'asmith', platform: 'android', imei: '490154203237518', customAttributes: { costCenter: '42' } });
    directory.addLabel('Android');
    directory.applyLabel('Android', d.id);
    directory.addGroup('Sales');
    directory.addToGroup('Sales', 'asmith');
    const json = JSON.parse(JSON.stringify(directory.snapshot()));
    const restored = Directory.restore(json);
    expect(restored.snapshot()).toEqual(directory.snapshot());
    expect(restored.verifyPassword('asmith', 'Ldap-Pass1')).toBe(true);
  });

  it('reports every broken reference in a damaged snapshot', () => {
    const directory = seeded();
    const d = directory.addDevice({ userId: 'jdoe', platform: 'ios' });
    directory.addLabel('L');
    directory.applyLabel('L', d.id);
    const snap = JSON.parse(JSON.stringify(directory.snapshot()));
    snap.users = snap.users.filter((u: { id: string }) => u.id !== 'jdoe');
    snap.labels[0].deviceIds.push('dev-404');
    const error = caught(() => Directory.restore(snap));
    expect(error.code).toBe('invalid_snapshot');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['credentials.jdoe', 'devices.0.userId', 'labels.0.deviceIds.1']);
    expect(caught(() => Directory.restore({ format: 'x' })).issues.length).toBeGreaterThan(1);
  });
});
