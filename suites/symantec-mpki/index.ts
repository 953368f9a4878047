/**
 * "Our MobileIron VSP connector, or any WS client, against a Symantec MPKI PKI Web Services endpoint": the
 * `symantec-mpki` role at the mdm-ca boundary. The target is the https origin of the mutual-TLS listener with
 * credentials {clientP12 (the RA .p12, path or base64), clientP12Password, trustedCertificates? (PEM file of the
 * server's roots), profileOid?}; with an admin URL (the embedded simulator) the account-steering scenarios run too.
 */
import type { SuiteDefinition } from '../model.js';
import { SymantecSuiteContext } from './context.js';
import { enrollmentChecks } from './checks-enrollment.js';
import { managementChecks } from './checks-management.js';
import { scenarioChecks } from './checks-scenarios.js';
import { transportChecks } from './checks-transport.js';

export { SymantecSuiteContext, SymantecSuiteError, parsePolicies, type PolicyInfo, type SoapAnswer } from './context.js';
export { transportChecks, enrollmentChecks, managementChecks, scenarioChecks };

export const symantecChecks = [...transportChecks, ...enrollmentChecks, ...managementChecks, ...scenarioChecks];

export const symantecSuite: SuiteDefinition<SymantecSuiteContext> = {
  id: 'symantec-mpki',
  title: 'Symantec MPKI PKI Web Services: the MobileIron VSP connector (a WS client over mutual TLS) against the CA',
  boundary: 'mdm-ca',
  role: 'symantec-mpki',
  async setup(target, env) {
    const ctx = SymantecSuiteContext.fromTarget(target, env);
    await ctx.profile();
    return ctx;
  },
  checks: symantecChecks,
};
