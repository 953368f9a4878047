/**
 * The device ↔ MDM boundary end to end: emulated iPhones and Android agents (simulators/devices) against the MDM
 * engine's device API, with the engine's CA behind it (the embedded SCEP CA simulator, or any CA the engine is
 * configured with). The role is 'mdm'; the target is the engine's `/mdm` URL, with its admin surface when it is an
 * mdmca engine (checks that steer the engine skip without one, and need credentials.username/password instead).
 *
 * Registry entry for the lead (suites/registry.ts):
 *   { suite: devicesSuite, embedded: { simulator: 'mdm', endpoint: 'mdm' } }
 */
import type { SuiteDefinition } from '../model.js';
import { enrollChecks } from './checks-enroll.js';
import { lifecycleChecks } from './checks-lifecycle.js';
import { DevicesContext, type DevicesSuiteOptions } from './context.js';

export { DevicesContext, type DevicesSuiteOptions } from './context.js';

export const devicesChecks = [...enrollChecks, ...lifecycleChecks];

export function createDevicesSuite(options: DevicesSuiteOptions = {}): SuiteDefinition<DevicesContext> {
  return {
    id: 'devices',
    title: 'Emulated iOS and Android devices through the MDM engine to the CA',
    boundary: 'mdm-device',
    role: 'mdm',
    setup: (target, env) => DevicesContext.create(target, env, options),
    teardown: (ctx) => ctx.close(),
    checks: devicesChecks,
  };
}

export const devicesSuite: SuiteDefinition<DevicesContext> = createDevicesSuite();
