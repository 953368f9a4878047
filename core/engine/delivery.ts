/**
 * What each device gets: the configurations distributed to it (with a version that moves when the configuration
 * changes or its certificate is renewed or removed), and for one configuration the payload — a SCEP request
 * (through the MDM's proxy with a one-time challenge, or at the CA directly), a PKCS#12 whose key the MDM made
 * and keeps, or a CA certificate. The device reports back whether it installed it.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Directory } from '../directory/directory.js';
import type { Device, User } from '../directory/model.js';
import type { GeneralNameEntry } from '../pki/general-names.js';
import { importPrivateKey, privateKeyToPem } from '../pki/keys.js';
import { buildPkcs12 } from '../pki/pkcs12.js';
import { DEFAULT_CHALLENGE_TTL_SECONDS } from '../scep/policy-challenge.js';
import type { CertificateLog } from './cert-log.js';
import type { Configurations } from './configurations.js';
import { isDistributedTo } from './distribution.js';
import { EngineError, notFound } from './errors.js';
import type { IdentityConfiguration, Issuance } from './issuance.js';
import { deliveryTypeOf, type DeliveryType, type StoredConfiguration } from './model.js';
import { type EngineState, type EscrowRecord, sha256Hex } from './state.js';

export type RootConfiguration = Extract<StoredConfiguration, { kind: 'root' }>;

export interface ConfigurationSummary {
  id: string;
  name: string;
  type: DeliveryType;
  version: number;
}

interface PayloadBase {
  id: string;
  name: string;
  version: number;
}

export type DevicePayload =
  | (PayloadBase & {
      type: 'scep';
      configuration: IdentityConfiguration;
      url: string;
      challenge?: string;
      caIdentifier: string;
      subject: string;
      subjectAltNames: GeneralNameEntry[];
      keySize: number;
      /** Issuing CA first, then up to the root. */
      caCertificates: Uint8Array[];
      proxied: boolean;
    })
  | (PayloadBase & {
      type: 'pkcs12';
      configuration: IdentityConfiguration;
      pkcs12: Uint8Array;
      password: string;
      form: 'modern' | 'legacy';
      caCertificates: Uint8Array[];
    })
  | (PayloadBase & { type: 'root'; configuration: RootConfiguration; certificate: Uint8Array });

export interface StatusReport {
  status: 'installed' | 'failed';
  certificateSerial?: string;
  error?: string;
}

export interface DeliveryOptions {
  configurations: Configurations;
  directory: Directory;
  state: EngineState;
  log: CertificateLog;
  issuance: Issuance;
  clock: Clock;
  /** One-time SCEP proxy challenge lifetime; default 3600 s (ASSUMPTION: NDES's default, nothing in the guides). */
  challengeTtlSeconds?: number;
}

/** The path of the engine's SCEP proxy for a configuration, under the device API's origin. */
export const proxyPath = (configurationId: string) => `/mdm/scep/${encodeURIComponent(configurationId)}`;

export class Delivery {
  private readonly inFlight = new Map<string, Promise<EscrowRecord>>();

  constructor(private readonly options: DeliveryOptions) {}

  versionOf(configuration: StoredConfiguration, deviceId: string): number {
    return configuration.version + (this.options.state.delivery(deviceId, configuration.id)?.generation ?? 0);
  }

  isDistributed(configuration: StoredConfiguration, device: Device): boolean {
    return isDistributedTo(configuration.distribution, device, this.options.directory);
  }

  listFor(device: Device): ConfigurationSummary[] {
    return this.options.configurations
      .listConfigurations()
      .filter((configuration) => this.isDistributed(configuration, device))
      .map((configuration) => ({ id: configuration.id, name: configuration.name, type: deliveryTypeOf(configuration), version: this.versionOf(configuration, device.id) }));
  }

