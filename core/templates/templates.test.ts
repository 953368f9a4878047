import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Device, User } from '../directory/model.js';
import { Directory } from '../directory/directory.js';
import type { UserInput } from '../directory/model.js';
import { DistinguishedName } from '../pki/names.js';
import { TemplateError } from './errors.js';
import { PRODUCT_DIALECT, type Product } from './model.js';
import { listVariables, substitute, validateTemplate } from './substitute.js';
import { isVariableName, tokenize } from './syntax.js';
import { TABLES } from './tables/index.js';

const seed = JSON.parse(readFileSync(new URL('../../fixtures/directory/users.json', import.meta.url), 'utf8')) as { users: UserInput[] };
const directory = new Directory({ newDeviceId: () => 'b6f1c1de-7d1f-4c55-9d0e-2f6f3f0f7a11' });
for (const user of seed.users) directory.addUser(user);
const jdoe = directory.requireUser('jdoe');
const asmith = directory.requireUser('asmith');
const rlopez = directory.requireUser('rlopez');
const phone = directory.addDevice({
  userId: 'asmith',
  platform: 'android',
  imei: '490154203237518',
  serialNumber: 'R58M12ABCDE',
  phone: { countryCode: '1', number: '6175550101' },
  model: 'Pixel 8',
});

function failure(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

describe('MobileIron Cloud (guide 001)', () => {
  it('fails ${userCN} for a local user with the product\'s own text and the guide\'s fix', () => {
    const error = failure(() => substitute('CN=${userCN}', { product: 'mobileiron-cloud', target: 'dn', user: jdoe }));
    expect(error.code).toBe('needs_ldap');
    expect(error.message).toBe('Variable substitution failed for {UserCN}');
    expect(error.variable).toBe('userCN');
    expect(error.assumption).toBe(false);
    expect(error.fix).toContain('${userDisplayName}');
  });

  it('substitutes ${userDisplayName} instead, and ${userCN} for LDAP users, escaped for the DN', () => {
    expect(substitute('CN=${userDisplayName}', { product: 'mobileiron-cloud', target: 'dn', user: jdoe }).value).toBe('CN=Jane Doe');
    const out = substitute('CN=${userCN},O=Example', { product: 'mobileiron-cloud', target: 'dn', user: rlopez });
    expect(out.value).toBe('CN=López\\, Rosa,O=Example');
    expect(DistinguishedName.parse(out.value).get('CN')).toBe('López, Rosa');
    expect(substitute('${userCN}', { product: 'mobileiron-cloud', user: rlopez }).value).toBe('López, Rosa');
  });

  it('reads LDAP-only variables from the entry', () => {
    const ctx = { product: 'mobileiron-cloud' as const, user: asmith, device: phone };
    expect(substitute('${userUPN}|${sAMAccountName}|${userOU}|${userREALM}|${department}', ctx).value).toBe(
      'asmith@corp.example.com|asmith|Sales|CORP.EXAMPLE.COM|Sales',
    );
    expect(substitute('${deviceUUID} ${deviceIMEI} ${devicePhoneNumber}', ctx).value).toBe(
      'b6f1c1de-7d1f-4c55-9d0e-2f6f3f0f7a11 490154203237518 +16175550101',
    );
    expect(substitute('${userEmailAddressLocalPart} at ${userEmailAddressDomain}', ctx).value).toBe('alice.smith at example.com');
  });

  it('reports a missing value with the product text (an assumption beyond {UserCN})', () => {
    const error = failure(() => substitute('${deviceUDID}', { product: 'mobileiron-cloud', user: asmith, device: phone }));
    expect(error).toMatchObject({ code: 'missing_source', message: 'Variable substitution failed for {DeviceUDID}', assumption: true });
    expect(error.detail).toContain('has no udid');
    expect(failure(() => substitute('${userCN}', { product: 'mobileiron-core', user: jdoe })).assumption).toBe(true);
  });

  it('reports unknown variables by name, with a hint for a wrong case, and every problem at once', () => {
    const error = failure(() => substitute('CN=${usercn},O=${org},E=${userEmailAddress', { product: 'mobileiron-cloud', user: asmith }));
    expect(error.problems.map((p) => [p.code, p.variable ?? p.placeholder])).toEqual([
      ['unknown_variable', 'usercn'],
      ['unknown_variable', 'org'],
      ['malformed', '${userEmailAddress'],
    ]);
    expect(error.message).toBe('unknown variable ${usercn} (did you mean ${userCN}?)');
  });

  it('takes custom attributes by name, user before device', () => {
    const user: User = { ...jdoe, customAttributes: { costCenter: 'CC-42' } };
    const device: Device = { ...phone, customAttributes: { costCenter: 'device', assetTag: 'A-7' } };
    expect(substitute('${costCenter}/${assetTag}', { product: 'mobileiron-cloud', user, device }).value).toBe('CC-42/A-7');
    expect(failure(() => substitute('{costCenter}', { product: 'workspace-one', user, device })).code).toBe('unknown_variable');
  });

  it('never rescans a value', () => {
    const user: User = { ...jdoe, displayName: '${userCN} %email% {EmailAddress}' };
    expect(substitute('${userDisplayName}', { product: 'mobileiron-cloud', user }).value).toBe('${userCN} %email% {EmailAddress}');
  });
});

describe('Workspace ONE and MaaS360', () => {
  it('substitutes {EmailAddress} (guide 004) as text, unescaped', () => {
    const user: User = { ...jdoe, email: 'o\'neil+tag@example.com' };
    expect(substitute('{EmailAddress}', { product: 'workspace-one', target: 'text', user }).value).toBe('o\'neil+tag@example.com');
    expect(substitute('CN={EnrollmentUser},OU={DevicePlatform}', { product: 'workspace-one', target: 'dn', user: asmith, device: phone }).value).toBe(
      'CN=asmith,OU=android',
    );
  });

  it('escapes for the slash form of MaaS360\'s default subject', () => {
    const user: User = { ...jdoe, id: 'dept/jdoe+1' };
    const out = substitute('/CN=%uname%/emailAddress=%email%', { product: 'maas360', target: 'dn', user });
    expect(out.value).toBe('/CN=dept\\/jdoe\\+1/emailAddress=jane.doe@example.com');
    const dn = DistinguishedName.parseOpenSsl(out.value);
    expect([dn.get('CN'), dn.get('emailAddress')]).toEqual(['dept/jdoe+1', 'jane.doe@example.com']);
    expect(substitute('%dc% %ou% %cn%', { product: 'maas360', user: asmith }).value).toBe('corp.example.com Sales Alice Smith');
    expect(failure(() => substitute('%cn%', { product: 'maas360', user: jdoe })).message).toBe('Unable to resolve %cn% for the certificate request');
  });

  it('refuses a dialect that is not the product\'s', () => {
    expect(failure(() => substitute('x', { product: 'maas360', dialect: 'mobileiron' })).code).toBe('invalid_context');
  });
});

describe('validateTemplate and listVariables', () => {
  it('explains ${userCN} without LDAP the way doctor needs it', () => {
    const [problem, ...rest] = validateTemplate('CN=${userCN}', { product: 'mobileiron-cloud', ldap: false, target: 'dn' });
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ code: 'needs_ldap', variable: 'userCN', message: 'Variable substitution failed for {UserCN}', assumption: false });
    expect(problem!.fix).toContain('${userDisplayName}');
    expect(validateTemplate('CN=${userCN}', { product: 'mobileiron-cloud', ldap: true })).toEqual([]);
    expect(validateTemplate('CN=${userCN}', { dialect: 'mobileiron', ldap: false })[0]!.code).toBe('needs_ldap');
  });

  it('reports malformed placeholders, unknown names and a broken DN together', () => {
    const problems = validateTemplate('CN=${userDisplayName,O=${Org},"x', { product: 'mobileiron-core', target: 'dn' });
    expect(problems.map((p) => p.code)).toEqual(['malformed', 'unknown_variable', 'invalid_dn']);
    expect(validateTemplate('CN=${costCenter}', { product: 'mobileiron-cloud', customAttributes: ['costCenter'] })).toEqual([]);
  });

  it('lists the variables with their table entries', () => {
    const uses = listVariables('CN=%uname%,E=%email%,X=%nope%', 'maas360');
    expect(uses.map((u) => [u.name, u.offset, u.definition?.source.from ?? '-'])).toEqual([
      ['uname', 3, 'user'],
      ['email', 13, 'user'],
      ['nope', 23, '-'],
    ]);
  });
});

