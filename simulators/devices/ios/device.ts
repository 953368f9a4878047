/**
 * An emulated iPhone: installs .mobileconfig profiles (certificate payloads first, then PKCS#12, then SCEP),
 * all or nothing — a payload that fails leaves the keychain as it was, as iOS rolls back a failed profile — and
 * a profile with a PayloadIdentifier already installed replaces the old one. Talks to an MDM through
 * MdmSession (register, configurations, status).
 */
import type { DeviceHooks } from '../scep-result.js';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../core/clock.js';
import { systemClock } from '../../../core/clock.js';
import { parseCertificate } from '../../../core/pki/certificate.js';
import { parsePkcs12, Pkcs12PasswordError } from '../../../core/pki/pkcs12.js';
import { MdmClient } from '../mdm-client.js';
import { type InstallOutcome, MdmSession, timed, type SyncResult } from '../mdm-session.js';
import { IosProfileError } from './errors.js';
import { type KeychainIdentity, type KeychainRoot, Keychain, type KeychainSnapshot } from './keychain.js';
import { type Mobileconfig, parseMobileconfig, type Payload, type ScepPayload } from './mobileconfig.js';
import { enrollScepPayload, IOS_USER_AGENT, type IosScepResult } from './scep-enroll.js';

export interface IosDeviceOptions extends DeviceHooks {
  udid?: string;
  serialNumber?: string;
  /** Default 'iPhone15,2'. */
  model?: string;
  /** Default '17.6'. */
  osVersion?: string;
}

export interface InstalledProfile {
  identifier: string;
  uuid: string;
  displayName?: string;
  installedAt: Date;
  payloads: Array<{ uuid: string; type: string; displayName?: string }>;
  warnings: string[];
}

export interface ProfileInstallResult {
  profile: InstalledProfile;
  identities: KeychainIdentity[];
  roots: KeychainRoot[];
  /** Per SCEP payload, how the enrolment went (cipher, method, polls, timings). */
  enrollments: Array<{ payloadUUID: string } & Omit<IosScepResult, 'privateKey' | 'certificate' | 'chain'>>;
}

const randomHex = (length: number) => randomUUID().replace(/-/g, '').slice(0, length).toUpperCase();

export class IosDevice {
  readonly keychain = new Keychain();
  readonly profiles = new Map<string, InstalledProfile>();
  readonly udid: string;
  readonly serialNumber: string;
  readonly model: string;
  readonly osVersion: string;
  private readonly clock: Clock;
  /** The SCEP settings of installed payloads, for renewal. */
  private readonly scepPayloads = new Map<string, { payload: ScepPayload; profile: string }>();
  private session: MdmSession | undefined;

  constructor(private readonly options: IosDeviceOptions = {}) {
    this.udid = options.udid ?? `00008110-${randomHex(16)}`;
    this.serialNumber = options.serialNumber ?? randomHex(12);
    this.model = options.model ?? 'iPhone15,2';
    this.osVersion = options.osVersion ?? '17.6';
    this.clock = options.clock ?? systemClock;
  }

  /** Parses, validates and installs a profile. Throws IosProfileError; nothing is installed then. */
  async installProfile(data: Uint8Array | string): Promise<ProfileInstallResult> {
    const profile = parseMobileconfig(data);
    const order = (payload: Payload) => (payload.kind === 'certificate' ? 0 : payload.kind === 'pkcs12' ? 1 : 2);
    const identities: KeychainIdentity[] = [];
    const roots: KeychainRoot[] = [];
    const enrollments: ProfileInstallResult['enrollments'] = [];
    const now = () => this.clock.now();
    for (const payload of [...profile.payloads].sort((a, b) => order(a) - order(b))) {
      const label = payload.displayName ?? payload.type;
      if (payload.kind === 'certificate') {
        roots.push(await timed('root-install', this.options.onStep, async () => ({ certificate: payload.certificate, installedAt: now(), payloadUUID: payload.uuid, profileIdentifier: profile.identifier })));
      } else if (payload.kind === 'pkcs12') {
        identities.push(await timed('pkcs12-install', this.options.onStep, async () => this.readPkcs12(payload, profile, label)));
      } else {
        const result = await this.enrollTimed(payload, label);
        const { certificate, privateKey, chain, ...rest } = result;
        identities.push({ certificate, privateKey, chain, source: 'scep', installedAt: now(), payloadUUID: payload.uuid, profileIdentifier: profile.identifier, label });
        enrollments.push({ payloadUUID: payload.uuid, ...rest });
      }
    }
    // Every payload worked: replace a profile of the same identifier, then commit.
    this.removeProfile(profile.identifier);
    for (const root of roots) this.keychain.trust(root);
    for (const identity of identities) this.keychain.addIdentity(identity);
    for (const payload of profile.payloads) if (payload.kind === 'scep') this.scepPayloads.set(payload.uuid, { payload, profile: profile.identifier });
    const installed: InstalledProfile = {
      identifier: profile.identifier,
      uuid: profile.uuid,
      ...(profile.displayName !== undefined ? { displayName: profile.displayName } : {}),
      installedAt: now(),
      payloads: profile.payloads.map((p) => ({ uuid: p.uuid, type: p.type, ...(p.displayName !== undefined ? { displayName: p.displayName } : {}) })),
      warnings: profile.warnings,
    };
    this.profiles.set(profile.identifier, installed);
    return { profile: installed, identities, roots, enrollments };
  }

