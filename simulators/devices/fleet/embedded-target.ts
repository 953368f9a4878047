/**
 * The default fleet target: every simulator in process (simulators/embedded.ts), the MDM engine at kind 'mdm'
 * in front of the SCEP CA simulator, prepared over its admin API (/__mdmca/mdm, core/engine/http/admin-api.ts)
 * as an administrator would: one user per device (fleet-N / fleet-pw-N), the identity configurations' key size,
 * and the distribution the chosen delivery needs:
 *   scep    the engine's default SCEP-proxy identity, distributed to all (its embedded configuration)
 *   pkcs12  the PKCS#12 identity (key made and kept by the MDM) to all, the SCEP one to none
 *   mixed   SCEP to the users of group fleet-ios, PKCS#12 to those of group fleet-android
 * Devices only see HTTP: the device API at kind 'mdm', the SCEP proxy behind it.
 */
import { type EmbeddedSimulators, startEmbeddedSimulators } from '../../embedded.js';
import { adminCall } from '../engine-admin.js';
import type { FleetPlatform, FleetTarget } from './run.js';

export type FleetDelivery = 'scep' | 'pkcs12' | 'mixed';

/** The embedded engine's identity configurations (fixtures/configs/embedded-engine.ts). */
export const SCEP_CONFIGURATION_ID = 'scep-identity';
export const PKCS12_CONFIGURATION_ID = 'pkcs12-identity';

export interface EmbeddedFleetOptions {
  count: number;
  /** Which platform device N is (runFleet alternates for 'mixed'): decides the group for a mixed delivery. */
  platform?: FleetPlatform;
  keySize?: 1024 | 2048 | 3072 | 4096;
  delivery?: FleetDelivery;
  /** Admin requests at once while users are created. Default 16. */
  concurrency?: number;
}

export interface EmbeddedFleetTarget {
  target: FleetTarget;
  simulators: EmbeddedSimulators;
  /** The engine's admin base, e.g. http://127.0.0.1:PORT/__mdmca/mdm. */
  admin: string;
  close(): Promise<void>;
}

export const fleetUser = (index: number) => ({ username: `fleet-${index + 1}`, password: `fleet-pw-${index + 1}` });

/** Waits for the engine's default configurations (they are made once the listener is bound). */
async function configurationsReady(admin: string): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { configurations } = (await adminCall(admin, 'GET', '/configurations')) as { configurations: Array<Record<string, unknown>> };
    if (configurations.some((c) => c.id === SCEP_CONFIGURATION_ID) && configurations.some((c) => c.id === PKCS12_CONFIGURATION_ID)) return configurations;
    if (Date.now() > deadline) throw new Error(`the embedded engine has no "${SCEP_CONFIGURATION_ID}" and "${PKCS12_CONFIGURATION_ID}" configurations after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A stored configuration back to the spec the admin API accepts. */
function specOf(stored: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, caId: _caId, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...spec } = stored;
  return spec;
}

const platformOf = (platform: FleetPlatform, index: number) => (platform === 'mixed' ? (index % 2 === 0 ? 'ios' : 'android') : platform);

export async function startEmbeddedFleetTarget(options: EmbeddedFleetOptions): Promise<EmbeddedFleetTarget> {
  const simulators = await startEmbeddedSimulators();
  try {
    const admin = simulators.url('mdm', 'admin');
    const configurations = await configurationsReady(admin);
    const delivery = options.delivery ?? 'scep';
    const keySize = options.keySize ?? 2048;
    for (const id of [SCEP_CONFIGURATION_ID, PKCS12_CONFIGURATION_ID]) {
      const stored = configurations.find((c) => c.id === id)!;
      if (stored.keySize !== keySize) await adminCall(admin, 'PUT', `/configurations/${id}`, { ...specOf(stored), keySize });
    }
    const distribution = {
      scep: [{ mode: 'all' }, { mode: 'none' }],
      pkcs12: [{ mode: 'none' }, { mode: 'all' }],
      mixed: [
        { mode: 'custom', groups: ['fleet-ios'] },
        { mode: 'custom', groups: ['fleet-android'] },
      ],
    }[delivery];
    if (delivery === 'mixed') for (const name of ['fleet-ios', 'fleet-android']) await adminCall(admin, 'POST', '/groups', { name });
    await adminCall(admin, 'PUT', `/configurations/${SCEP_CONFIGURATION_ID}/distribution`, distribution[0]);
    await adminCall(admin, 'PUT', `/configurations/${PKCS12_CONFIGURATION_ID}/distribution`, distribution[1]);

    let next = 0;
    const createUsers = async () => {
      while (next < options.count) {
        const index = next++;
        const { username, password } = fleetUser(index);
        await adminCall(admin, 'POST', '/users', { id: username, source: 'local', firstName: 'Fleet', lastName: String(index + 1), email: `${username}@fleet.example`, password });
        if (delivery === 'mixed') await adminCall(admin, 'PUT', `/groups/fleet-${platformOf(options.platform ?? 'mixed', index)}/users/${username}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, options.count) }, createUsers));
    return {
      target: { mdmUrl: simulators.url('mdm', 'mdm'), label: `embedded engine (${simulators.httpUrl}, ${delivery} delivery)`, account: fleetUser },
      simulators,
      admin,
      close: () => simulators.close(),
    };
  } catch (error) {
    await simulators.close();
    throw error;
  }
}
