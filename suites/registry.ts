/**
 * The suites `mdmca run` knows, and where each finds its embedded simulator: the role it tests is served by
 * simulator `simulator` at its endpoint of kind `endpoint` (simulators/registry.ts), with the admin surface
 * beside it. Adding a suite is one entry here.
 */
import type { SuiteDefinition } from './model.js';
import { devicesSuite } from './devices/index.js';
import { globalSignSuite } from './globalsign-epki/index.js';
import { scepClientSuite } from './scep-client/index.js';
import { scepServerSuite } from './scep-server/index.js';
import { symantecSuite } from './symantec-mpki/index.js';

export interface RegisteredSuite {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds suites of every context type
  suite: SuiteDefinition<any>;
  /** Where the embedded simulator of the role is; absent when the suite brings its own (client suites). */
  embedded?: { simulator: string; endpoint: string };
}

export const SUITES: readonly RegisteredSuite[] = [
  { suite: scepServerSuite, embedded: { simulator: 'scep-ca', endpoint: 'scep' } },
  { suite: scepClientSuite },
  { suite: devicesSuite, embedded: { simulator: 'mdm', endpoint: 'mdm' } },
  { suite: globalSignSuite, embedded: { simulator: 'globalsign-epki', endpoint: 'soap' } },
  { suite: symantecSuite, embedded: { simulator: 'symantec-mpki', endpoint: 'pki-ws' } },
];

export function findSuite(id: string): RegisteredSuite | undefined {
  return SUITES.find((entry) => entry.suite.id === id);
}
