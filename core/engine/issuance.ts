/**
 * Issuing through a connector and writing the certificate log: certificates whose key the MDM makes and keeps
 * ("cache locally generated keys", guide 000; delivered as PKCS#12), test certificates ("Issue Test Certificate",
 * guide 000), and the log entries of failures with the product's text.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { type CaConnector, ConnectorError, type IssuedCredential } from '../connectors/types.js';
import type { Device, User } from '../directory/model.js';
import { buildCsr } from '../pki/csr.js';
import type { KeySpec } from '../pki/keys.js';
import { TemplateError } from '../templates/errors.js';
import type { CertificateLog, CertificateLogEntry, CertificateSource, LoggedError, NewLogEntry } from './cert-log.js';
import type { Configurations } from './configurations.js';
import type { IdentityConfigurationSpec, StoredConfiguration } from './model.js';
import { buildRequestData, type RequestData } from './request-data.js';

export type IdentityConfiguration = Extract<StoredConfiguration, { kind: 'identity' }>;

/**
 * ASSUMPTION: the identity a test certificate is issued for. Guide 000 Figure 2-6 shows the test certificate's
 * log line with user "misys_ano…" and e-mail anonymous@mobileiron.com.
 */
export const TEST_CERTIFICATE_USER: User = Object.freeze({
  id: 'misys_anonymous',
  source: 'local',
  firstName: 'Anonymous',
  lastName: 'Test',
  displayName: 'anonymous',
  email: 'anonymous@mobileiron.com',
}) as User;

export interface IssuanceOptions {
  configurations: Configurations;
  log: CertificateLog;
  clock: Clock;
  keyFactory: (spec: KeySpec) => Promise<KeyObject>;
}

export interface IssuedWithKey {
  entry: CertificateLogEntry;
  credential: IssuedCredential & { privateKey: KeyObject };
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function keySpecOf(configuration: IdentityConfigurationSpec): KeySpec {
  return { type: 'rsa', bits: configuration.keySize };
}

export function loggedError(error: unknown): LoggedError {
  if (error instanceof TemplateError || error instanceof ConnectorError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.detail !== undefined ? { detail: error.detail } : {}),
      ...(error.fix !== undefined ? { fix: error.fix } : {}),
      assumption: error.assumption,
    };
  }
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    const { code, message } = error as { code?: unknown; message: string };
    return { code: typeof code === 'string' ? code : 'error', message, assumption: false };
  }
  return { code: 'error', message: String(error), assumption: false };
}

export class Issuance {
  constructor(private readonly options: IssuanceOptions) {}

  /** The log columns of a user, device and configuration. */
  entryBase(configuration: IdentityConfiguration, user: User, device: Device | undefined, source: CertificateSource, test = false): Omit<NewLogEntry, 'status'> {
    return {
      source,
      test,
      userId: user.id,
      ...(user.firstName !== undefined ? { firstName: user.firstName } : {}),
      ...(user.lastName !== undefined ? { lastName: user.lastName } : {}),
      ...(user.email !== undefined ? { email: user.email } : {}),
      ...(device?.phone ? { phone: `+${device.phone.countryCode}${device.phone.number}` } : user.phone ? { phone: user.phone } : {}),
      ...(device ? { deviceId: device.id } : {}),
      configurationId: configuration.id,
      settingName: configuration.name,
      certificateType: configuration.certificateType,
      caId: configuration.caId,
    };
  }

  /** The request data, or a failed log entry (once per device and text) and the error. */
  requestData(configuration: IdentityConfiguration, user: User, device: Device | undefined, source: CertificateSource, test = false): RequestData {
    try {
      return buildRequestData(configuration, this.options.configurations.productOf(configuration), user, device);
    } catch (error) {
      this.logFailure(configuration, user, device, source, error, test);
      throw error;
    }
  }

  logFailure(configuration: IdentityConfiguration, user: User, device: Device | undefined, source: CertificateSource, error: unknown, test = false): CertificateLogEntry {
    const logged = loggedError(error);
    const existing = test ? undefined : this.options.log.findFailure(configuration.id, device?.id, logged.message);
    if (existing) return this.options.log.update(existing.id, { error: logged })!;
    return this.options.log.record({ ...this.entryBase(configuration, user, device, source, test), status: 'failed', error: logged });
  }

  /** Logs an issued certificate. */
  logIssued(
    configuration: IdentityConfiguration,
    user: User,
    device: Device | undefined,
    source: CertificateSource,
    credential: IssuedCredential,
    extra: Partial<NewLogEntry> = {},
  ): CertificateLogEntry {
    return this.options.log.record({
      ...this.entryBase(configuration, user, device, source, extra.test ?? false),
      status: 'issued',
      serialHex: credential.serialHex,
      subject: credential.subject,
      notBefore: credential.notBefore.toISOString(),
      notAfter: credential.notAfter.toISOString(),
      der: base64(credential.certificate),
      ...extra,
    });
  }

  /** A certificate whose key the MDM makes (the CA's own key generation when it has one). */
  async issueWithKey(
    configuration: IdentityConfiguration,
    user: User,
    device: Device | undefined,
    source: 'pkcs12' | 'test',
    extra: Partial<NewLogEntry> = {},
  ): Promise<IssuedWithKey> {
    const test = source === 'test';
    const data = this.requestData(configuration, user, device, source, test);
    let connector: CaConnector;
    let credential: IssuedCredential;
    try {
      connector = this.options.configurations.connector(configuration.caId);
      const request = {
        subject: data.subject,
        subjectAltNames: data.subjectAltNames,
        profile: {
          certificateType: configuration.certificateType,
          ...(configuration.validityDays !== undefined ? { validityDays: configuration.validityDays } : {}),
          params: data.params,
          fields: data.fields,
        },
      };
      if (connector.capabilities.serverGeneratedKey) {
        credential = await connector.enroll({ ...request, key: { serverGeneratedKey: { keySpec: keySpecOf(configuration) } } });
      } else {
        const privateKey = await this.options.keyFactory(keySpecOf(configuration));
        const csr = await buildCsr({ subject: data.subject, privateKey, ...(data.subjectAltNames.length ? { subjectAltNames: data.subjectAltNames } : {}) });
        credential = { ...(await connector.enroll({ ...request, key: { csr } })), privateKey };
      }
      if (!credential.privateKey) throw new ConnectorError('bad-response', 'The CA returned no private key for a server-generated key request');
    } catch (error) {
      this.logFailure(configuration, user, device, source, error, test);
      throw error;
    }
    const entry = this.logIssued(configuration, user, device, source, credential, { ...extra, test, escrowed: source === 'pkcs12' });
    return { entry, credential: credential as IssuedCredential & { privateKey: KeyObject } };
  }
}
