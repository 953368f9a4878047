import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importDevicesCsv } from './csv-import.js';
import { Directory } from './directory.js';
import type { UserInput } from './model.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/directory/${name}`, import.meta.url), 'utf8');
const seed = JSON.parse(fixture('users.json')) as { users: UserInput[] };
const HEADER = 'User,Status,Password,Country Code,Mobile Number,Operator,Platform,Owner,Source,First Name,Last Name';

function seeded(): Directory {
  let n = 0;
  const directory = new Directory({ newDeviceId: () => `dev-${++n}` });
  for (const user of seed.users) directory.addUser(user);
  return directory;
}

describe('importDevicesCsv', () => {
  it('imports the good fixture, creating the local user it introduces', () => {
    const directory = seeded();
    const result = importDevicesCsv(directory, fixture('devices-good.csv'));
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ rows: 5, applied: true, rejectedLines: [] });
    expect(result.users.map((u) => u.id)).toEqual(['mkim']);
    expect(directory.requireUser('mkim')).toMatchObject({ source: 'local', displayName: 'Min Kim' });
    expect(directory.verifyPassword('mkim', 'Welcome-1')).toBe(true);
    expect(result.devices.map((d) => [d.userId, d.platform, d.ownership, d.phone ? `+${d.phone.countryCode}${d.phone.number}` : '-', d.operator ?? '-'])).toEqual([
      ['jdoe', 'ios', 'company', '+16175550101', 'AT&T'],
      ['mkim', 'android', 'employee', '+16175550102', 'Verizon'],
      ['mkim', 'ios', 'employee', '-', '-'],
      ['asmith', 'ios', 'company', '+447700900123', 'Vodafone UK'],
      ['rlopez', 'android', 'company', '-', '-'],
    ]);
    expect(directory.listDevices().length).toBe(5);
  });

  it('reports every bad row of the broken fixture with its line and column, and writes nothing', () => {
    const directory = seeded();
    const result = importDevicesCsv(directory, fixture('devices-broken.csv'));
    expect(result.applied).toBe(false);
    expect(directory.listDevices()).toEqual([]);
    expect(directory.getUser('newbie')).toBeUndefined();
    expect(result.errors.map((e) => `${e.line} ${e.column ?? '-'} ${e.code}`)).toEqual([
      '3 User required',
      '4 Password required',
      '5 User user_not_found',
      '6 Platform invalid_value',
      '7 Country Code required',
      '8 Mobile Number invalid_value',
      '8 Owner invalid_value',
      '9 Source source_mismatch',
      '10 - field_count',
      '11 User invalid_value',
      '11 Password required',
      '11 First Name required',
      '11 Last Name required',
    ]);
    expect(result.rows).toBe(11);
    expect(result.rejectedLines).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]);
    expect(result.errors.find((e) => e.line === 5)!.message).toBe('LDAP user "ghost" is not in the directory');
  });

  it('imports only the good rows when asked for a partial import', () => {
    const directory = seeded();
    const result = importDevicesCsv(directory, fixture('devices-broken.csv'), { partial: true });
    expect(result.applied).toBe(true);
    expect(result.errors).toHaveLength(13);
    expect(result.devices.map((d) => d.userId)).toEqual(['jdoe', 'asmith']);
    expect(result.rejectedLines).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('lets a later row use the user an earlier good row creates, and catches conflicting names', () => {
    const directory = seeded();
    const csv = [HEADER, 'new1,,pw,,,,iOS,,,Ann,Lee', 'new1,,,,,,Android,,,Ann,Li', 'new1,,,,,,Android,,,,', 'new2,,,,,,iOS,,,,'].join('\n');
    const result = importDevicesCsv(directory, csv, { partial: true });
    expect(result.errors.map((e) => `${e.line} ${e.column} ${e.code}`)).toEqual([
      '3 Last Name conflict',
      '5 Password required',
      '5 First Name required',
      '5 Last Name required',
    ]);
    expect(result.devices.map((d) => `${d.userId}/${d.platform}`)).toEqual(['new1/ios', 'new1/android']);
  });

  it('warns about user fields it ignores for existing users', () => {
    const result = importDevicesCsv(seeded(), [HEADER, 'jdoe,,secret,,,,iOS,,,Janet,'].join('\n'));
    expect(result.applied).toBe(true);
    expect(result.warnings.map((w) => `${w.line} ${w.column} ${w.code}`)).toEqual(['2 Password ignored', '2 First Name ignored']);
  });

  it('checks the header: unknown, duplicate and missing columns', () => {
    const result = importDevicesCsv(seeded(), 'User,Colour,user,Owner\njdoe,red,jdoe,Company\n');
    expect(result.applied).toBe(false);
    expect(result.errors.map((e) => `${e.line} ${e.column} ${e.code}`)).toEqual([
      '1 Colour unknown_column',
      '1 User duplicate_column',
      '1 Platform missing_column',
    ]);
    expect(importDevicesCsv(seeded(), '').errors[0]!.code).toBe('empty_file');
  });

  it('reads headers case-insensitively, CRLF line ends, a BOM, quoted fields and blank lines', () => {
    const csv = '\uFEFFuser,PLATFORM,mobile  number,country code\r\n\r\n"jdoe",ios,"617 555 0199",1\r\n  ,  , , \r\njdoe,Android,,\r\n';
    const result = importDevicesCsv(seeded(), csv);
    expect(result.errors).toEqual([]);
    expect(result.rows).toBe(2);
    expect(result.devices.map((d) => d.phone?.number ?? '-')).toEqual(['6175550199', '-']);
  });

  it('counts lines across quoted newlines and reports CSV syntax errors by line', () => {
    const csv = [HEADER, '"jdoe",,,,,"Op', 'erator",BlackBerry,,,,', 'jdoe,,,,,,Windows Phone,,,,', 'jdoe,,,1,"617"555,,iOS,,,,'].join('\n');
    const result = importDevicesCsv(seeded(), csv, { partial: true });
    expect(result.errors.map((e) => `${e.line} ${e.column ?? '-'} ${e.code}`)).toEqual(['2 Operator invalid_value', '2 Platform invalid_value', '5 - syntax']);
    expect(result.devices.map((d) => d.platform)).toEqual(['windows']);
  });
});
