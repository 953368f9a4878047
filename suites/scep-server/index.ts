/**
 * "Our client against any SCEP server": the RFC 8894 conformance of the role `scep-ca`, as checks with ids,
 * severities and sources. The target is a URL (with credentials.challenge, and credentials.caIdentifier for CAs
 * that want a `message=` name) or the embedded simulator, whose admin controls enable the approval and
 * revocation checks; against a plain URL those skip and say why.
 */
import type { SuiteDefinition } from '../model.js';
import { discoveryChecks } from './checks-discovery.js';
import { enrollChecks } from './checks-enroll.js';
import { retrievalChecks } from './checks-retrieval.js';
import { robustnessChecks } from './checks-robustness.js';
import { ScepSuiteContext, type ScepServerSuiteOptions, serverFor } from './context.js';

export type { ScepServerAdmin, ScepServerSuiteOptions, ScepServerUnderTest } from './context.js';
export { ScepSuiteContext } from './context.js';
export { httpScepAdmin, ScepAdminCallError } from './admin-http.js';

/** Every check, in the order they run: robustness probes last, so a server they upset fails nothing else. */
export const scepServerChecks = [...discoveryChecks, ...enrollChecks, ...retrievalChecks, ...robustnessChecks];

export function createScepServerSuite(options: ScepServerSuiteOptions = {}): SuiteDefinition<ScepSuiteContext> {
  return {
    id: 'scep-server',
    title: 'SCEP server (RFC 8894): our client against the CA',
    boundary: 'device-ca',
    role: 'scep-ca',
    async setup(target, env) {
      const { server, owned } = await serverFor(target, options);
      const ctx = new ScepSuiteContext(server, env, owned, options);
      try {
        // Reachability first: an unreachable target fails setup once instead of every check.
        await ctx.caps();
      } catch (error) {
        await ctx.close();
        throw error;
      }
      return ctx;
    },
    teardown: (ctx) => ctx.close(),
    checks: scepServerChecks,
  };
}

/** The suite with no embedded simulator wired: URL targets only until the lead passes startSimulator. */
export const scepServerSuite: SuiteDefinition<ScepSuiteContext> = createScepServerSuite();