describe('syntax', () => {
  const cases: [string, Parameters<typeof tokenize>[1], string[]][] = [
    ['a $5 ${x} }{', 'mobileiron', ['L:a $5 ', 'P:x', 'L: }{']],
    ['${} ${1a} ${ a}', 'mobileiron', ['M:${}', 'L: ', 'M:${1a}', 'L: ', 'M:${', 'L: a}']],
    ['{1} {Email} {{X}} {a-b}', 'workspace-one', ['L:{1} ', 'P:Email', 'L: {', 'P:X', 'L:} ', 'M:{a', 'L:-b}']],
    ['100% %uname% %41 50%off %a%b%', 'maas360', ['L:100% ', 'P:uname', 'L: %41 50', 'M:%off', 'L: ', 'P:a', 'L:b%']],
  ];
  it.each(cases)('%s (%s)', (template, dialect, expected) => {
    const got = tokenize(template, dialect).map((s) => (s.kind === 'literal' ? `L:${s.text}` : s.kind === 'placeholder' ? `P:${s.name}` : `M:${s.raw}`));
    expect(got).toEqual(expected);
  });
});

describe('tables', () => {
  const fullUser: User = {
    ...asmith,
    id: 'asmith@corp.example.com',
    phone: '+16175550100',
    locale: 'en_US',
  };
  const fullDevice: Device = {
    ...phone,
    udid: '00008030-001A35E11A88802E',
    meid: 'A0000000001234',
    iccid: '8901260882310000000',
    name: 'Alice\'s phone',
    osVersion: '14',
    wifiMac: 'aa:bb:cc:dd:ee:ff',
  };

  it.each(Object.values(TABLES))('$dialect: unique, writable names; every variable resolves from a full LDAP user and device', (table) => {
    const names = table.variables.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of table.variables) {
      expect(isVariableName(v.name, table.dialect)).toBe(true);
      expect(v.assumption).toBe(v.evidence.startsWith('ASSUMPTION'));
      const product = table.products[0] as Product;
      expect(PRODUCT_DIALECT[product]).toBe(table.dialect);
      const template = listVariables(`${table.syntax.replace(/name/i, v.name)}`, table.dialect);
      expect(template).toHaveLength(1);
      expect(substitute(template[0]!.placeholder, { product, user: fullUser, device: fullDevice }).value.length).toBeGreaterThan(0);
    }
  });

  it('confirms only what the guides confirm', () => {
    const confirmed = Object.values(TABLES).flatMap((t) => t.variables.filter((v) => !v.assumption).map((v) => `${t.dialect}:${v.name}`));
    expect(confirmed).toEqual(['mobileiron:userCN', 'mobileiron:userDisplayName', 'workspace-one:EmailAddress']);
    const counts = Object.values(TABLES).map((t) => [t.dialect, t.variables.length, t.variables.filter((v) => v.assumption).length]);
    console.log('template variables (dialect, count, assumptions):', JSON.stringify(counts));
  });
});