  removeProfile(identifier: string): void {
    this.keychain.removeProfile(identifier);
    this.profiles.delete(identifier);
    for (const [uuid, entry] of this.scepPayloads) if (entry.profile === identifier) this.scepPayloads.delete(uuid);
  }

  /**
   * Renews the identity of a SCEP payload as iOS does: a new key and a PKCSReq carrying the payload's
   * challenge (a one-time challenge has then been used: MDMs deliver a fresh profile instead).
   */
  async renew(payloadUUID: string): Promise<KeychainIdentity> {
    const entry = this.scepPayloads.get(payloadUUID);
    if (!entry) throw new Error(`no SCEP payload ${payloadUUID} is installed`);
    const label = entry.payload.displayName ?? entry.payload.type;
    const { certificate, privateKey, chain } = await this.enroll(entry.payload, label);
    const identity: KeychainIdentity = { certificate, privateKey, chain, source: 'scep', installedAt: this.clock.now(), payloadUUID, profileIdentifier: entry.profile, label };
    this.keychain.addIdentity(identity);
    return identity;
  }

  /** Registers with an MDM (contract: POST /mdm/api/v1/register). */
  async register(mdmUrl: string, username: string, password: string): Promise<MdmSession> {
    const client = new MdmClient({ baseUrl: mdmUrl, userAgent: IOS_USER_AGENT, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
    this.session = new MdmSession(client, this.options.onStep);
    await this.session.register({
      username,
      password,
      platform: 'ios',
      udid: this.udid,
      serialNumber: this.serialNumber,
      model: this.model,
      osVersion: this.osVersion,
    });
    return this.session;
  }

  /** Installs every configuration the MDM distributes to this device that is new or changed. */
  sync(): Promise<SyncResult> {
    if (!this.session) throw new Error('register() first');
    return this.session.sync(async (configuration, body) => {
      if (body.contentType !== 'application/x-apple-aspen-config') {
        throw new IosProfileError('malformedProfile', { reason: `it was served as ${body.contentType || 'no content type'}, not application/x-apple-aspen-config` });
      }
      const result = await this.installProfile(body.body);
      return outcomeOf(result, configuration.type);
    });
  }

  get deviceId(): string | undefined {
    return this.session?.registration?.deviceId;
  }

  toJSON(): { platform: 'ios'; udid: string; serialNumber: string; deviceId?: string; profiles: InstalledProfile[]; keychain: KeychainSnapshot } {
    return {
      platform: 'ios',
      udid: this.udid,
      serialNumber: this.serialNumber,
      ...(this.deviceId ? { deviceId: this.deviceId } : {}),
      profiles: [...this.profiles.values()],
      keychain: this.keychain.toJSON(),
    };
  }

  /** Reports keygen and scep-enroll (without the keygen) as separate steps. */
  private async enrollTimed(payload: ScepPayload, label: string): Promise<IosScepResult> {
    const started = performance.now();
    try {
      const result = await this.enroll(payload, label);
      this.options.onStep?.({ step: 'keygen', ms: result.timings.keygenMs, ok: true });
      this.options.onStep?.({ step: 'scep-enroll', ms: result.timings.enrollMs, ok: true });
      return result;
    } catch (error) {
      this.options.onStep?.({ step: 'scep-enroll', ms: performance.now() - started, ok: false });
      throw error;
    }
  }

  private enroll(payload: ScepPayload, label: string): Promise<IosScepResult> {
    return enrollScepPayload(payload.settings, label, {
      deviceName: `iOS ${this.serialNumber}`,
      clock: this.clock,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      ...(this.options.keys ? { keys: this.options.keys } : {}),
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
      ...(this.options.onExchange ? { onExchange: this.options.onExchange } : {}),
    });
  }

  private readPkcs12(payload: Extract<Payload, { kind: 'pkcs12' }>, profile: Mobileconfig, label: string): KeychainIdentity {
    try {
      const contents = parsePkcs12(payload.data, payload.password ?? '');
      return {
        certificate: contents.certificate,
        privateKey: contents.privateKey,
        chain: contents.chain,
        source: 'pkcs12',
        installedAt: this.clock.now(),
        payloadUUID: payload.uuid,
        profileIdentifier: profile.identifier,
        label,
      };
    } catch (error) {
      if (error instanceof Pkcs12PasswordError) throw new IosProfileError('pkcs12Password', { payload: label }, { detail: error.message, cause: error });
      throw new IosProfileError('pkcs12Invalid', { payload: label, reason: (error as Error).message }, { cause: error });
    }
  }
}

/** The serial the MDM hears about: the identity's for scep/pkcs12, the CA's for a root configuration. */
function outcomeOf(result: ProfileInstallResult, type: string): InstallOutcome {
  const identity = result.identities[0];
  if (type !== 'root' && identity) return { certificateSerial: parseCertificate(identity.certificate).serialHex };
  const root = result.roots[0];
  return root ? { certificateSerial: parseCertificate(root.certificate).serialHex } : {};
}
