/**
 * mdmca as a library: the conformance checks as data and their runner, the simulators as Fetch handlers (on
 * sockets or as msw handlers), the SCEP client and server, the test PKI, and the report writers. See README.md,
 * "Library use".
 */
export type { Boundary, CheckDefinition, CheckOutcome, CheckStatus, Exchange, Severity, SuiteDefinition, SuiteEnvironment, TargetSpec } from './suites/model.js';
export { runSuite, runCheck, type CheckResult, type RunResult, type SuiteResult, type RunOptions } from './suites/runner.js';
export { runSuites, selectSuites, type RunSuitesOptions } from './suites/run-suites.js';
export { SUITES, findSuite, type RegisteredSuite } from './suites/registry.js';
export { scepServerSuite, createScepServerSuite, scepServerChecks } from './suites/scep-server/index.js';
export { scepClientSuite } from './suites/scep-client/index.js';
export { loadConfig, resolveTargets, parseTargetOption, ConfigError, type RunConfig } from './suites/config.js';

export { startEmbeddedSimulators, mswSimulators, type EmbeddedSimulators, type SimulatorSet, type ListeningEndpoint } from './simulators/embedded.js';
export { SIMULATORS, type SimulatorFactory, type SimulatorContext } from './simulators/registry.js';
export { listen, createExpressApp, toMswHandlers, type Mount } from './simulators/http.js';
export { createScepCa, type ScepCa, type ScepCaOptions } from './simulators/scep-ca/index.js';

export { ScepClient, ScepClientError, type ScepClientOptions } from './core/scep/client.js';
export { createScepServer, ScepService, type ScepServerOptions } from './core/scep/server.js';
export type { Handler, Peer } from './core/http.js';
export { AdjustableClock, FixedClock, systemClock, type Clock } from './core/clock.js';
export { loadTestPki, type TestPki, type TestIdentity } from './fixtures/test-pki.js';
export { DEFAULT_SCEP_CHALLENGE, TEST_PKI_PASSWORD } from './fixtures/defaults.js';

export { writeReports } from './reports/write.js';
export { toHtmlReport } from './reports/html.js';
export { toJunitXml } from './reports/junit.js';
export { toJsonReport } from './reports/json.js';
