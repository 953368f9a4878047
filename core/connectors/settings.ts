/**
 * CA configurations: what an administrator enters in the MDM console for each kind of CA, field for field as the
 * guides name them. The schemas accept what the consoles accept (a Symantec server with "https://" is a string
 * like any other); the mistakes the guides warn about are explained by `mdmca doctor` from the failure-scenario
 * catalogue, and surface at run time as the product would surface them.
 */
import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

const base = {
  name: z.string().trim().min(1).max(128),
  description: z.string().max(1024).optional(),
};

/** Any RFC 8894 server: micromdm, NDES, EJBCA, the SCEP CA simulator. */
export const scepCaSettingsSchema = z
  .object({
    ...base,
    type: z.literal('scep'),
    /** The SCEP URL, e.g. http://127.0.0.1:8080/scep. */
    url: httpUrl,
    /** The CA's static challenge: put in CSRs the connector makes, and in direct-SCEP profiles. */
    challenge: z.string().min(1).max(255).optional(),
    /** The SCEP "Name" (CA identifier, GetCACert message). */
    caIdentifier: z.string().max(255).optional(),
    /** Accept 3DES and single-DES CertReps (micromdm's scepserver answers with DES). */
    allowLegacyCiphers: z.boolean().default(false),
    /**
     * How the SCEP proxy authenticates a device's CSR (which carries the MDM's challenge, not the CA's) to the CA:
     * 'ca-certificate' signs the forwarded PKCSReq with a certificate the connector enrolled once from the same CA
     * (RFC 8894 §2.3: a request signed by an existing certificate of the CA); 'challenge' forwards it signed by a
     * self-signed certificate and leaves the challenge check to the CA.
     */
    proxyAuthentication: z.enum(['ca-certificate', 'challenge']).default('ca-certificate'),
    /**
     * ASSUMPTION: SCEP has no revocation; a CA that offers it elsewhere can name a JSON endpoint here, used as
     * POST <revocationUrl>/<serial>/revoke {reason} and GET <revocationUrl>/<serial> (the mdmca simulators'
     * admin form, /__mdmca/<ca>/certificates).
     */
    revocationUrl: httpUrl.optional(),
    /** Per HTTP exchange. */
    timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
    /** CertPolls while the CA answers PENDING. */
    poll: z
      .object({ intervalMs: z.number().int().min(0).max(60_000), maxAttempts: z.number().int().min(0).max(100) })
      .strict()
      .default({ intervalMs: 1000, maxAttempts: 0 }),
  })
  .strict();

/** GlobalSign EPKI on MobileIron Cloud (guide 001, "Adding GlobalSign as a Certificate Authority"). */
export const globalSignCaSettingsSchema = z
  .object({
    ...base,
    type: z.literal('globalsign-epki'),
    /** "Enter URL": https://system.globalsign.com/cr/ws/GasOrderService. */
    url: z.string().min(1),
    /** "Enter Username": the UserID, CorporateID_username (e.g. PAR12345_UserID). */
    username: z.string().min(1),
    password: z.string().min(1),
  })
  .strict();

/** Symantec Web Services Managed PKI on MobileIron VSP (guide 000, Table 2-1). */
export const symantecCaSettingsSchema = z
  .object({
    ...base,
    type: z.literal('symantec-mpki'),
    /** "Server": host name only; default pki-ws.symauth.com. */
    server: z.string().min(1).default('pki-ws.symauth.com'),
    /** "Certificate": the RA certificate (.p12), as a file path or base64. */
    raCertificate: z.string().min(1),
    raCertificatePassword: z.string().min(1),
  })
  .strict();

/** OpenTrust CMS Mobile on Workspace ONE UEM (guide 004, Step 5). */
export const openTrustCaSettingsSchema = z
  .object({
    ...base,
    type: z.literal('opentrust-cms'),
    /** "Server URL": https://FQDN/connector/mdm.cgi. */
    serverUrl: z.string().min(1),
    protocol: z.enum(['PKI', 'SCEP']).default('PKI'),
    /** The "CMS JSON connector" identity (.p12), as a file path or base64. */
    certificate: z.string().min(1),
    certificatePassword: z.string().min(1),
  })
  .strict();

export const caSettingsSchema = z.discriminatedUnion('type', [
  scepCaSettingsSchema,
  globalSignCaSettingsSchema,
  symantecCaSettingsSchema,
  openTrustCaSettingsSchema,
]);

export type ScepCaSettings = z.output<typeof scepCaSettingsSchema>;
export type GlobalSignCaSettings = z.output<typeof globalSignCaSettingsSchema>;
export type SymantecCaSettings = z.output<typeof symantecCaSettingsSchema>;
export type OpenTrustCaSettings = z.output<typeof openTrustCaSettingsSchema>;
export type CaSettings = z.output<typeof caSettingsSchema>;
export type CaSettingsInput = z.input<typeof caSettingsSchema>;
export type CaType = CaSettings['type'];
export const CA_TYPES: readonly CaType[] = ['scep', 'globalsign-epki', 'symantec-mpki', 'opentrust-cms'];
