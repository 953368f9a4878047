/**
 * An Android configuration as the MDM engine serves it (core/engine/http/DEVICE-API.md): `scep` (the device makes the
 * key and enrolls), `pkcs12` (the server made the key; base64 PFX, password, modern or legacy encryption) or
 * `root` (a CA certificate to trust). Validated with every problem reported by path.
 */
import { z } from 'zod';
import type { GeneralNameEntry } from '../../../core/pki/general-names.js';
import { AndroidAgentError } from './errors.js';

/** SAN types as the engine may write them: our GeneralNameType names or the X.509 / Apple ones. */
const SAN_TYPES: Record<string, GeneralNameEntry['type']> = {
  email: 'email',
  rfc822Name: 'email',
  dns: 'dns',
  dNSName: 'dns',
  uri: 'uri',
  uniformResourceIdentifier: 'uri',
  upn: 'upn',
  ntPrincipalName: 'upn',
  userPrincipalName: 'upn',
  ip: 'ip',
  iPAddress: 'ip',
};

const base64 = z.string().regex(/^[A-Za-z0-9+/=\s]+$/, 'must be base64');
const common = { id: z.string().min(1), name: z.string(), version: z.union([z.string(), z.number()]).transform(String) };

const ScepConfiguration = z.object({
  ...common,
  type: z.literal('scep'),
  alias: z.string().min(1),
  scep: z.object({
    url: z.string().url(),
    challenge: z.string().optional(),
    /** RFC 4514. */
    subject: z.string(),
    subjectAltNames: z
      .array(z.object({ type: z.string().refine((t) => t in SAN_TYPES, 'unknown SAN type'), value: z.string().min(1) }))
      .default([])
      .transform((list) => list.map((san): GeneralNameEntry => ({ type: SAN_TYPES[san.type]!, value: san.value }))),
    keyType: z.string().transform((t) => t.toLowerCase()).pipe(z.literal('rsa')).default('rsa'),
    keySize: z.union([z.literal(1024), z.literal(2048), z.literal(3072), z.literal(4096)]).default(2048),
  }),
});

const Pkcs12Configuration = z.object({
  ...common,
  type: z.literal('pkcs12'),
  alias: z.string().min(1),
  pkcs12: base64,
  password: z.string(),
  form: z.enum(['modern', 'legacy']),
});

const RootConfiguration = z.object({
  ...common,
  type: z.literal('root'),
  alias: z.string().min(1).optional(),
  certificate: base64,
});

export const AndroidConfigurationSchema = z.discriminatedUnion('type', [ScepConfiguration, Pkcs12Configuration, RootConfiguration]);
export type AndroidConfiguration = z.infer<typeof AndroidConfigurationSchema>;
export type AndroidScepConfiguration = z.infer<typeof ScepConfiguration>;
export type AndroidPkcs12Configuration = z.infer<typeof Pkcs12Configuration>;
export type AndroidRootConfiguration = z.infer<typeof RootConfiguration>;

/** Parses a configuration body; AndroidAgentError 'badConfiguration' naming every problem. */
export function parseAndroidConfiguration(body: Uint8Array | string): AndroidConfiguration {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new AndroidAgentError('badConfiguration', { reason: 'the body is not JSON' }, { cause: error });
  }
  const result = AndroidConfigurationSchema.safeParse(json);
  if (!result.success) {
    const reason = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new AndroidAgentError('badConfiguration', { reason });
  }
  return result.data;
}
