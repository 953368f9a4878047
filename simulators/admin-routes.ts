/**
 * The admin routes every simulator mounts (DESIGN.md: admin surfaces under /__mdmca/<name>/): its fault
 * configuration and its clock. Suites steer a simulator through these over HTTP, so the same scenario works
 * against a simulator in another process.
 *
 *   GET    /__mdmca/<name>/faults   { config, counters }
 *   PUT    /__mdmca/<name>/faults   replace the configuration (validated; 400 lists every issue)
 *   DELETE /__mdmca/<name>/faults   reset to no faults
 *   GET    /__mdmca/<name>/clock    { now, offsetMs }
 *   POST   /__mdmca/<name>/clock    { advanceMs } | { set: ISO-8601 }
 *
 * Clock skew from the fault configuration is a delta on the same clock, so it composes with these moves.
 */
import { z } from 'zod';
import type { AdjustableClock } from '../core/clock.js';
import { faultConfigSchema, type FaultInjector } from './faults.js';
import { json, readJson, route, type Route } from './router.js';

export function adminBase(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new RangeError(`simulator name must be lower-case letters, digits and "-": "${name}"`);
  return `/__mdmca/${name}`;
}

export function faultAdminRoutes(name: string, injector: FaultInjector): Route[] {
  const path = `${adminBase(name)}/faults`;
  return [
    route('GET', path, () => json(injector.get())),
    route('PUT', path, async ({ request }) => {
      const config = await readJson(request, faultConfigSchema);
      injector.set(config);
      return json(injector.get());
    }),
    route('DELETE', path, () => {
      injector.reset();
      return json(injector.get());
    }),
  ];
}

const clockCommandSchema = z.union([
  z.object({ advanceMs: z.number().int() }).strict(),
  z.object({ set: z.iso.datetime({ offset: true }) }).strict(),
]);

export function clockAdminRoutes(name: string, clock: AdjustableClock): Route[] {
  const path = `${adminBase(name)}/clock`;
  const state = () => json({ now: clock.now().toISOString(), offsetMs: clock.offset });
  return [
    route('GET', path, state),
    route('POST', path, async ({ request }) => {
      const command = await readJson(request, clockCommandSchema);
      if ('advanceMs' in command) clock.advance(command.advanceMs);
      else clock.set(new Date(command.set));
      return state();
    }),
  ];
}
