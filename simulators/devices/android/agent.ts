/**
 * An emulated Android phone running a Mobile@Work-style MDM agent: registration with server, user name and
 * password; "configuration update" (list, fetch what is new or changed, install, report); per configuration:
 *   scep    the key is made on the device and enrolled by SCEP (scep-enroll.ts), then installed under the alias
 *   pkcs12  the key was made on the server: the PFX (modern or legacy encryption) is opened and installed under
 *           the alias; `pkcs12Support: 'legacy-only'` models older Android keystores that read only
 *           pbeWithSHAAnd3-KeyTripleDES (ASSUMPTION: the version boundary is not documented)
 *   root    the CA certificate goes into the user trust store
 */
import type { DeviceHooks } from '../scep-result.js';
import { randomInt } from 'node:crypto';
import { type Clock, systemClock } from '../../../core/clock.js';
import { parseCertificate } from '../../../core/pki/certificate.js';
import { makeImei } from '../../../core/directory/identifiers.js';
import { parsePkcs12, Pkcs12PasswordError } from '../../../core/pki/pkcs12.js';
import { MdmClient, type ConfigurationSummary } from '../mdm-client.js';
import { type InstallOutcome, MdmSession, type SyncResult, timed } from '../mdm-session.js';
import {
  type AndroidConfiguration,
  type AndroidPkcs12Configuration,
  type AndroidRootConfiguration,
  type AndroidScepConfiguration,
  parseAndroidConfiguration,
} from './config.js';
import { AndroidAgentError } from './errors.js';
import { type KeystoreEntry, Keystore, type KeystoreSnapshot } from './keystore.js';
import { ANDROID_USER_AGENT, type AndroidScepResult, enrollAndroidScep } from './scep-enroll.js';

export interface AndroidAgentOptions extends DeviceHooks {
  imei?: string;
  serialNumber?: string;
  /** E.164, or none ("This device has no phone number"). */
  phoneNumber?: string;
  model?: string;
  osVersion?: string;
  /** Send SCEP pkiMessages as BER with indefinite lengths (BouncyCastle). Default false. */
  ber?: boolean;
  /** Which PKCS#12 encryptions the keystore reads. Default 'modern+legacy'. */
  pkcs12Support?: 'modern+legacy' | 'legacy-only';
  pendingPoll?: { intervalMs: number; maxAttempts: number };
}

/** The last install of each configuration, for tests and reports. */
export interface AndroidInstallRecord {
  configurationId: string;
  type: AndroidConfiguration['type'];
  alias?: string;
  scep?: Omit<AndroidScepResult, 'certificate' | 'privateKey' | 'chain'>;
  pkcs12?: { form: string; keyEncryption: string; mac: string };
}

const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join('');

export class AndroidAgent {
  readonly keystore = new Keystore();
  readonly installs = new Map<string, AndroidInstallRecord>();
  readonly imei: string;
  readonly serialNumber: string;
  readonly model: string;
  readonly osVersion: string;
  private readonly clock: Clock;
  private session: MdmSession | undefined;

  constructor(private readonly options: AndroidAgentOptions = {}) {
    this.imei = options.imei ?? makeImei(`35${digits(12)}`);
    this.serialNumber = options.serialNumber ?? `R5C${digits(8)}`;
    this.model = options.model ?? 'Pixel 8';
    this.osVersion = options.osVersion ?? '14';
    this.clock = options.clock ?? systemClock;
  }

