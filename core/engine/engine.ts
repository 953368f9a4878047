/**
 * The MDM enrollment engine (DESIGN.md, the MDM role): the directory, CA and certificate configurations,
 * distribution, delivery to devices (SCEP through the MDM's proxy or directly, PKCS#12 with the key the MDM made
 * and keeps), certificate logs, revocation and removal, test certificates, and renewal driven by the Clock. The
 * HTTP surfaces (http/device-api.ts, http/admin-api.ts) are thin layers over this class.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { type ConnectorRegistry, defaultConnectors } from '../connectors/registry.js';
import type { ConnectorContext } from '../connectors/scep.js';
import type { Directory } from '../directory/directory.js';
import type { Device, DeviceInput } from '../directory/model.js';
import type { RevocationReason } from '../pki/crl.js';
import { generateKeyPair, type KeySpec } from '../pki/keys.js';
import type { SignerIdentity } from '../scep/signed-data.js';
import type { Product } from '../templates/model.js';
import { CertificateLog, type CertificateLogEntry } from './cert-log.js';
import { Configurations } from './configurations.js';
import { Delivery, escrowOwner } from './delivery.js';
import { type DirectorySeed, PersistentDirectory } from './directory-store.js';
import { EngineError, notFound, schemaError } from './errors.js';
import { type IdentityConfiguration, Issuance, TEST_CERTIFICATE_USER } from './issuance.js';
import type { StoredConfiguration } from './model.js';
import type { EngineStore } from './persistence.js';
import { parsePhoneNumber } from './phone.js';
import { loadProxyIdentity } from './proxy-identity.js';
import { ProxyEnrollment } from './proxy-enrollment.js';
import { Renewals } from './renewal.js';
import { EngineState, sha256Hex } from './state.js';

export interface MdmEngineOptions {
  store: EngineStore;
  clock: Clock;
  /** Whose dialect and texts configurations use unless they name their own. Default 'mobileiron-cloud'. */
  product?: Product;
  connectors?: ConnectorRegistry;
  /** Passed to connectors (fetch for in-process tests). */
  connectorContext?: Omit<ConnectorContext, 'clock' | 'keyFactory'>;
  /** Users, groups and labels for a new store (ignored when the store already has a directory). */
  directorySeed?: DirectorySeed;
  /** Store collection prefix. Default 'mdm'. */
  prefix?: string;
  /** The SCEP proxy's RA certificate and key; generated once and kept in the store when absent. */
  proxyIdentity?: SignerIdentity;
  /** Makes every key the engine and its connectors need (a pre-generated pool in fleets). */
  keyFactory?: (spec: KeySpec) => Promise<KeyObject>;
  challengeTtlSeconds?: number;
}

export const registrationSchema = z
  .object({
    username: z.string().min(1).max(256),
    password: z.string().min(1).max(1024),
    platform: z.enum(['ios', 'android']),
    serialNumber: z.string().min(1).max(64).optional(),
    udid: z.string().min(1).max(64).optional(),
    imei: z.string().min(1).max(32).optional(),
    phoneNumber: z.string().min(1).max(32).optional(),
    model: z.string().min(1).max(128).optional(),
    osVersion: z.string().min(1).max(64).optional(),
  })
  .strict();
export type Registration = z.input<typeof registrationSchema>;

export const statusReportSchema = z
  .object({
    status: z.enum(['installed', 'failed']),
    certificateSerial: z.string().regex(/^[0-9A-Fa-f:\s]{1,128}$/, { message: 'hex serial number' }).optional(),
    error: z.string().max(4096).optional(),
  })
  .strict();

export class MdmEngine {
  readonly clock: Clock;
  readonly directory: Directory;
  readonly configurations: Configurations;
  readonly log: CertificateLog;
  readonly state: EngineState;
  readonly issuance: Issuance;
  readonly delivery: Delivery;
  readonly proxy: ProxyEnrollment;
  readonly renewals: Renewals;
  readonly proxyIdentity: SignerIdentity;
  private readonly persistent: PersistentDirectory;

