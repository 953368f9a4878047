/**
 * What a template variable is: its name in one dialect, where its value comes from (a user field, a device
 * field, an LDAP attribute), whether it needs an LDAP-sourced user, and whether the guides confirm it.
 * The tables themselves are data, one file per dialect under tables/.
 */

/** The three placeholder syntaxes: MobileIron ${var}, Workspace ONE {Var}, MaaS360 %var%. */
export type Dialect = 'mobileiron' | 'workspace-one' | 'maas360';

export type Product = 'mobileiron-core' | 'mobileiron-cloud' | 'workspace-one' | 'maas360';

export const PRODUCT_DIALECT: Readonly<Record<Product, Dialect>> = {
  'mobileiron-core': 'mobileiron',
  'mobileiron-cloud': 'mobileiron',
  'workspace-one': 'workspace-one',
  maas360: 'maas360',
};

/** Where a substituted value goes: into a DN attribute value (escaped), or as text (SAN, e-mail; not escaped). */
export type Target = 'dn' | 'text';

export type UserField = 'id' | 'firstName' | 'lastName' | 'displayName' | 'email' | 'upn' | 'phone' | 'locale' | 'domain';
export type DeviceField =
  | 'id'
  | 'udid'
  | 'serialNumber'
  | 'imei'
  | 'meid'
  | 'iccid'
  | 'phone'
  | 'model'
  | 'name'
  | 'platform'
  | 'osVersion'
  | 'wifiMac'
  | 'ownership';
/** Values of an LDAP entry: cn, the DN itself, or the DN's most specific OU / its DCs joined by '.'. */
export type LdapField = 'dn' | 'cn' | 'ou' | 'dc' | 'sAMAccountName' | 'realm';

export type VariableSource =
  /** `part` takes the text before ('local') or after ('domain') the last '@'. */
  | { from: 'user'; field: UserField; part?: 'local' | 'domain' }
  | { from: 'ldap'; field: LdapField }
  | { from: 'ldap-attribute'; attribute: string }
  | { from: 'device'; field: DeviceField };

export interface VariableDefinition {
  /** The name as written between the dialect's delimiters (case-sensitive). */
  readonly name: string;
  readonly description: string;
  readonly source: VariableSource;
  /** Exists only for LDAP-sourced users (MobileIron Cloud ${userCN}, guide 001). */
  readonly needsLdap: boolean;
  /** True when neither the guides (../shared/seeds) nor ../shared/reference confirm the entry. */
  readonly assumption: boolean;
  /** The guide passage that confirms it, or what the assumption rests on. */
  readonly evidence: string;
  /** The guide's fix when the variable cannot be used (shown by validateTemplate and mdmca doctor). */
  readonly fix?: string;
}

export interface DialectTable {
  readonly dialect: Dialect;
  readonly products: readonly Product[];
  /** How a placeholder is written, e.g. "${name}". */
  readonly syntax: string;
  readonly variables: readonly VariableDefinition[];
  /** Whether administrator-defined custom attributes (user, then device) are variables by their own name. */
  readonly customAttributes: { readonly supported: boolean; readonly assumption: boolean; readonly evidence: string };
  /** Facts about the dialect as a whole that rest on assumptions (one place, reported with the table). */
  readonly notes: readonly string[];
}
