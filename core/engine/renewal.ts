/**
 * Automatic renewal (guide 004: "Automatic Certificate Renewal" with an "Auto Renewal Period (days)" before
 * expiration), driven by the engine's Clock: run() finds issued certificates of configurations with renewal on
 * that are inside their renewal period. A certificate whose key the MDM keeps is reissued at once, and the devices
 * holding it see a new version; a certificate made on the device by SCEP cannot be renewed by the MDM, so the
 * device's configuration gets a new version (and, at its next fetch, a new challenge) and the device enrols again.
 */
import type { Clock } from '../clock.js';
import type { Directory } from '../directory/directory.js';
import type { CertificateLog, LoggedError } from './cert-log.js';
import type { Configurations } from './configurations.js';
import { type Delivery, escrowOwner } from './delivery.js';
import { loggedError } from './issuance.js';
import type { EngineState } from './state.js';

export interface RenewalAction {
  entryId: string;
  configurationId: string;
  userId: string;
  deviceId?: string;
  /** 'reissued': the MDM issued the new certificate; 'requested': the device was asked to enrol again. */
  action: 'reissued' | 'requested';
  newEntryId?: string;
  notAfter: string;
}

export interface RenewalRun {
  at: string;
  checked: number;
  renewed: RenewalAction[];
  failed: Array<{ entryId: string; error: LoggedError }>;
}

export interface RenewalOptions {
  configurations: Configurations;
  directory: Directory;
  state: EngineState;
  log: CertificateLog;
  delivery: Delivery;
  clock: Clock;
}

const DAY_MS = 86_400_000;

export class Renewals {
  constructor(private readonly options: RenewalOptions) {}

  async run(now: Date = this.options.clock.now()): Promise<RenewalRun> {
    const { configurations, directory, state, log } = this.options;
    const run: RenewalRun = { at: now.toISOString(), checked: 0, renewed: [], failed: [] };
    for (const entry of log.issued()) {
      run.checked++;
      const configuration = configurations.findConfiguration(entry.configurationId);
      if (!configuration || configuration.id !== entry.configurationId || configuration.kind !== 'identity') continue;
      const renewal = configuration.autoRenewal;
      if (!renewal?.enabled || !entry.notAfter || entry.renewalRequestedAt) continue;
      if (new Date(entry.notAfter).getTime() - renewal.daysBeforeExpiry * DAY_MS > now.getTime()) continue;
      const user = directory.getUser(entry.userId);
      const device = entry.deviceId ? directory.getDevice(entry.deviceId) : undefined;
      const base = { entryId: entry.id, configurationId: configuration.id, userId: entry.userId, ...(entry.deviceId ? { deviceId: entry.deviceId } : {}), notAfter: entry.notAfter };
      if (!user) continue;
      if (entry.source === 'pkcs12') {
        const owner = escrowOwner(configuration, user, device);
        if (state.escrow.get(owner)?.entryId !== entry.id) continue;
        try {
          const escrow = await this.options.delivery.issueEscrow(owner, configuration, user, device, entry.id);
          this.bumpHolders(configuration.id, configuration.certificateType === 'user' ? { userId: user.id } : { deviceId: device?.id }, now);
          run.renewed.push({ ...base, action: 'reissued', newEntryId: escrow.entryId });
        } catch (error) {
          run.failed.push({ entryId: entry.id, error: loggedError(error) });
        }
        continue;
      }
      if (!device) continue;
      log.update(entry.id, { renewalRequestedAt: now.toISOString() });
      this.bumpHolders(configuration.id, { deviceId: device.id }, now);
      run.renewed.push({ ...base, action: 'requested' });
    }
    return run;
  }

  /** New versions for the devices that hold the configuration's certificate: one device, or all of a user's. */
  private bumpHolders(configurationId: string, holder: { userId?: string; deviceId?: string | undefined }, now: Date): void {
    const { state, directory } = this.options;
    const devices = holder.deviceId ? new Set([holder.deviceId]) : new Set(directory.listDevices({ userId: holder.userId! }).map((d) => d.id));
    state.bumpGeneration((record) => record.configurationId === configurationId && devices.has(record.deviceId), now);
  }
}
