/**
 * The columns of MobileIron's "Add Multiple Devices" CSV file (guide 000, Registering the Device, Figure 2-5:
 * User, Status, Password, Country Code, Mobile Number, Operator, Platform, Owner, Source, First Name, Last Name;
 * the figure's header cells are cut short, the full names follow the single-device form on the same page).
 * The guide shows the headers only; every rule about their values that it does not state is marked
 * ASSUMPTION here, in this one place.
 */
import type { Ownership, Platform, UserSource } from './model.js';

export type CsvColumnKey =
  | 'user'
  | 'status'
  | 'password'
  | 'countryCode'
  | 'mobileNumber'
  | 'operator'
  | 'platform'
  | 'owner'
  | 'source'
  | 'firstName'
  | 'lastName';

export interface CsvColumn {
  key: CsvColumnKey;
  /** The header as the product writes it. Matched case-insensitively, runs of spaces as one. */
  header: string;
  /** Whether a file without this column is refused. */
  required: boolean;
  /** Allowed values, matched case-insensitively; absent when free text. */
  allowed?: readonly string[];
  description: string;
  /** What in this column's rules is not in the guide. */
  assumption?: string;
}

export const DEVICE_CSV_COLUMNS: readonly CsvColumn[] = [
  { key: 'user', header: 'User', required: true, description: 'login ID of the device user; an LDAP user must already be in the directory, a local one is created' },
  {
    key: 'status',
    header: 'Status',
    required: false,
    description: 'read and ignored',
    assumption: 'the guide shows the column but not its values; taken as the per-row status the import grid fills in, so any value is accepted and ignored',
  },
  {
    key: 'password',
    header: 'Password',
    required: false,
    description: 'password of a local user created by this row',
    assumption: 'required for a new local user, ignored (with a warning) for an existing user or an LDAP user',
  },
  {
    key: 'countryCode',
    header: 'Country Code',
    required: false,
    description: 'country calling code, 1–3 digits, "+" optional',
    assumption: 'required when Mobile Number is given',
  },
  {
    key: 'mobileNumber',
    header: 'Mobile Number',
    required: false,
    description: 'national number; empty = "This device has no phone number"',
    assumption: 'spaces, dots, dashes and parentheses are dropped; 4–14 digits remain, at most 15 with the country code (E.164)',
  },
  { key: 'operator', header: 'Operator', required: false, description: 'mobile operator, free text' },
  {
    key: 'platform',
    header: 'Platform',
    required: true,
    allowed: ['iOS', 'Android', 'Windows Phone', 'Windows', 'macOS'],
    description: 'device platform',
    assumption: 'the accepted spellings (the guide names the platforms of its era: iOS, Android, Windows Phone)',
  },
  {
    key: 'owner',
    header: 'Owner',
    required: false,
    allowed: ['Company', 'Employee'],
    description: 'Device Owner: Company or Employee (guide 000 single-device form)',
    assumption: 'empty means Company, the form\'s preselected choice',
  },
  {
    key: 'source',
    header: 'Source',
    required: false,
    allowed: ['Local', 'LDAP'],
    description: 'where the user comes from',
    assumption: 'the values Local and LDAP; empty means the existing user\'s source, or Local for a new user',
  },
  {
    key: 'firstName',
    header: 'First Name',
    required: false,
    description: 'first name of a local user created by this row',
    assumption: 'required (with Last Name) for a new local user',
  },
  { key: 'lastName', header: 'Last Name', required: false, description: 'last name of a local user created by this row', assumption: 'see First Name' },
];

/** Header text as compared: lower case, spaces collapsed. */
export function normaliseHeader(header: string): string {
  return header.trim().replace(/\s+/g, ' ').toLowerCase();
}

const PLATFORM_VALUES: Record<string, Platform> = {
  ios: 'ios',
  android: 'android',
  'windows phone': 'windows',
  windows: 'windows',
  macos: 'macos',
};

export function parsePlatform(value: string): Platform | undefined {
  return PLATFORM_VALUES[normaliseHeader(value)];
}

export function parseOwner(value: string): Ownership | undefined {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'company') return 'company';
  return v === 'employee' ? 'employee' : undefined;
}

/** '' when the column is empty (the caller decides the default). */
export function parseSource(value: string): UserSource | '' | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return '';
  return v === 'local' ? 'local' : v === 'ldap' ? 'ldap' : undefined;
}