  /** Registration (server, user name, password). */
  async register(server: string, username: string, password: string): Promise<MdmSession> {
    const client = new MdmClient({ baseUrl: server, userAgent: ANDROID_USER_AGENT, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
    this.session = new MdmSession(client, this.options.onStep);
    await this.session.register({
      username,
      password,
      platform: 'android',
      imei: this.imei,
      serialNumber: this.serialNumber,
      model: this.model,
      osVersion: this.osVersion,
      ...(this.options.phoneNumber ? { phoneNumber: this.options.phoneNumber } : {}),
    });
    return this.session;
  }

  /** "Configuration update": installs what is new or changed and reports each outcome. */
  updateConfiguration(): Promise<SyncResult> {
    if (!this.session) throw new Error('register() first');
    return this.session.sync((summary, body) => this.install(summary, body.body));
  }

  get deviceId(): string | undefined {
    return this.session?.registration?.deviceId;
  }

  /** Installs one configuration (its JSON body as the engine serves it). */
  async install(summary: Pick<ConfigurationSummary, 'id'>, body: Uint8Array | string): Promise<InstallOutcome> {
    const configuration = parseAndroidConfiguration(body);
    if (configuration.id !== summary.id) throw new AndroidAgentError('badConfiguration', { reason: `asked for ${summary.id}, got ${configuration.id}` });
    switch (configuration.type) {
      case 'scep':
        return this.installScep(configuration);
      case 'pkcs12':
        return timed('pkcs12-install', this.options.onStep, async () => this.installPkcs12(configuration), configuration.id);
      case 'root':
        return timed('root-install', this.options.onStep, async () => this.installRoot(configuration), configuration.id);
    }
  }

  toJSON(): { platform: 'android'; imei: string; serialNumber: string; deviceId?: string; keystore: KeystoreSnapshot; installs: AndroidInstallRecord[] } {
    return {
      platform: 'android',
      imei: this.imei,
      serialNumber: this.serialNumber,
      ...(this.deviceId ? { deviceId: this.deviceId } : {}),
      keystore: this.keystore.toJSON(),
      installs: [...this.installs.values()],
    };
  }

  private async installScep(configuration: AndroidScepConfiguration): Promise<InstallOutcome> {
    const started = performance.now();
    let result: AndroidScepResult;
    try {
      result = await enrollAndroidScep(configuration, {
        ber: this.options.ber ?? false,
        clock: this.clock,
        deviceName: `Android ${this.serialNumber}`,
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        ...(this.options.keys ? { keys: this.options.keys } : {}),
        ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        ...(this.options.onExchange ? { onExchange: this.options.onExchange } : {}),
        ...(this.options.pendingPoll ? { pendingPoll: this.options.pendingPoll } : {}),
      });
    } catch (error) {
      this.options.onStep?.({ step: 'scep-enroll', ms: performance.now() - started, ok: false, configurationId: configuration.id });
      throw error;
    }
    this.options.onStep?.({ step: 'keygen', ms: result.timings.keygenMs, ok: true, configurationId: configuration.id });
    this.options.onStep?.({ step: 'scep-enroll', ms: result.timings.enrollMs, ok: true, configurationId: configuration.id });
    const { certificate, privateKey, chain, ...rest } = result;
    this.put({ certificate, privateKey, chain, source: 'scep', installedAt: this.clock.now(), alias: configuration.alias, configurationId: configuration.id });
    this.installs.set(configuration.id, { configurationId: configuration.id, type: 'scep', alias: configuration.alias, scep: rest });
    return { certificateSerial: parseCertificate(certificate).serialHex };
  }

  private installPkcs12(configuration: AndroidPkcs12Configuration): InstallOutcome {
    const der = new Uint8Array(Buffer.from(configuration.pkcs12, 'base64'));
    let contents;
    try {
      contents = parsePkcs12(der, configuration.password);
    } catch (error) {
      if (error instanceof Pkcs12PasswordError) throw new AndroidAgentError('pkcs12Password', { alias: configuration.alias }, { cause: error });
      throw new AndroidAgentError('pkcs12Unreadable', { alias: configuration.alias, reason: (error as Error).message }, { cause: error });
    }
    if ((this.options.pkcs12Support ?? 'modern+legacy') === 'legacy-only' && contents.form !== 'legacy') {
      throw new AndroidAgentError('pkcs12Unreadable', { alias: configuration.alias, reason: `unsupported encryption ${contents.algorithms.keyEncryption}` });
    }
    this.put({
      certificate: contents.certificate,
      privateKey: contents.privateKey,
      chain: contents.chain,
      source: 'pkcs12',
      installedAt: this.clock.now(),
      alias: configuration.alias,
      configurationId: configuration.id,
    });
    this.installs.set(configuration.id, {
      configurationId: configuration.id,
      type: 'pkcs12',
      alias: configuration.alias,
      pkcs12: { form: contents.form, keyEncryption: contents.algorithms.keyEncryption, mac: contents.algorithms.mac },
    });
    return { certificateSerial: parseCertificate(contents.certificate).serialHex };
  }

  private installRoot(configuration: AndroidRootConfiguration): InstallOutcome {
    let parsed;
    try {
      parsed = parseCertificate(new Uint8Array(Buffer.from(configuration.certificate, 'base64')));
    } catch (error) {
      throw new AndroidAgentError('certificateInvalid', { alias: configuration.alias ?? configuration.name, reason: (error as Error).message }, { cause: error });
    }
    const alias = this.keystore.installCaCertificate(parsed.der, this.clock.now(), configuration.alias);
    this.installs.set(configuration.id, { configurationId: configuration.id, type: 'root', alias });
    return { certificateSerial: parsed.serialHex };
  }

  private put(entry: KeystoreEntry): void {
    this.keystore.installKeyPair(entry);
  }
}
