/**
 * Workspace ONE UEM {Var} lookup values (guide 004, Step 6: "use the {EmailAddress} lookup value for mail").
 * Only {EmailAddress} is in the guides; the other entries are an ASSUMPTION (assumption: true) from the issue
 * and from what Workspace ONE (AirWatch) consoles list as lookup values, not from our sources.
 */
import type { DialectTable, VariableDefinition, VariableSource } from '../model.js';

const CONSOLE = 'ASSUMPTION: not in the guides; a lookup value of the Workspace ONE UEM console';

function variable(name: string, description: string, source: VariableSource, needsLdap = false, evidence = CONSOLE): VariableDefinition {
  return { name, description, source, needsLdap, assumption: true, evidence };
}

export const WORKSPACE_ONE_TABLE: DialectTable = {
  dialect: 'workspace-one',
  products: ['workspace-one'],
  syntax: '{Name}',
  variables: [
    {
      name: 'EmailAddress',
      description: 'e-mail address of the enrollment user',
      source: { from: 'user', field: 'email' },
      needsLdap: false,
      assumption: false,
      evidence: 'guide 004, Step 6: Set Up Certificate Template ("use the {EmailAddress} lookup value for mail")',
    },
    variable('EnrollmentUser', 'user name of the enrollment user', { from: 'user', field: 'id' }, false, `${CONSOLE} (named in issue 3)`),
    variable('EmailUserName', 'e-mail address before the "@"', { from: 'user', field: 'email', part: 'local' }),
    variable('EmailDomain', 'e-mail address after the "@"', { from: 'user', field: 'email', part: 'domain' }),
    variable('UserPrincipalName', 'userPrincipalName', { from: 'user', field: 'upn' }, false, `${CONSOLE} (named in issue 3)`),
    variable('FirstName', 'first name', { from: 'user', field: 'firstName' }),
    variable('LastName', 'last name', { from: 'user', field: 'lastName' }),
    variable('Domain', 'the user\'s domain', { from: 'user', field: 'domain' }),
    variable('UserDistinguishedName', 'DN of the directory user', { from: 'ldap', field: 'dn' }, true),
    variable('DeviceUid', 'device UDID', { from: 'device', field: 'udid' }),
    variable('DeviceSerialNumber', 'serial number', { from: 'device', field: 'serialNumber' }, false, `${CONSOLE} (named in issue 3)`),
    variable('DeviceModel', 'device model', { from: 'device', field: 'model' }),
    variable('DevicePlatform', 'platform', { from: 'device', field: 'platform' }),
    variable('DeviceOperatingSystem', 'OS version', { from: 'device', field: 'osVersion' }),
    variable('DeviceFriendlyName', 'friendly name', { from: 'device', field: 'name' }),
    variable('DeviceWLANMac', 'Wi-Fi MAC address', { from: 'device', field: 'wifiMac' }),
    variable('DevicePhoneNumber', 'phone number, E.164', { from: 'device', field: 'phone' }),
  ],
  customAttributes: { supported: false, assumption: true, evidence: 'ASSUMPTION: custom attributes are not lookup values by their own name' },
  notes: [
    'No escape: a "{" followed by a letter starts a lookup value; a "{" followed by anything else, and every "}", is literal.',
    'ASSUMPTION: lookup values are matched case-sensitively (a wrong case is reported with a hint).',
  ],
};