  private constructor(options: MdmEngineOptions, persistent: PersistentDirectory, state: EngineState, proxyIdentity: SignerIdentity) {
    const prefix = options.prefix ?? 'mdm';
    const keyFactory = options.keyFactory ?? (async (spec: KeySpec) => (await generateKeyPair(spec)).privateKey);
    this.clock = options.clock;
    this.persistent = persistent;
    this.directory = persistent.directory;
    this.state = state;
    this.proxyIdentity = proxyIdentity;
    this.configurations = new Configurations({
      store: options.store,
      prefix,
      clock: options.clock,
      connectors: options.connectors ?? defaultConnectors(),
      connectorContext: { ...options.connectorContext, keyFactory },
      directory: this.directory,
      product: options.product ?? 'mobileiron-cloud',
    });
    this.log = new CertificateLog(options.store, prefix, options.clock);
    this.issuance = new Issuance({ configurations: this.configurations, log: this.log, clock: options.clock, keyFactory });
    const shared = { configurations: this.configurations, directory: this.directory, state, log: this.log, clock: options.clock };
    this.delivery = new Delivery({ ...shared, issuance: this.issuance, ...(options.challengeTtlSeconds !== undefined ? { challengeTtlSeconds: options.challengeTtlSeconds } : {}) });
    this.proxy = new ProxyEnrollment({ ...shared, issuance: this.issuance, delivery: this.delivery });
    this.renewals = new Renewals({ ...shared, delivery: this.delivery });
  }

  static async create(options: MdmEngineOptions): Promise<MdmEngine> {
    const prefix = options.prefix ?? 'mdm';
    const persistent = new PersistentDirectory(options.store, prefix, options.directorySeed);
    const state = new EngineState(options.store, prefix);
    const keyFactory = options.keyFactory ?? (async (spec: KeySpec) => (await generateKeyPair(spec)).privateKey);
    const identity = options.proxyIdentity ?? (await loadProxyIdentity(state, options.clock, keyFactory));
    return new MdmEngine(options, persistent, state, identity);
  }

  /** Call after Directory.setPassword (it emits no change event). */
  savePasswords(): void {
    this.persistent.saveMeta();
  }

  // ---- devices ------------------------------------------------------------------------------------------

  /** POST /mdm/api/v1/register: the user's password, then the device (matched by serial, UDID or IMEI, else new). */
  register(input: unknown): { deviceId: string; token: string; platform: 'ios' | 'android' } {
    const parsed = registrationSchema.safeParse(input);
    if (!parsed.success) throw schemaError(parsed.error);
    const body = parsed.data;
    if (!this.directory.getUser(body.username) || !this.directory.verifyPassword(body.username, body.password)) {
      throw new EngineError(401, 'invalid_credentials', 'Invalid user name or password');
    }
    const phone = body.phoneNumber !== undefined ? parsePhoneNumber(body.phoneNumber) : undefined;
    if (body.phoneNumber !== undefined && !phone) {
      throw new EngineError(400, 'invalid_request', 'Request body does not match the schema', { issues: [{ path: 'phoneNumber', message: 'expected an E.164 number such as +16175550100' }] });
    }
    const fields = {
      ...(body.serialNumber !== undefined ? { serialNumber: body.serialNumber } : {}),
      ...(body.udid !== undefined ? { udid: body.udid } : {}),
      ...(body.imei !== undefined ? { imei: body.imei } : {}),
      ...(phone ? { phone } : {}),
      ...(body.model !== undefined ? { model: body.model } : {}),
      ...(body.osVersion !== undefined ? { osVersion: body.osVersion } : {}),
    };
    const known = this.directory.findDevice(fields);
    let device: Device;
    if (known) {
      if (known.userId !== body.username) throw new EngineError(409, 'conflict', `this device is registered to another user`);
      if (known.platform !== body.platform) throw new EngineError(409, 'conflict', `this device is registered as ${known.platform}`);
      device = this.directory.updateDevice(known.id, { ...fields, status: 'active' });
    } else {
      device = this.directory.addDevice({ userId: body.username, platform: body.platform, status: 'active', ...fields } as DeviceInput);
    }
    const token = randomBytes(32).toString('base64url');
    const tokenHash = sha256Hex(token);
    const previous = this.state.deviceTokens.get(device.id);
    if (previous) this.state.tokens.delete(previous.tokenHash);
    this.state.tokens.put(tokenHash, { deviceId: device.id, issuedAt: this.clock.now().toISOString() });
    this.state.deviceTokens.put(device.id, { tokenHash });
    return { deviceId: device.id, token, platform: body.platform };
  }

