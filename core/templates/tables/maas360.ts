/**
 * MaaS360 %var% parameters. Guide 003 (MaaS360 PIV-D with Entrust) names none, so every entry is an
 * ASSUMPTION (assumption: true), taken from the issue (%username%, %email%) and from IBM's public MaaS360
 * documentation of certificate templates on the Cloud Extender (dynamic parameters, and the "User Visibility
 * module" ones that need an LDAP-sourced user) and of default attributes, not from our sources.
 */
import type { DialectTable, VariableDefinition, VariableSource } from '../model.js';

const CE = 'ASSUMPTION: not in the guides; a Cloud Extender certificate-template parameter in IBM\'s MaaS360 documentation';
const CE_LDAP = `${CE}, "requires User Visibility module" (a directory-sourced user)`;
const DEFAULTS = 'ASSUMPTION: not in the guides; a MaaS360 default attribute in IBM\'s documentation';

function variable(name: string, description: string, source: VariableSource, needsLdap = false, evidence = CE): VariableDefinition {
  return { name, description, source, needsLdap, assumption: true, evidence };
}

export const MAAS360_TABLE: DialectTable = {
  dialect: 'maas360',
  products: ['maas360'],
  syntax: '%name%',
  variables: [
    variable('udid', 'device UDID', { from: 'device', field: 'udid' }),
    variable('csn', 'MaaS360 device ID', { from: 'device', field: 'id' }),
    variable('deviceid', 'MaaS360 device ID', { from: 'device', field: 'id' }, false, DEFAULTS),
    variable('uname', 'user name of the device owner', { from: 'user', field: 'id' }),
    variable('username', 'user name of the device owner', { from: 'user', field: 'id' }, false, `${DEFAULTS} (named in issue 3)`),
    variable('domain', 'the user\'s domain', { from: 'user', field: 'domain' }),
    variable('email', 'e-mail address of the user', { from: 'user', field: 'email' }, false, `${CE} (named in issue 3)`),
    variable('upn', 'userPrincipalName', { from: 'user', field: 'upn' }, false, DEFAULTS),
    variable('imei', 'IMEI', { from: 'device', field: 'imei' }),
    variable('model', 'device model', { from: 'device', field: 'model' }),
    variable('sim', 'SIM (ICCID)', { from: 'device', field: 'iccid' }),
    variable('phnumber', 'phone number, E.164', { from: 'device', field: 'phone' }),
    variable('ou', 'most specific OU of the user\'s DN', { from: 'ldap', field: 'ou' }, true, CE_LDAP),
    variable('cn', 'common name of the user\'s directory entry', { from: 'ldap', field: 'cn' }, true, CE_LDAP),
    variable('dc', 'domain components of the user\'s DN, joined by "."', { from: 'ldap', field: 'dc' }, true, CE_LDAP),
    variable('dn', 'distinguished name of the user\'s directory entry', { from: 'ldap', field: 'dn' }, true, CE_LDAP),
  ],
  customAttributes: {
    supported: true,
    assumption: true,
    evidence: 'ASSUMPTION: IBM\'s MaaS360 documentation: the Cloud Extender supports user custom attribute names in the subject',
  },
  notes: [
    'The default subject of a MaaS360 certificate template is OpenSSL\'s slash form, "/CN=%uname%/emailAddress=%email%"; values are escaped for the form the template is in.',
    'No escape: a "%" followed by a letter starts a parameter; any other "%" is literal (so "%41" is literal, "%A1%" is a parameter).',
  ],
};
