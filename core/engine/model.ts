/**
 * The engine's configuration model, as the MDM consoles of the guides present it: CA configurations
 * (core/connectors/settings.ts), identity-certificate configurations (guide 001 "Configure an Identity
 * Certificate", guide 000 "SCEP settings", guide 004 "Request Templates") and CA-certificate (root) configurations,
 * each with a distribution (guide 001 "Distribution Setting": All / No Devices / Custom). The same schemas check the
 * admin API's bodies and the integration configuration files `mdmca doctor` reads.
 */
import { z } from 'zod';
import { caSettingsSchema } from '../connectors/settings.js';
import type { Product } from '../templates/model.js';

export const PRODUCTS = ['mobileiron-core', 'mobileiron-cloud', 'workspace-one', 'maas360'] as const satisfies readonly Product[];
export const productSchema = z.enum(PRODUCTS);

const name = z.string().trim().min(1).max(128);
const template = z.string().min(1).max(1024);

/** guide 001: All Devices, No Devices (stage for later), Custom (device groups); guide 000: labels. */
export const distributionSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('all') }).strict(),
  z.object({ mode: z.literal('none') }).strict(),
  z
    .object({
      mode: z.literal('custom'),
      /** User groups: a device is in when its user is. */
      groups: z.array(name).max(100).default([]),
      /** Device labels. */
      labels: z.array(name).max(100).default([]),
    })
    .strict(),
]);
export type Distribution = z.output<typeof distributionSchema>;

export const sanTypeSchema = z.enum(['email', 'dns', 'uri', 'upn']);

export const identityConfigurationSchema = z
  .object({
    kind: z.literal('identity'),
    name,
    description: z.string().max(1024).optional(),
    /** Whose dialect and texts the templates use; default: the engine's product. */
    product: productSchema.optional(),
    /** The CA configuration, by name or id ("Source", guide 001). */
    ca: name,
    /** guide 000: a user certificate is shared by the user's devices; a device certificate is bound to one device. */
    certificateType: z.enum(['user', 'device']).default('user'),
    /** Subject DN template in the product's dialect (guide 001: default ${userCN}). */
    subject: template,
    subjectAltNames: z.array(z.object({ type: sanTypeSchema, value: template }).strict()).max(20).default([]),
    /** guide 001 "Email": an rfc822Name SAN; leave out when not needed. */
    email: template.optional(),
    keyType: z.literal('rsa').default('rsa'),
    keySize: z.union([z.literal(1024), z.literal(2048), z.literal(3072), z.literal(4096)]).default(2048),
    /** guide 000 "Enable Proxy": devices enrol by SCEP through the MDM; off = at the CA's own SCEP URL. */
    enableProxy: z.boolean().default(true),
    /** guide 000 "Cache locally generated keys": the MDM makes and keeps the key and delivers a PKCS#12. */
    cacheLocallyGeneratedKeys: z.boolean().default(false),
    /** PKCS#12 encryption: 'legacy' (3DES/SHA-1) for older devices. */
    pkcs12Form: z.enum(['modern', 'legacy']).default('modern'),
    /** guide 001 "Certificate Expiration"; a SCEP CA decides validity itself. */
    validityDays: z.number().int().min(1).max(3650).optional(),
    /** guide 004 "Automatic Certificate Renewal" and "Auto Renewal Period (days)". */
    autoRenewal: z.object({ enabled: z.boolean().default(true), daysBeforeExpiry: z.number().int().min(1).max(3650) }).strict().optional(),
    distribution: distributionSchema,
    /** guide 000: issue a test certificate when the setting is saved; each one may be charged. */
    issueTestCertificate: z.boolean().default(false),
    /** Fixed CA parameters: GlobalSign profileId / productCode, Symantec profileOid, OpenTrust profileName. */
    caParams: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), z.string().max(1024)).default({}),
    /** Templated request fields: Symantec Required/Optional Fields (seatId, …), OpenTrust Mandatory Fields lookup values. */
    fields: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), template).default({}),
  })
  .strict();

export const rootConfigurationSchema = z
  .object({
    kind: z.literal('root'),
    name,
    description: z.string().max(1024).optional(),
    /** The CA whose certificate is delivered. */
    ca: name,
    distribution: distributionSchema,
  })
  .strict();

/** A configuration; `kind` defaults to 'identity'. */
export const configurationSchema = z.preprocess(
  (value) => (value && typeof value === 'object' && !Array.isArray(value) && !('kind' in value) ? { kind: 'identity', ...value } : value),
  z.discriminatedUnion('kind', [identityConfigurationSchema, rootConfigurationSchema]),
);

export type IdentityConfigurationSpec = z.output<typeof identityConfigurationSchema>;
export type RootConfigurationSpec = z.output<typeof rootConfigurationSchema>;
export type ConfigurationSpec = z.output<typeof configurationSchema>;
export type ConfigurationInput = z.input<typeof identityConfigurationSchema> | z.input<typeof rootConfigurationSchema>;

/** What the admin API accepts for a CA configuration: the CA settings. */
export const caConfigurationSchema = caSettingsSchema;

/** A configuration as stored: the spec plus identity and bookkeeping. */
export type StoredConfiguration = ConfigurationSpec & {
  id: string;
  /** The CA configuration's id (the spec's `ca` resolved). */
  caId: string;
  /** Increases with every change; devices see it in their configuration list. */
  version: number;
  createdAt: string;
  updatedAt: string;
};

/** How a configuration reaches a device. */
export type DeliveryType = 'scep' | 'pkcs12' | 'root';

export function deliveryTypeOf(configuration: ConfigurationSpec): DeliveryType {
  if (configuration.kind === 'root') return 'root';
  return configuration.cacheLocallyGeneratedKeys ? 'pkcs12' : 'scep';
}

/** The integration configuration file that `mdmca doctor` checks (YAML or JSON). */
export const integrationConfigSchema = z
  .object({
    /** Which MDM product the configuration is for. */
    product: productSchema,
    description: z.string().max(4096).optional(),
    directory: z
      .object({
        /** Whether users come from LDAP (decides which template variables exist, guide 001). */
        ldap: z.boolean().optional(),
        groups: z.array(name).optional(),
        labels: z.array(name).optional(),
      })
      .strict()
      .optional(),
    certificateAuthorities: z.array(caSettingsSchema).min(1),
    configurations: z.array(configurationSchema).default([]),
  })
  .strict();

export type IntegrationConfig = z.output<typeof integrationConfigSchema>;