  /** The configuration when it exists and reaches the device: 404 otherwise, 403 not_distributed when it does not reach it. */
  requireDistributed(device: Device, configurationId: string): StoredConfiguration {
    const configuration = this.options.configurations.findConfiguration(configurationId);
    if (!configuration || configuration.id !== configurationId) throw notFound(`configuration "${configurationId}"`);
    if (!this.isDistributed(configuration, device)) {
      throw new EngineError(403, 'not_distributed', `configuration "${configuration.name}" is not distributed to device ${device.id}`);
    }
    return configuration;
  }

  async payload(device: Device, configurationId: string, origin: string): Promise<DevicePayload> {
    const configuration = this.requireDistributed(device, configurationId);
    const user = this.options.directory.requireUser(device.userId);
    const connector = this.options.configurations.connector(configuration.caId);
    const now = this.options.clock.now();
    const base = { id: configuration.id, name: configuration.name, version: this.versionOf(configuration, device.id) };
    if (configuration.kind === 'root') {
      const chain = await connector.caCertificates();
      this.options.state.putDelivery(device.id, configuration.id, now, { status: 'delivered', deliveredVersion: base.version });
      return { ...base, type: 'root', configuration, certificate: chain[chain.length - 1]! };
    }
    if (configuration.cacheLocallyGeneratedKeys) return this.pkcs12Payload(base, configuration, user, device);
    const source = configuration.enableProxy ? 'scep-proxy' : 'direct-scep';
    const data = this.options.issuance.requestData(configuration, user, device, source);
    const caCertificates = await connector.caCertificates();
    const scep = { ...base, type: 'scep' as const, configuration, subject: data.subject, subjectAltNames: data.subjectAltNames, keySize: configuration.keySize, caCertificates };
    const delivery = this.options.state.delivery(device.id, configuration.id);
    if (!configuration.enableProxy) {
      const direct = connector.directEnrollment?.();
      if (!direct) throw new EngineError(409, 'unsupported', `CA "${configuration.caId}" has no SCEP URL for direct enrolment`);
      this.options.state.putDelivery(device.id, configuration.id, now, { status: 'delivered', deliveredVersion: base.version });
      return {
        ...scep,
        url: direct.url,
        ...(direct.challenge !== undefined ? { challenge: direct.challenge } : {}),
        caIdentifier: direct.caIdentifier ?? configuration.name,
        proxied: false,
      };
    }
    // A fresh one-time challenge per delivery; the previous one of this device and configuration dies.
    const challenge = randomBytes(16).toString('hex').toUpperCase();
    const hash = sha256Hex(challenge);
    const ttl = this.options.challengeTtlSeconds ?? DEFAULT_CHALLENGE_TTL_SECONDS;
    if (delivery?.challengeHash) this.options.state.challenges.delete(delivery.challengeHash);
    this.options.state.challenges.put(hash, {
      deviceId: device.id,
      configurationId: configuration.id,
      generation: delivery?.generation ?? 0,
      subject: data.subject,
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
    });
    this.options.state.putDelivery(device.id, configuration.id, now, { status: 'delivered', deliveredVersion: base.version, challengeHash: hash });
    return { ...scep, url: `${origin}${proxyPath(configuration.id)}`, challenge, caIdentifier: configuration.name, proxied: true };
  }

  report(device: Device, configurationId: string, report: StatusReport): void {
    const configuration = this.options.configurations.findConfiguration(configurationId);
    if (!configuration || configuration.id !== configurationId) throw notFound(`configuration "${configurationId}"`);
    const now = this.options.clock.now();
    const serial = report.certificateSerial?.toLowerCase().replace(/[:\s]/g, '');
    const patch = {
      status: report.status,
      ...(serial ? { certificateSerial: serial } : {}),
      ...(report.error !== undefined ? { error: report.error } : {}),
    };
    let entryId: string | undefined;
    if (configuration.kind === 'identity') {
      const user = this.options.directory.requireUser(device.userId);
      if (report.status === 'failed') {
        this.options.issuance.logFailure(configuration, user, device, sourceOf(configuration), {
          code: 'device',
          message: report.error ?? 'The device reported that the installation failed',
        });
      } else if (serial) {
        const known = this.options.log.bySerial(serial);
        entryId = known?.id;
        if (!known && !configuration.enableProxy && !configuration.cacheLocallyGeneratedKeys) {
          entryId = this.options.log.record({ ...this.options.issuance.entryBase(configuration, user, device, 'direct-scep'), status: 'reported', serialHex: serial }).id;
        }
      }
    }
    this.options.state.putDelivery(device.id, configuration.id, now, { ...patch, ...(entryId ? { currentEntryId: entryId } : {}) });
  }