  /** The device a bearer token stands for, when it is `deviceId` and still registered; 401 invalid_token otherwise. */
  authenticate(authorization: string | null, deviceId: string): Device {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new EngineError(401, 'invalid_token', 'A bearer token is required', { headers: { 'www-authenticate': 'Bearer' } });
    const record = this.state.tokens.get(sha256Hex(match[1]!));
    const device = record && record.deviceId === deviceId ? this.directory.getDevice(deviceId) : undefined;
    if (!device || device.status !== 'active') {
      throw new EngineError(401, 'invalid_token', 'The token is not valid for this device', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }
    return device;
  }

  /** Takes a device out: its tokens stop working. */
  retireDevice(deviceId: string): Device {
    const device = this.directory.updateDevice(deviceId, { status: 'retired' });
    const token = this.state.deviceTokens.get(deviceId);
    if (token) this.state.tokens.delete(token.tokenHash);
    this.state.deviceTokens.delete(deviceId);
    return device;
  }

  // ---- configurations -----------------------------------------------------------------------------------

  /**
   * Creates (no id) or replaces a configuration; with "Issue Test Certificate" on, a test certificate is issued
   * on every save, as the console does (guide 000: each one may be charged).
   */
  async saveConfiguration(input: unknown, id?: string): Promise<{ configuration: StoredConfiguration; testCertificate?: CertificateLogEntry }> {
    const exists = id !== undefined && this.configurations.findConfiguration(id)?.id === id;
    const configuration = exists ? this.configurations.updateConfiguration(id, input) : this.configurations.createConfiguration(input, id);
    if (configuration.kind === 'identity' && configuration.issueTestCertificate) {
      return { configuration, testCertificate: await this.issueTestCertificate(configuration.id) };
    }
    return { configuration };
  }

  // ---- certificates -------------------------------------------------------------------------------------

  /** "Issue Test Certificate" (guide 000): one certificate for a test identity, logged as a test. */
  async issueTestCertificate(configurationId: string): Promise<CertificateLogEntry> {
    const configuration = this.identity(configurationId);
    try {
      return (await this.issuance.issueWithKey(configuration, TEST_CERTIFICATE_USER, undefined, 'test')).entry;
    } catch {
      // issueWithKey logged the failure with the product's text; the log entry is the answer.
      return this.log.search({ configurationId: configuration.id, test: true, status: 'failed' }).entries.at(-1)!;
    }
  }

  async revoke(entryId: string, reason: RevocationReason = 'unspecified'): Promise<CertificateLogEntry> {
    const entry = this.requireEntry(entryId);
    if (!entry.serialHex || !['issued', 'superseded', 'reported'].includes(entry.status)) {
      throw new EngineError(409, 'conflict', `certificate log entry ${entryId} is ${entry.status}; only issued certificates can be revoked`);
    }
    await this.configurations.connector(entry.caId).revoke(entry.serialHex, reason);
    return this.log.update(entry.id, { status: 'revoked', revokedAt: this.clock.now().toISOString(), revocationReason: reason })!;
  }

  /**
   * "Remove" (guide 000, Certificate Logs): the entry leaves the active log and any cached key is discarded; the
   * devices that held it see a new version and get a fresh certificate at their next check-in (ASSUMPTION).
   */
  remove(entryId: string): CertificateLogEntry {
    const entry = this.requireEntry(entryId);
    const configuration = this.configurations.findConfiguration(entry.configurationId);
    if (configuration?.kind === 'identity') {
      const user = this.directory.getUser(entry.userId);
      const device = entry.deviceId ? this.directory.getDevice(entry.deviceId) : undefined;
      if (user) {
        const owner = escrowOwner(configuration, user, device);
        if (this.state.escrow.get(owner)?.entryId === entry.id) this.state.escrow.delete(owner);
      }
    }
    this.state.bumpGeneration((record) => record.currentEntryId === entry.id, this.clock.now());
    return this.log.update(entry.id, { status: 'removed' })!;
  }

  requireEntry(entryId: string): CertificateLogEntry {
    const entry = this.log.get(entryId);
    if (!entry) throw notFound(`certificate log entry "${entryId}"`);
    return entry;
  }

  private identity(configurationId: string): IdentityConfiguration {
    const configuration = this.configurations.requireConfiguration(configurationId);
    if (configuration.kind !== 'identity') throw new EngineError(409, 'conflict', `configuration "${configuration.name}" delivers a CA certificate, not an identity`);
    return configuration;
  }
}
