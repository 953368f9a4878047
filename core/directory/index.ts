/**
 * core/directory: the MDM's users, devices, labels and groups, in memory, with a JSON snapshot for a Store.
 *
 * Public API
 *   class Directory(options?: { newDeviceId?: () => string })
 *     users:   addUser(UserInput): User · getUser(id) · requireUser(id) · listUsers() · updateUser(id, UserPatch)
 *              removeUser(id) (refused while the user has devices) · setPassword(id, pw) · verifyPassword(id, pw): boolean
 *              hasPassword(id)
 *     devices: addDevice(DeviceInput): Device (id generated when absent; status 'pending', ownership 'company' by default)
 *              getDevice(id) · requireDevice(id) · listDevices({userId?, platform?, label?}) · updateDevice(id, DevicePatch)
 *              (null removes an optional field) · removeDevice(id) · findDevice({serialNumber|udid|imei|meid})
 *     labels (on devices): addLabel(name, description?) · getLabel · requireLabel · listLabels · removeLabel
 *              applyLabel(name, deviceId) · removeLabelFrom(name, deviceId) · labelsOf(deviceId): string[]
 *     groups (of users): addGroup(name, description?) · getGroup · requireGroup · listGroups · removeGroup
 *              addToGroup(name, userId) · removeFromGroup(name, userId) · groupsOf(userId): string[]
 *     subscribe((DirectoryEvent) => void): unsubscribe — called after every change
 *     snapshot(): DirectorySnapshot (plain JSON) · static restore(snapshot: unknown, options?): Directory
 *   Records (User = LocalUser | LdapUser, Device, Label, Group) are frozen. A user's `source` ('local' | 'ldap')
 *   decides which template variables exist for it (core/templates); LDAP users carry `ldap: {dn, cn, sAMAccountName,
 *   realm, attributes}` (cn filled from the DN). displayName defaults to "First Last".
 *   Errors: DirectoryError {code: 'not_found' | 'already_exists' | 'invalid_input' | 'in_use' | 'invalid_snapshot',
 *   entity, id, issues: {path, message}[]} — bad input reports every problem with its path.
 *
 *   importDevicesCsv(directory, csvText, {partial?}): CsvImportResult {rows, applied, devices, users, errors,
 *   warnings, rejectedLines} — MobileIron "Add Multiple Devices" CSV (DEVICE_CSV_COLUMNS); every problem
 *   {line, column?, value?, code, message}; all-or-nothing unless partial.
 *
 *   Identifiers: isValidImei, makeImei(first14), luhnCheckDigit, isValidUdid, isValidSerialNumber, PhoneNumber,
 *   parseCountryCode, parseNationalNumber, formatE164, isValidPhone.
 */
export { Directory, type DeviceFilter, type DirectoryEvent, type DirectoryListener, type DirectoryOptions } from './directory.js';
export { DirectoryError, type DirectoryEntity, type DirectoryErrorCode, type DirectoryIssue } from './errors.js';
export {
  type Device,
  type DeviceInput,
  type DevicePatch,
  type DeviceStatus,
  type Group,
  type Label,
  type LdapAttributes,
  type LdapUser,
  type LocalUser,
  type Ownership,
  type Platform,
  PLATFORMS,
  type User,
  type UserInput,
  type UserPatch,
  type UserSource,
} from './model.js';
export { type DirectorySnapshot, SNAPSHOT_FORMAT } from './snapshot.js';
export { type CsvColumn, type CsvColumnKey, DEVICE_CSV_COLUMNS } from './csv-columns.js';
export { type CsvImportOptions, type CsvImportResult, type CsvProblem, type CsvProblemCode, importDevicesCsv } from './csv-import.js';
export {
  formatE164,
  isValidImei,
  isValidPhone,
  isValidSerialNumber,
  isValidUdid,
  luhnCheckDigit,
  makeImei,
  parseCountryCode,
  parseNationalNumber,
  type PhoneNumber,
} from './identifiers.js';
