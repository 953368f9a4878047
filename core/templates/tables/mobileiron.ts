/**
 * MobileIron ${var} variables (MobileIron Cloud identity certificates, guide 001; MobileIron Core/VSP SCEP
 * settings, guide 000, which names no variable). Only ${userCN} and ${userDisplayName} appear in the guides;
 * every other entry is an ASSUMPTION (assumption: true) taken from the issue and from Ivanti's public
 * "Variables" help page for Ivanti Neurons for MDM (MobileIron Cloud's successor), not from our sources.
 */
import type { DialectTable, VariableDefinition, VariableSource } from '../model.js';

const IVANTI = 'ASSUMPTION: not in the guides; listed on the Ivanti Neurons for MDM "Variables" help page';
const IVANTI_AD = `${IVANTI}, marked there as needing LDAP / Active Directory`;

function variable(name: string, description: string, source: VariableSource, needsLdap = false, evidence = IVANTI): VariableDefinition {
  return { name, description, source, needsLdap, assumption: evidence.startsWith('ASSUMPTION'), evidence };
}

export const MOBILEIRON_TABLE: DialectTable = {
  dialect: 'mobileiron',
  products: ['mobileiron-cloud', 'mobileiron-core'],
  syntax: '${name}',
  variables: [
    {
      name: 'userCN',
      description: 'common name of the user\'s LDAP entry',
      source: { from: 'ldap', field: 'cn' },
      needsLdap: true,
      assumption: false,
      evidence: 'guide 001, Configure an Identity Certificate step 11a (default subject ${userCN}, "for LDAP integration") and Troubleshooting "Variable substitution failed for {UserCN}"',
      fix: 'change the value to another variable, e.g. ${userDisplayName}, if you do not use LDAP (guide 001)',
    },
    {
      name: 'userDisplayName',
      description: 'display name of the user',
      source: { from: 'user', field: 'displayName' },
      needsLdap: false,
      assumption: false,
      evidence: 'guide 001, Configure an Identity Certificate step 11a (the variable to use without LDAP)',
    },
    variable('userEmailAddress', 'e-mail address', { from: 'user', field: 'email' }, false, 'ASSUMPTION: named in issue 3, not in the guides; listed on the Ivanti Neurons for MDM "Variables" help page'),
    variable('userEmailAddressLocalPart', 'e-mail address before the "@"', { from: 'user', field: 'email', part: 'local' }),
    variable('userEmailAddressDomain', 'e-mail address after the "@"', { from: 'user', field: 'email', part: 'domain' }),
    variable('userFirstName', 'first name', { from: 'user', field: 'firstName' }),
    variable('userLastName', 'last name', { from: 'user', field: 'lastName' }),
    variable('userUID', 'login ID', { from: 'user', field: 'id' }),
    variable('userUIDLocalPart', 'login ID before the "@"', { from: 'user', field: 'id', part: 'local' }),
    variable('userUIDDomain', 'login ID after the "@"', { from: 'user', field: 'id', part: 'domain' }),
    variable('userLocale', 'locale', { from: 'user', field: 'locale' }),
    variable('userUPN', 'userPrincipalName', { from: 'user', field: 'upn' }, true, IVANTI_AD),
    variable('userDN', 'distinguished name of the LDAP entry', { from: 'ldap', field: 'dn' }, true, IVANTI_AD),
    variable('userOU', 'most specific OU of the LDAP entry\'s DN', { from: 'ldap', field: 'ou' }, true, IVANTI_AD),
    variable('userREALM', 'Kerberos realm', { from: 'ldap', field: 'realm' }, true, IVANTI_AD),
    variable('sAMAccountName', 'sAMAccountName', { from: 'ldap', field: 'sAMAccountName' }, true, IVANTI_AD),
    variable('department', 'department attribute', { from: 'ldap-attribute', attribute: 'department' }, true, IVANTI_AD),
    variable('deviceUUID', 'the MDM\'s device identifier', { from: 'device', field: 'id' }, false, 'ASSUMPTION: named in issue 3, not in the guides'),
    variable('deviceUDID', 'Apple UDID', { from: 'device', field: 'udid' }, false, 'ASSUMPTION: not in the guides'),
    variable('deviceSerialNumber', 'serial number', { from: 'device', field: 'serialNumber' }, false, 'ASSUMPTION: not in the guides'),
    variable('deviceIMEI', 'IMEI', { from: 'device', field: 'imei' }, false, 'ASSUMPTION: not in the guides'),
    variable('devicePhoneNumber', 'phone number, E.164', { from: 'device', field: 'phone' }, false, 'ASSUMPTION: not in the guides'),
    variable('deviceModel', 'device model', { from: 'device', field: 'model' }, false, 'ASSUMPTION: not in the guides'),
    variable('deviceWiFiMacAddress', 'Wi-Fi MAC address', { from: 'device', field: 'wifiMac' }, false, 'ASSUMPTION: not in the guides'),
  ],
  customAttributes: {
    supported: true,
    assumption: true,
    evidence: 'ASSUMPTION: Ivanti Neurons for MDM help ("Attributes"): each custom attribute has a corresponding variable',
  },
  notes: [
    'ASSUMPTION: MobileIron Core (VSP, guide 000) is given the same ${name} table as MobileIron Cloud. Guide 000 names no variable; Core\'s own documentation (not among our sources) writes $NAME$ (e.g. $EMAIL$), which mdmca does not implement.',
    'No escape: neither product documents one, so a literal "${" cannot be written; a "$" not followed by "{" is literal.',
  ],
};
