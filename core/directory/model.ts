/**
 * The records the directory keeps, and the schemas that check them on the way in (create, update, snapshot
 * restore). A user is local or LDAP-sourced; the source decides which template variables exist for that user
 * (MobileIron Cloud's ${userCN} only for LDAP users, guide 001). Records handed out are frozen.
 */
import { z } from 'zod';
import { DistinguishedName } from '../pki/names.js';
import { isValidImei, isValidPhone, isValidSerialNumber, isValidUdid, type PhoneNumber } from './identifiers.js';

export type UserSource = 'local' | 'ldap';
export type Platform = 'ios' | 'android' | 'windows' | 'macos';
export type Ownership = 'company' | 'employee';
/** pending: added, not yet registered by the device; active: registered; retired: unenrolled. */
export type DeviceStatus = 'pending' | 'active' | 'retired';

export const PLATFORMS: readonly Platform[] = ['ios', 'android', 'windows', 'macos'];

/** What an LDAP (or Active Directory) entry contributes beyond the common user fields. */
export interface LdapAttributes {
  /** The entry's distinguished name, RFC 4514. */
  readonly dn: string;
  /** commonName; filled from the most specific CN of `dn` when not given. */
  readonly cn?: string;
  readonly sAMAccountName?: string;
  /** Kerberos realm (Active Directory), e.g. "EXAMPLE.COM". */
  readonly realm?: string;
  /** Any other attribute by its LDAP name (department, employeeID, …). */
  readonly attributes?: Readonly<Record<string, string>>;
}

interface UserBase {
  /** The login ID: MobileIron's "User" column, Workspace ONE's enrollment user, MaaS360's username. */
  readonly id: string;
  readonly firstName?: string;
  readonly lastName?: string;
  /** Defaults to "First Last" when both names are given. */
  readonly displayName?: string;
  readonly email?: string;
  /** userPrincipalName ("user@example.com"). */
  readonly upn?: string;
  readonly phone?: string;
  readonly locale?: string;
  /** The user's domain (Active Directory domain, or the MaaS360 user domain). */
  readonly domain?: string;
  /** Administrator-defined attributes (MobileIron Cloud custom attributes, MaaS360 user custom attributes). */
  readonly customAttributes?: Readonly<Record<string, string>>;
}

export interface LocalUser extends UserBase {
  readonly source: 'local';
}
export interface LdapUser extends UserBase {
  readonly source: 'ldap';
  readonly ldap: LdapAttributes;
}
export type User = LocalUser | LdapUser;

export interface Device {
  /** The MDM's own identifier for the device (a UUID; MobileIron's ${deviceUUID}, MaaS360's CSN). */
  readonly id: string;
  readonly userId: string;
  readonly platform: Platform;
  readonly ownership: Ownership;
  readonly status: DeviceStatus;
  readonly serialNumber?: string;
  /** Apple devices. */
  readonly udid?: string;
  /** Devices with a cellular modem. */
  readonly imei?: string;
  readonly meid?: string;
  /** SIM card ICCID. */
  readonly iccid?: string;
  /** Absent: "This device has no phone number" (guide 000, Registering the Device). */
  readonly phone?: PhoneNumber;
  readonly operator?: string;
  readonly model?: string;
  /** The device name the user or the MDM gave it. */
  readonly name?: string;
  readonly osVersion?: string;
  readonly wifiMac?: string;
  readonly customAttributes?: Readonly<Record<string, string>>;
}

export interface Label {
  readonly name: string;
  readonly description?: string;
  /** Device IDs, in the order they were labelled. */
  readonly deviceIds: readonly string[];
}

export interface Group {
  readonly name: string;
  readonly description?: string;
  /** User IDs, in the order they were added. */
  readonly userIds: readonly string[];
}

// ---- schemas -------------------------------------------------------------------------------------------

const NO_CONTROLS = /^[^\x00-\x1f\x7f]*$/;
const text = (max = 256) => z.string().min(1).max(max).regex(NO_CONTROLS, { message: 'must not contain control characters' });
const attributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { message: 'an attribute name is a letter, then letters, digits, "_", "." or "-"' });
const attributeMap = z.record(attributeName, z.string().max(1024));
const mailbox = z.string().max(320).regex(/^[^\s@]+@[^\s@]+$/, { message: 'expected "local@domain"' });

export const userIdSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s\x00-\x1f\x7f]+$/, { message: 'must not contain spaces or control characters' });

