/**
 * One device's conversation with the MDM, the same on both platforms: register, list the configurations
 * distributed to the device, fetch each one that is new or whose version changed, hand it to the platform's
 * installer, report the outcome. Every step is timed for the fleet's latency table.
 */
import { type ConfigurationSummary, MdmApiError, type MdmClient, type RegisterInput, type Registration } from './mdm-client.js';

export type StepName =
  | 'register'
  | 'list-configurations'
  | 'fetch-configuration'
  | 'keygen'
  | 'scep-enroll'
  | 'pkcs12-install'
  | 'root-install'
  | 'status';

export interface StepTiming {
  step: StepName;
  ms: number;
  ok: boolean;
  configurationId?: string;
}

export type StepListener = (timing: StepTiming) => void;

/** Runs `work` as step `step`, reporting its duration whether it succeeds or throws. */
export async function timed<T>(step: StepName, listener: StepListener | undefined, work: () => Promise<T>, configurationId?: string): Promise<T> {
  const started = performance.now();
  try {
    const result = await work();
    listener?.({ step, ms: performance.now() - started, ok: true, ...(configurationId ? { configurationId } : {}) });
    return result;
  } catch (error) {
    listener?.({ step, ms: performance.now() - started, ok: false, ...(configurationId ? { configurationId } : {}) });
    throw error;
  }
}

/** What a platform installer returns for one configuration. */
export interface InstallOutcome {
  /** Lower-case hex serial of the certificate installed (identity, or the trusted CA for a root). */
  certificateSerial?: string;
}

export type Installer = (configuration: ConfigurationSummary, body: { contentType: string; body: Uint8Array }) => Promise<InstallOutcome>;

export interface ConfigurationResult {
  id: string;
  name: string;
  type: ConfigurationSummary['type'];
  version: string;
  outcome: 'installed' | 'failed' | 'unchanged';
  certificateSerial?: string;
  error?: string;
  /** The status report itself failed (the install outcome still stands). */
  statusError?: string;
}

export interface SyncResult {
  configurations: ConfigurationResult[];
  installed: number;
  failed: number;
}

export class MdmSession {
  /** Installed version per configuration id. */
  private readonly versions = new Map<string, string>();

  constructor(
    readonly client: MdmClient,
    private readonly onStep?: StepListener,
  ) {}

  get registration(): Registration | undefined {
    return this.client.registration;
  }

  register(input: RegisterInput): Promise<Registration> {
    return timed('register', this.onStep, () => this.client.register(input));
  }

  /** The contract's "configuration update": installs what is new or changed, reports each outcome. */
  async sync(install: Installer): Promise<SyncResult> {
    const list = await timed('list-configurations', this.onStep, () => this.client.listConfigurations());
    const results: ConfigurationResult[] = [];
    for (const configuration of list) {
      const base = { id: configuration.id, name: configuration.name, type: configuration.type, version: configuration.version };
      if (this.versions.get(configuration.id) === configuration.version) {
        results.push({ ...base, outcome: 'unchanged' });
        continue;
      }
      let result: ConfigurationResult;
      try {
        const body = await timed('fetch-configuration', this.onStep, () => this.client.fetchConfiguration(configuration.id), configuration.id);
        const outcome = await install(configuration, body);
        this.versions.set(configuration.id, configuration.version);
        result = { ...base, outcome: 'installed', ...(outcome.certificateSerial ? { certificateSerial: outcome.certificateSerial } : {}) };
      } catch (error) {
        result = { ...base, outcome: 'failed', error: errorText(error) };
      }
      try {
        await timed(
          'status',
          this.onStep,
          () =>
            this.client.reportStatus(configuration.id, {
              status: result.outcome === 'installed' ? 'installed' : 'failed',
              ...(result.certificateSerial ? { certificateSerial: result.certificateSerial } : {}),
              ...(result.error ? { error: result.error.slice(0, 1000) } : {}),
            }),
          configuration.id,
        );
      } catch (error) {
        result.statusError = errorText(error);
      }
      results.push(result);
    }
    return {
      configurations: results,
      installed: results.filter((r) => r.outcome === 'installed').length,
      failed: results.filter((r) => r.outcome === 'failed').length,
    };
  }

  /** Forget what was installed (e.g. after the device was wiped). */
  forget(configurationId?: string): void {
    if (configurationId) this.versions.delete(configurationId);
    else this.versions.clear();
  }
}

/** A one-line description of an error for reports and status bodies. */
export function errorText(error: unknown): string {
  if (error instanceof MdmApiError) return error.message;
  if (error instanceof Error) {
    const detail = (error as { fullText?: unknown }).fullText;
    return typeof detail === 'string' ? detail : error.message;
  }
  return String(error);
}