  // ---- PKCS#12 ------------------------------------------------------------------------------------------

  private async pkcs12Payload(base: PayloadBase, configuration: IdentityConfiguration, user: User, device: Device): Promise<DevicePayload> {
    const owner = escrowOwner(configuration, user, device);
    const escrow = await this.escrowFor(owner, configuration, user, device);
    const password = randomBytes(12).toString('base64url');
    const certificate = new Uint8Array(Buffer.from(escrow.certificate, 'base64'));
    const chain = escrow.chain.map((der) => new Uint8Array(Buffer.from(der, 'base64')));
    const pkcs12 = buildPkcs12({
      privateKey: importPrivateKey(escrow.privateKey),
      certificate,
      chain,
      password,
      friendlyName: configuration.name,
      form: configuration.pkcs12Form,
    });
    const entry = this.options.log.get(escrow.entryId);
    this.options.state.putDelivery(device.id, configuration.id, this.options.clock.now(), {
      status: 'delivered',
      deliveredVersion: base.version,
      currentEntryId: escrow.entryId,
      ...(entry?.serialHex ? { certificateSerial: entry.serialHex } : {}),
    });
    return { ...base, type: 'pkcs12', configuration, pkcs12, password, form: configuration.pkcs12Form, caCertificates: chain };
  }

  /** The cached key and certificate of an owner while they are good, else a new one (one issuance at a time per owner). */
  private escrowFor(owner: string, configuration: IdentityConfiguration, user: User, device: Device): Promise<EscrowRecord> {
    const current = this.options.state.escrow.get(owner);
    if (current) {
      const entry = this.options.log.get(current.entryId);
      if (entry?.status === 'issued' && entry.notAfter && new Date(entry.notAfter) > this.options.clock.now()) return Promise.resolve(current);
    }
    let running = this.inFlight.get(owner);
    if (!running) {
      running = this.issueEscrow(owner, configuration, user, device, current?.entryId).finally(() => this.inFlight.delete(owner));
      this.inFlight.set(owner, running);
    }
    return running;
  }

  async issueEscrow(owner: string, configuration: IdentityConfiguration, user: User, device: Device | undefined, renewalOf?: string): Promise<EscrowRecord> {
    const previous = renewalOf ? this.options.log.get(renewalOf) : undefined;
    const renewing = previous?.status === 'issued';
    const { entry, credential } = await this.options.issuance.issueWithKey(configuration, user, device, 'pkcs12', renewing ? { renewalOf: previous!.id } : {});
    if (renewing) this.options.log.update(previous!.id, { status: 'superseded', renewedBy: entry.id });
    const record: EscrowRecord = {
      entryId: entry.id,
      privateKey: privateKeyToPem(credential.privateKey),
      certificate: Buffer.from(credential.certificate).toString('base64'),
      chain: credential.chain.map((der) => Buffer.from(der).toString('base64')),
    };
    this.options.state.escrow.put(owner, record);
    return record;
  }
}

/** Whose key an escrowed certificate is: the user's (shared by the user's devices, guide 000) or one device's. */
export function escrowOwner(configuration: IdentityConfiguration, user: User, device: Device | undefined): string {
  return configuration.certificateType === 'user' || !device ? `user:${user.id}|${configuration.id}` : `device:${device.id}|${configuration.id}`;
}

function sourceOf(configuration: IdentityConfiguration) {
  return configuration.cacheLocallyGeneratedKeys ? 'pkcs12' : configuration.enableProxy ? 'scep-proxy' : 'direct-scep';
}
