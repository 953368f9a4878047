/**
 * What the device suites work with: the engine's device API (the target URL), its admin surface when the target
 * is an mdmca engine (/__mdmca/mdm: users, configurations, labels, clock, renewals, certificate logs), emulated
 * devices whose SCEP exchanges go into the report, and a device clock that moves with the engine's clock.
 * Everything a check creates (users, configurations, labels) carries a run-unique prefix and configurations are
 * deleted at teardown.
 */
import { randomBytes } from 'node:crypto';
import { AdjustableClock } from '../../core/clock.js';
import type { ScepExchange } from '../../core/scep/client.js';
import { AndroidAgent } from '../../simulators/devices/android/agent.js';
import { adminCall } from '../../simulators/devices/engine-admin.js';
import { IosDevice } from '../../simulators/devices/ios/device.js';
import { freshKeys, type KeySource } from '../../simulators/devices/key-pool.js';
import type { SuiteEnvironment, TargetSpec } from '../model.js';

export interface DevicesSuiteOptions {
  /** Device keys (tests pass a pool); default: made on the spot. */
  keys?: KeySource;
}

export interface Account {
  username: string;
  password: string;
}

export class DevicesSuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevicesSuiteError';
  }
}

export class DevicesContext {
  /** Moves with the engine's clock, so device-made certificates and signing times agree with it. */
  readonly deviceClock = new AdjustableClock();
  readonly run = randomBytes(3).toString('hex');
  private readonly createdConfigurations: string[] = [];
  private users = 0;

  constructor(
    readonly mdmUrl: string,
    /** The engine's admin base, or undefined for a target that is not an mdmca engine. */
    readonly admin: string | undefined,
    /** Credentials for targets without admin (target.credentials.username/password). */
    readonly fixedAccount: Account | undefined,
    private readonly env: SuiteEnvironment,
    private readonly keys: KeySource,
  ) {}

  static async create(target: TargetSpec, env: SuiteEnvironment, options: DevicesSuiteOptions): Promise<DevicesContext> {
    if (target.kind !== 'url') throw new DevicesSuiteError('the device suite needs the engine as a URL target (mdm=URL), or the embedded engine');
    const credentials = target.credentials;
    const account = credentials?.username && credentials.password ? { username: credentials.username, password: credentials.password } : undefined;
    const ctx = new DevicesContext(target.url, target.admin, account, env, options.keys ?? freshKeys);
    if (ctx.admin) await ctx.syncClock();
    return ctx;
  }

  /** Calls the engine's admin API; a DevicesSuiteError when the target has none. */
  adminCall<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.admin) throw new DevicesSuiteError('the target has no mdmca admin surface');
    return adminCall(this.admin, method, path, body) as Promise<T>;
  }

  /** A fresh local user (with admin), else the target's fixed account. */
  async newUser(groups: string[] = []): Promise<Account> {
    if (!this.admin) {
      if (!this.fixedAccount) throw new DevicesSuiteError('the target needs credentials.username and credentials.password');
      return this.fixedAccount;
    }
    const username = `suite-${this.run}-${++this.users}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    await this.adminCall('POST', '/users', { id: username, source: 'local', firstName: 'Suite', lastName: `User ${this.users}`, email: `${username}@suite.example`, password });
    for (const group of groups) await this.adminCall('PUT', `/groups/${encodeURIComponent(group)}/users/${encodeURIComponent(username)}`);
    return { username, password };
  }

  /** Creates a configuration that teardown deletes; returns its id. */
  async createConfiguration(spec: Record<string, unknown>): Promise<string> {
    const saved = await this.adminCall<{ configuration: { id: string } }>('POST', '/configurations', spec);
    this.createdConfigurations.push(saved.configuration.id);
    return saved.configuration.id;
  }

  /** The first CA configuration of the engine (the embedded SCEP CA). */
  async firstCa(): Promise<{ id: string; name: string }> {
    const { cas } = await this.adminCall<{ cas: Array<{ id: string; settings: { name: string } }> }>('GET', '/cas');
    if (!cas[0]) throw new DevicesSuiteError('the engine has no CA configuration');
    return { id: cas[0].id, name: cas[0].settings.name };
  }

  async ensureLabel(name: string): Promise<void> {
    const { labels } = await this.adminCall<{ labels: Array<{ name: string }> }>('GET', '/labels');
    if (!labels.some((label) => label.name === name)) await this.adminCall('POST', '/labels', { name });
  }

  iosDevice(): IosDevice {
    return new IosDevice({ keys: this.keys, clock: this.deviceClock, onExchange: this.record });
  }

  androidAgent(options: { ber?: boolean } = {}): AndroidAgent {
    return new AndroidAgent({ keys: this.keys, clock: this.deviceClock, onExchange: this.record, ...options });
  }

  /** Moves the engine's clock (and the devices' with it). */
  async advanceClock(ms: number): Promise<Date> {
    const state = await this.adminCall<{ now: string }>('POST', '/clock', { advanceMs: ms });
    this.deviceClock.set(new Date(state.now));
    return new Date(state.now);
  }

  async syncClock(): Promise<void> {
    const state = await this.adminCall<{ now: string }>('GET', '/clock');
    this.deviceClock.set(new Date(state.now));
  }

  async close(): Promise<void> {
    for (const id of this.createdConfigurations.splice(0)) await this.adminCall('DELETE', `/configurations/${encodeURIComponent(id)}`).catch(() => undefined);
  }

  /** The SCEP exchanges of devices, for the report's sequence diagrams. */
  private readonly record = (exchange: ScepExchange) => this.env.record(exchange);
}
