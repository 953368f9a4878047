import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Directory } from '../directory/directory.js';
import type { UserInput } from '../directory/model.js';
import { TemplateError } from '../templates/errors.js';
import { identityConfigurationSchema } from './model.js';
import { buildRequestData, buildRequestFields } from './request-data.js';

const seed = JSON.parse(readFileSync(new URL('../../fixtures/directory/users.json', import.meta.url), 'utf8')) as { users: UserInput[] };
const directory = new Directory({ newDeviceId: () => 'b6f1c1de-7d1f-4c55-9d0e-2f6f3f0f7a11' });
for (const user of seed.users) directory.addUser(user);
const asmith = directory.requireUser('asmith');
// An Android phone without a UDID: ${deviceUDID} has no value for it.
const phone = directory.addDevice({ userId: 'asmith', platform: 'android', imei: '490154203237518', serialNumber: 'R58M12ABCDE', phone: { countryCode: '1', number: '6175550101' } });

const configuration = (extra: Record<string, unknown>) =>
  identityConfigurationSchema.parse({ kind: 'identity', name: 'c', ca: 'ca', subject: 'CN=${userDisplayName}', distribution: { mode: 'all' }, ...extra });

describe('request data', () => {
  it('leaves out a field whose variable has no value (undefined, not ""), keeps the others', () => {
    const fields = buildRequestFields(configuration({ fields: { udid: '${deviceUDID}', imei: '${deviceIMEI}' } }), 'mobileiron-cloud', asmith, phone);
    expect(fields).toEqual({ imei: '490154203237518' });
    expect('udid' in fields).toBe(false);
  });

  it('still fails on other template problems in a field (unknown variable)', () => {
    expect(() => buildRequestFields(configuration({ fields: { x: '${noSuchVariable}' } }), 'mobileiron-cloud', asmith, phone)).toThrow(TemplateError);
  });

  it('GlobalSign: params are the caParams exactly; a field named like a caParam never overrides it', () => {
    const spec = configuration({
      caParams: { profileId: 'PROFILE-1', productCode: 'EPKIPSPersonal', years: '1' },
      fields: { profileId: '${userEmailAddress}', email: '${deviceUDID}', years: '${deviceIMEI}' },
      email: '${userEmailAddress}',
    });
    const data = buildRequestData(spec, 'mobileiron-cloud', asmith, phone);
    expect(data.params).toEqual({ profileId: 'PROFILE-1', productCode: 'EPKIPSPersonal', years: '1' });
    // email has no value: absent, so GlobalSign's `params.email ?? SAN email` still falls back to the SAN.
    expect(data.params.email ?? data.subjectAltNames.find((n) => n.type === 'email')?.value).toBe(asmith.email);
    expect(data.fields).toEqual({ profileId: asmith.email, years: '490154203237518' });
  });

  it('a configuration without fields gives exactly its caParams and no fields (SCEP, GlobalSign as before)', () => {
    const data = buildRequestData(configuration({ caParams: { profileId: 'P' } }), 'mobileiron-cloud', asmith, phone);
    expect(data.params).toEqual({ profileId: 'P' });
    expect(data.fields).toEqual({});
  });
});