const dnSchema = z
  .string()
  .min(1)
  .max(1024)
  .superRefine((value, ctx) => {
    try {
      if (DistinguishedName.parse(value).isEmpty) ctx.addIssue({ code: 'custom', message: 'an empty DN' });
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not an RFC 4514 DN: ${(e as Error).message}` });
    }
  });

export const ldapAttributesSchema = z
  .object({
    dn: dnSchema,
    cn: text().optional(),
    sAMAccountName: z.string().regex(/^[^"/\\[\]:;|=,+*?<>@\s]{1,64}$/, { message: 'not a valid sAMAccountName' }).optional(),
    realm: text().optional(),
    attributes: attributeMap.optional(),
  })
  .strict();

const userFields = {
  id: userIdSchema,
  firstName: text().optional(),
  lastName: text().optional(),
  displayName: text().optional(),
  email: mailbox.optional(),
  upn: mailbox.optional(),
  phone: z.string().regex(/^\+?[0-9][0-9 ().-]{3,30}$/, { message: 'not a phone number' }).optional(),
  locale: z.string().regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$/, { message: 'not a locale (e.g. en_US)' }).optional(),
  domain: text().optional(),
  customAttributes: attributeMap.optional(),
};

export const userSchema = z.discriminatedUnion('source', [
  z.object({ ...userFields, source: z.literal('local') }).strict(),
  z.object({ ...userFields, source: z.literal('ldap'), ldap: ldapAttributesSchema }).strict(),
]);

/** What addUser accepts: a user, plus an optional password (kept only as a hash). */
export const userInputSchema = z.discriminatedUnion('source', [
  z.object({ ...userFields, source: z.literal('local'), password: z.string().min(1).max(1024).optional() }).strict(),
  z
    .object({ ...userFields, source: z.literal('ldap'), ldap: ldapAttributesSchema, password: z.string().min(1).max(1024).optional() })
    .strict(),
]);
export type UserInput = z.input<typeof userInputSchema>;

/** The fields updateUser may change (not the id, not the source). */
export const userPatchSchema = z
  .object({
    firstName: userFields.firstName,
    lastName: userFields.lastName,
    displayName: userFields.displayName,
    email: userFields.email,
    upn: userFields.upn,
    phone: userFields.phone,
    locale: userFields.locale,
    domain: userFields.domain,
    customAttributes: userFields.customAttributes,
    ldap: ldapAttributesSchema.optional(),
  })
  .strict();
export type UserPatch = z.input<typeof userPatchSchema>;

const phoneSchema = z
  .object({ countryCode: z.string(), number: z.string() })
  .strict()
  .refine(isValidPhone, { message: 'a country code of 1–3 digits and a number of 4–14 digits, 15 digits at most in all' });

const deviceRequired = {
  userId: userIdSchema,
  platform: z.enum(['ios', 'android', 'windows', 'macos']),
  ownership: z.enum(['company', 'employee']),
  status: z.enum(['pending', 'active', 'retired']),
};

const deviceOptional = {
  serialNumber: z.string().refine(isValidSerialNumber, { message: 'not a serial number (4–40 letters, digits, "-")' }),
  udid: z.string().refine(isValidUdid, { message: 'not a UDID (40 hex digits, 8-16 hex digits, or a UUID)' }),
  imei: z.string().refine(isValidImei, { message: 'not an IMEI (15 digits with a valid Luhn check digit)' }),
  meid: z.string().regex(/^[0-9A-Fa-f]{14}$/, { message: 'not an MEID (14 hex digits)' }),
  iccid: z.string().regex(/^\d{18,22}$/, { message: 'not an ICCID (18–22 digits)' }),
  phone: phoneSchema,
  operator: text(128),
  model: text(128),
  name: text(256),
  osVersion: text(64),
  wifiMac: z.string().regex(/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/, { message: 'not a MAC address (aa:bb:cc:dd:ee:ff)' }),
  customAttributes: attributeMap,
};

type OptionalShape<T extends Record<string, z.ZodType>> = { [K in keyof T]: z.ZodOptional<T[K]> };
type PatchShape<T extends Record<string, z.ZodType>> = { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> };

function mapShape<T extends Record<string, z.ZodType>, R>(shape: T, fn: (s: z.ZodType) => R): { [K in keyof T]: R } {
  return Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, fn(s)])) as { [K in keyof T]: R };
}

const deviceFields = {
  ...deviceRequired,
  ...(mapShape(deviceOptional, (s) => s.optional()) as OptionalShape<typeof deviceOptional>),
};

export const deviceIdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, { message: 'letters, digits, ".", "_", ":" or "-"' });

export const deviceSchema = z.object({ id: deviceIdSchema, ...deviceFields }).strict();

/** What addDevice accepts: the id is generated when absent, status defaults to 'pending', ownership to 'company'. */
export const deviceInputSchema = z
  .object({
    ...deviceFields,
    id: deviceIdSchema.optional(),
    ownership: deviceFields.ownership.default('company'),
    status: deviceFields.status.default('pending'),
  })
  .strict();
export type DeviceInput = z.input<typeof deviceInputSchema>;

/** What updateDevice may change: everything but the id. `null` removes an optional field. */
export const devicePatchSchema = z
  .object({
    ...(mapShape(deviceRequired, (s) => s.optional()) as OptionalShape<typeof deviceRequired>),
    ...(mapShape(deviceOptional, (s) => s.nullable().optional()) as PatchShape<typeof deviceOptional>),
  })
  .strict();
export type DevicePatch = { [K in keyof Omit<Device, 'id'>]?: Device[K] | (undefined extends Device[K] ? null : never) };

export const labelNameSchema = text(128);

export const labelSchema = z
  .object({ name: labelNameSchema, description: z.string().max(1024).optional(), deviceIds: z.array(deviceIdSchema) })
  .strict();
export const groupSchema = z
  .object({ name: labelNameSchema, description: z.string().max(1024).optional(), userIds: z.array(userIdSchema) })
  .strict();

// Compile-time checks that the schemas and the interfaces describe the same records.
type Assert<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type _UserMatches = Assert<Same<z.output<typeof userSchema>['source'], User['source']>>;
export type _DeviceAssignable = Assert<z.output<typeof deviceSchema> extends Device ? true : false>;
